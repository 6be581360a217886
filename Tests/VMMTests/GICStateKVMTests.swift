import Glibc
import SysRegs
import Testing

@testable import VMM

/// The vGIC's CPU interface saved from real KVM: complete, or the save fails.
@Suite("vGICv3 CPU interface state (KVM tier)", .serialized, .enabled(if: LabKVM.available, LabKVM.skipReason))
struct GICStateKVMTests {
    static let mpidrEL1 = OneRegID.sysreg(SysRegEncoding(3, 0, 0, 0, 5))

    /// Logs, for the lab notes, what KVM answers for every register of the architectural set.
    static func logRefusals(_ machine: LabMachine, kind: VCPUKind) {
        for d in GICv3.cpuInterfaceRegisters(el2: kind.features.el2) {
            guard let e = d.encoding else { continue }
            do { _ = try machine.gic.cpuRegister(e) } catch {
                let code = (error as? KVMError)?.errno ?? 0
                print("GIC \(kind.name): \(d.name) refused: errno \(code) (\(Errno.describe(code)))")
            }
        }
        for id in GICv3.derivedCPURegisters {
            guard let d = RegisterTable.descriptor(for: id), let e = d.encoding else { continue }
            do { _ = try machine.gic.cpuRegister(e) } catch {
                print("GIC \(kind.name): \(d.name) (not saved) refused: \((error as? KVMError)?.errno ?? 0)")
            }
        }
    }

    @Test(
        "the saved CPU interface has exactly the registers the vCPU implements, ICC_SRE_EL1 first",
        arguments: VCPUKind.supported)
    func savedCPUInterfaceIsExact(kind: VCPUKind) throws {
        let machine = try LabMachine(kind.features)
        Self.logRefusals(machine, kind: kind)
        let mpidr = try machine.vcpu.getOneReg(Self.mpidrEL1).u64
        let state = try machine.gic.saveState(vcpus: [(mpidr: mpidr, el2: kind.features.el2)])
        let cpu = try #require(state.cpus.first)
        let names = cpu.cpuInterface.map(\.name)
        #expect(names.first == "ICC_SRE_EL1")
        #expect(Set(names).count == names.count)

        let value = { (name: String) in cpu.cpuInterface.first { $0.name == name }?.value }
        let ctlr = try #require(value("ICC_CTLR_EL1"))
        let vtr = value("ICH_VTR_EL2")
        let shape = GICv3.CPUInterfaceShape(iccCTLR: ctlr, ichVTR: vtr)
        print("GIC \(kind.name): \(shape); saved \(names.count): \(names.joined(separator: " "))")
        let aprs = shape.activePriorityRegisters
        let icc = (0..<aprs).flatMap { ["ICC_AP0R\($0)_EL1", "ICC_AP1R\($0)_EL1"] }
        var expected = Set(icc + ["ICC_PMR_EL1", "ICC_BPR0_EL1", "ICC_BPR1_EL1", "ICC_CTLR_EL1", "ICC_SRE_EL1"])
        expected.formUnion(["ICC_IGRPEN0_EL1", "ICC_IGRPEN1_EL1"])
        if kind.features.el2 {
            #expect(vtr != nil)
            expected.formUnion((0..<aprs).flatMap { ["ICH_AP0R\($0)_EL2", "ICH_AP1R\($0)_EL2"] })
            expected.formUnion((0..<shape.listRegisters).map { "ICH_LR\($0)_EL2" })
            expected.formUnion(["ICH_HCR_EL2", "ICH_VTR_EL2", "ICH_VMCR_EL2"])
            let lrs = names.filter { $0.hasPrefix("ICH_LR") }.count
            #expect(lrs == Int(try #require(vtr) & 0x1F) + 1, "LR count is ICH_VTR_EL2.ListRegs + 1")
        } else {
            #expect(vtr == nil)
        }
        #expect(
            Set(names) == expected,
            "extra: \(Set(names).subtracting(expected)), missing: \(expected.subtracting(names))")

        // And the state goes back into the same vGIC: restore refuses nothing the save produced.
        try machine.gic.restoreState(state)
    }
}
