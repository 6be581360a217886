import CKVM
import Glibc
import SysRegs
import Testing

@testable import VMM

/// Against real arm64 KVM (the lab). Skipped, with the reason printed, elsewhere. Serialized: each
/// test builds its own VM, and EL2 VM teardown is slow under TCG, so parallelism buys little.
@Suite(.serialized, .enabled(if: LabKVM.available, LabKVM.skipReason))
struct KVMTierTests {
    /// With `VMMCTL_REQUIRE_KVM=1` (the lab) the KVM tier runs even without KVM, and fails here first.
    @Test func kvmIsPresent() {
        #expect(LabKVM.capabilities.kvmProblem == nil, "VMMCTL_REQUIRE_KVM=1: \(LabKVM.capabilities.kvmProblem ?? "")")
    }

    @Test(.enabled(if: LabKVM.onFixtureKernel, LabKVM.fixtureKernelSkipReason))
    func hostCapabilitiesInTheLab() {
        let caps = LabKVM.capabilities
        #expect(caps.apiVersion == 12)
        #expect(caps.el2 && caps.el2E2H0 && caps.gicV3 && caps.oneReg && caps.psci02)
        #expect(caps.maxIPABits >= 40)
        #expect(caps.maxVCPUs > 0)
        let report = caps.report
        #expect(report.nestedReady, "\(report.text)")
        print(report.text)
    }

    /// The exact list, on the kernel it was recorded on only; `everyListedRegisterIsNamedBySysRegs` is
    /// the check that holds on every KVM host.
    @Test(.enabled(if: LabKVM.onFixtureKernel, LabKVM.fixtureKernelSkipReason), arguments: VCPUKind.supported)
    func regListMatchesTheLabFixture(kind: VCPUKind) throws {
        let machine = try LabMachine(kind.features)
        let ids = try machine.vcpu.regList()
        #expect(ids.count == kind.regList.count)
        #expect(Set(ids.map(\.rawValue)) == Set(kind.regList))
    }

    @Test(arguments: VCPUKind.supported)
    func everyListedRegisterIsNamedBySysRegs(kind: VCPUKind) throws {
        let machine = try LabMachine(kind.features)
        let unnamed = try machine.vcpu.regList().filter { RegisterTable.descriptor(for: $0) == nil }
        #expect(unnamed.isEmpty, "unnamed: \(unnamed.prefix(20).map { RegisterTable.lookup($0).name })")
    }

    /// Every register reads, and writing back the value just read succeeds.
    ///
    /// On the lab kernel (7.2.13) KVM rejects none of the write-backs, for all three vCPU kinds, before
    /// the first run. Writes that would be rejected are ones that change a value: ID registers accept
    /// only their current value or a narrower feature set (EINVAL otherwise), the firmware feature
    /// bitmaps turn immutable (EBUSY) once any vCPU has run, SVE registers need FINALIZE (EPERM).
    /// CNTVCT_EL0/CNTPCT_EL0 writes succeed but are ignored once a VM-wide counter offset is set.
    @Test(arguments: VCPUKind.supported)
    func readAllAndWriteBack(kind: VCPUKind) throws {
        let machine = try LabMachine(kind.features)
        let file = try machine.vcpu.readAll()
        let listed = try machine.vcpu.regList()
        #expect(file.count == listed.count)
        var rejected: [String] = []
        for id in file.ids {
            do {
                try machine.vcpu.setOneReg(id, file[id]!)
            } catch {
                rejected.append("\(error)")
            }
        }
        #expect(rejected.isEmpty, "\(rejected.count) write-backs rejected:\n\(rejected.joined(separator: "\n"))")
        // Values survive the write-back (SP_EL2 reads the UNKNOWN poison on EL2 vCPUs, and still does).
        let again = try machine.vcpu.readAll()
        let changed = file.ids.filter { again[$0] != file[$0] && !Self.volatile.contains($0.rawValue) }
        #expect(changed.isEmpty, "changed by write-back: \(changed.map { RegisterTable.lookup($0).name })")
    }

    /// Counters keep counting between two reads.
    static let volatile: Set<UInt64> = [
        0x6030_0000_0013_DF1A,  // KVM_REG_ARM_TIMER_CNT (CNTVCT_EL0)
        0x6030_0000_0013_DF01,  // KVM_REG_ARM_PTIMER_CNT (CNTPCT_EL0)
    ]

    @Test(arguments: VCPUKind.supported)
    func realChangeReadsBack(kind: VCPUKind) throws {
        let machine = try LabMachine(kind.features)
        let pattern: UInt64 = 0x5A5A_0000_1234_ABCD
        try machine.vcpu.setOneReg(LabKVM.tpidrEL1, RegisterValue(pattern))
        #expect(try machine.vcpu.getOneReg(LabKVM.tpidrEL1).u64 == pattern)
        if kind.features.el2 {
            try machine.vcpu.setOneReg(LabKVM.tpidrEL2, RegisterValue(~pattern))
            #expect(try machine.vcpu.getOneReg(LabKVM.tpidrEL2).u64 == ~pattern)
        }
    }

