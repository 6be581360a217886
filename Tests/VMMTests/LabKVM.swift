import Glibc
import SysRegs
import Testing

@testable import VMM

/// Whether this host has arm64 KVM, probed once for the KVM-tier traits.
///
/// In the lab a KVM-tier test that skipped is a failure: Tests/Integration/lab-suite.sh sets
/// `VMMCTL_REQUIRE_KVM=1`, which turns every KVM-tier condition here on, so a test whose condition does
/// not hold there runs and fails (naming what is missing) instead of skipping.
enum LabKVM {
    static let capabilities = HostCapabilities.probe()
    /// `VMMCTL_REQUIRE_KVM=1`: KVM-tier tests must run (the lab).
    static let required = getenv("VMMCTL_REQUIRE_KVM").map { String(cString: $0) == "1" } ?? false
    static var available: Bool { capabilities.kvmProblem == nil || required }
    static var skipReason: Comment {
        Comment(rawValue: "KVM tier skipped: \(capabilities.kvmProblem ?? "arm64 KVM present")")
    }

    /// Whether this host's KVM can make vCPUs with `features` (EL2 needs KVM_CAP_ARM_EL2, EL2 without VHE
    /// KVM_CAP_ARM_EL2_E2H0). Always true in the lab (`required`), where a missing capability must fail.
    static func supports(_ features: VCPUInitFeatures) -> Bool {
        if required { return true }
        return (!features.el2 || capabilities.el2) && (!features.e2h0 || capabilities.el2E2H0)
    }
    /// Why the EL2 arguments of the KVM-tier tests are left out on this host (a native arm64 host without
    /// nested virtualisation runs the EL1 ones only); `VCPUKindAvailabilityTests` reports it as a skip.
    static var el2SkipReason: Comment {
        Comment(
            rawValue: "KVM tier (EL2 vCPUs) skipped: this host's KVM lacks KVM_CAP_ARM_EL2; boot an FEAT_NV2 host "
                + "with kvm-arm.mode=nested to run the EL2 cases")
    }
    static var e2h0SkipReason: Comment {
        Comment(rawValue: "KVM tier (EL2 without VHE) skipped: this host's KVM lacks KVM_CAP_ARM_EL2_E2H0")
    }

    /// `VMMCTL_REQUIRE_MTE=1`: the MTE tests must run (the lab's `lab run --mte` pass,
    /// Tests/Integration/lab-suite.sh); without it they run where KVM offers MTE and skip elsewhere.
    static let requiredMTE = getenv("VMMCTL_REQUIRE_MTE").map { String(cString: $0) == "1" } ?? false
    static var mteAvailable: Bool { (capabilities.kvmProblem == nil && capabilities.mte) || requiredMTE }
    static var mteSkipReason: Comment {
        Comment(
            rawValue: "KVM tier (MTE) skipped: "
                + (capabilities.kvmProblem ?? "this host's KVM lacks KVM_CAP_ARM_MTE (the lab: `lab run --mte`)"))
    }
    /// A KVM host without MTE (the lab's ordinary pass), where `--mte` must be refused.
    static var lacksMTE: Bool { capabilities.kvmProblem == nil && !capabilities.mte && !requiredMTE }