    @Test(arguments: VCPUKind.supported)
    func payloadReportsCurrentEL(kind: VCPUKind) throws {
        let machine = try LabMachine(kind.features)
        let pstate = try machine.vcpu.getOneReg(LabKVM.pstate).u64
        #expect(pstate & 0xF == (kind.features.el2 ? 0x9 : 0x5), "reset PSTATE \(hexShort(pstate))")
        let exit = try machine.vcpu.run()
        #expect(exit == .mmio(address: LabKVM.mmioProbe, data: kind.currentEL, isWrite: true, length: 8))
    }

    @Test func e2h0WithoutEL2IsRefusedBeforeKVMSeesIt() throws {
        let system = try KVMSystem()
        let vm = try system.createVM()
        let vcpu = try vm.createVCPU(id: 0)
        #expect(throws: KVMError.self) { try vcpu.initialize(features: VCPUInitFeatures(el2: false, e2h0: true)) }
        #expect(vcpu.features == nil)
        // Still uninitialised: KVM refuses the register list until VCPU_INIT.
        #expect(throws: KVMError.self) { try vcpu.regList() }
    }

    @Test func errorsNameTheRegister() throws {
        let machine = try LabMachine(.el1)
        // HCR_EL2 is hidden from an EL1 vCPU.
        let hcr = OneRegID.sysreg(SysRegEncoding(3, 4, 1, 1, 0))
        #expect {
            try machine.vcpu.getOneReg(hcr)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("KVM_GET_ONE_REG(") && text.contains("(ENOENT)")
        }
        #expect(throws: KVMError.self) { try machine.vcpu.setOneReg(LabKVM.tpidrEL1, RegisterValue(1, byteCount: 4)) }
    }

    @Test(.enabled(if: LabKVM.supports(.el2VHE), LabKVM.el2SkipReason))
    func gicMaintenanceIRQAndCPUInterface() throws {
        let machine = try LabMachine(.el2VHE)
        #expect(try machine.gic.maintenanceInterrupt() == 25)
        #expect(try machine.gic.interruptCount() == 256)
        let addresses = try machine.gic.addresses()
        #expect(addresses.distributor == 0x0800_0000 && addresses.redistributor == 0x080A_0000)
        let pmr = SysRegEncoding(3, 0, 4, 6, 0)  // ICC_PMR_EL1
        try machine.gic.setCPURegister(pmr, 0xF0)
        #expect(try machine.gic.cpuRegister(pmr) == 0xF0)
        let ichHCR = SysRegEncoding(3, 4, 12, 11, 0)  // ICH_HCR_EL2: EL2 vCPUs only
        try machine.gic.setCPURegister(ichHCR, 0x1)
        #expect(try machine.gic.cpuRegister(ichHCR) == 0x1)
    }

    @Test(.enabled(if: LabKVM.supports(.el2VHE), LabKVM.el2SkipReason))
    func timerIRQsMPStateAndEvents() throws {
        let machine = try LabMachine(.el2VHE)
        #expect(
            try machine.vcpu.timerIRQs()
                == TimerIRQs(virtual: 27, physical: 30, hypervisorVirtual: 28, hypervisorPhysical: 26))
        #expect(try machine.vcpu.mpState() == .runnable)
        try machine.vcpu.setMPState(.stopped)
        #expect(try machine.vcpu.mpState() == .stopped)
        try machine.vcpu.setMPState(.runnable)
        // serror_has_esr reads back as "the host has RAS" (true in the lab), not as a pending state.
        let events = try machine.vcpu.events()
        #expect(!events.serrorPending && !events.externalDataAbortPending)
        try machine.vcpu.setEvents(VCPUEvents(serrorPending: true))
        #expect(try machine.vcpu.events().serrorPending)
        // SET_VCPU_EVENTS only injects: a false serror_pending does not withdraw a pending SError.
        try machine.vcpu.setEvents(VCPUEvents())
        #expect(try machine.vcpu.events().serrorPending)
    }

    @Test func counterOffsetAndVMCapabilities() throws {
        let machine = try LabMachine(.el1)
        if LabKVM.capabilities.counterOffset { try machine.vm.setCounterOffset(0) }
        #expect(try machine.vm.checkExtension(.vmIPASize) >= 40)
        #expect(throws: KVMError.self) { try machine.vm.enableCap(.mte) }  // vCPUs exist already
    }

    @Test func immediateExitInterrupts() throws {
        let machine = try LabMachine(.el1)
        machine.vcpu.setImmediateExit(true)
        #expect(try machine.vcpu.run() == .interrupted)
        machine.vcpu.setImmediateExit(false)
        #expect(try machine.vcpu.run() == .mmio(address: LabKVM.mmioProbe, data: 0x4, isWrite: true, length: 8))
    }
}