    /// `uname -r` of the running kernel.
    static let kernelRelease: String = {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        // `release` is a NUL-terminated char array, imported as a tuple.
        let chars = Mirror(reflecting: names.release).children.compactMap { $0.value as? CChar }.prefix { $0 != 0 }
        return String(decoding: chars.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
    /// Running the kernel the register-list fixtures were recorded on (the lab's, lab/versions.sh), where
    /// KVM_GET_REG_LIST must answer exactly those lists. Other kernels and CPUs list other registers.
    static var onFixtureKernel: Bool { kernelRelease == RegListFixtures.kernelRelease || required }
    static var fixtureKernelSkipReason: Comment {
        Comment(
            rawValue: "KVM tier skipped: compares with what the lab kernel \(RegListFixtures.kernelRelease) lists; "
                + "this host runs \(kernelRelease)")
    }

    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize = 0x1_0000
    /// No memory slot covers it, so guest stores there exit to userspace as MMIO.
    static let mmioProbe: UInt64 = 0x1000_0000

    /// `mrs x1, CurrentEL; movz x2, #0x1000, lsl #16; str x1, [x2]; b .` (A64, hand-encoded:
    /// MRS Rt=1 with CurrentEL = S3_0_C4_C2_2; MOVZ hw=1 imm16=0x1000 Rd=2; STR (unsigned offset)
    /// imm12=0 Rn=2 Rt=1; B offset 0).
    static let currentELPayload: [UInt32] = [0xD538_4241, 0xD2A2_0002, 0xF900_0041, 0x1400_0000]

    static let pc = SysReg.PC.id
    static let pstate = SysReg.PSTATE.id
    static let tpidrEL1 = OneRegID.sysreg(SysRegEncoding(3, 0, 13, 0, 4))
    static let tpidrEL2 = OneRegID.sysreg(SysRegEncoding(3, 4, 13, 0, 2))
}

/// One VM with one vCPU, built in the lab-proven order: VM, memory slot, vGICv3 + addresses, vCPU,
/// VCPU_INIT, maintenance IRQ, CTRL_INIT. Ready to run.
struct LabMachine {
    let system: KVMSystem
    let vm: VirtualMachine
    let memory: GuestMemory
    let gic: GICv3
    let vcpu: VCPU

    init(_ features: VCPUInitFeatures, payload: [UInt32] = LabKVM.currentELPayload) throws {
        system = try KVMSystem()
        try system.require(features.requiredCapabilities)
        vm = try system.createVM()
        memory = try GuestMemory(guestAddress: LabKVM.ramBase, size: LabKVM.ramSize)
        try memory.write(words: payload, at: LabKVM.ramBase)
        try vm.map(memory)
        gic = try GICv3(vm: vm)
        vcpu = try vm.createVCPU(id: 0)
        try vcpu.initialize(features: features)
        if features.el2 { try gic.setMaintenanceInterrupt() }
        try gic.initialize()
        try vcpu.setOneReg(LabKVM.pc, RegisterValue(LabKVM.ramBase))
    }
}

/// The three vCPU kinds of the KVM tier with their expected lab register lists and CurrentEL.
struct VCPUKind: Sendable, CustomTestStringConvertible {
    let name: String
    let features: VCPUInitFeatures
    let regList: [UInt64]
    let currentEL: UInt64

    var testDescription: String { name }

    static let all = [
        VCPUKind(name: "EL1", features: .el1, regList: RegListFixtures.el1, currentEL: 0x4),
        VCPUKind(name: "EL2 (VHE)", features: .el2VHE, regList: RegListFixtures.el2VHE, currentEL: 0x8),
        VCPUKind(name: "EL2 (E2H0)", features: .el2E2H0, regList: RegListFixtures.el2E2H0, currentEL: 0x8),
    ]

    /// The kinds this host's KVM can make (all of them in the lab); the parameterised KVM-tier tests run
    /// over these, and `VCPUKindAvailabilityTests` reports the ones left out as skipped, with the reason.
    static var supported: [VCPUKind] { all.filter { LabKVM.supports($0.features) } }
}

/// The EL2 vCPU kinds as tests of their own: on a host without them these skip with the reason (so the
/// EL2 arguments left out of the other KVM-tier tests are reported, not silently passed); where they run,
/// they make such a vCPU and check it starts at EL2.
@Suite("KVM tier: vCPU kinds this host runs", .serialized, .enabled(if: LabKVM.available, LabKVM.skipReason))
struct VCPUKindAvailabilityTests {
    @Test("EL2 with VHE", .enabled(if: LabKVM.supports(.el2VHE), LabKVM.el2SkipReason))
    func el2VHE() throws { try Self.startsAtEL2(.el2VHE) }

    @Test("EL2 without VHE (E2H0)", .enabled(if: LabKVM.supports(.el2E2H0), LabKVM.e2h0SkipReason))
    func el2E2H0() throws { try Self.startsAtEL2(.el2E2H0) }

    static func startsAtEL2(_ features: VCPUInitFeatures) throws {
        let machine = try LabMachine(features)
        let pstate = try machine.vcpu.getOneReg(SysReg.PSTATE)
        #expect(pstate & 0xF == 0x9, "PSTATE.M \(pstate & 0xF): EL2h expected")
    }
}
