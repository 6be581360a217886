import Foundation
import SysRegs
import Testing

@testable import VMM
@testable import VMMCLI

/// dump-regs for an MTE vCPU: the MTE group decodes GCR_EL1, RGSR_EL1 and TFSR*, and lists the MTE
/// controls of SCTLR_EL1 (and HCR_EL2 on EL2 vCPUs) beside them; the header names the tag file.
@Suite struct RegisterDumpMTETests {
    static func mteMachine() -> MachineState {
        let sctlr: UInt64 = 0x30D0_0800 | 1 | 1 << 40 | 1 << 43
        let regs = DumpFixtures.registers(
            [.mte],
            [
                "PSTATE": 0x3C5, "SCTLR_EL1": sctlr, "GCR_EL1": 0x1,
                "RGSR_EL1": 0xACE1_07, "TFSR_EL1": 0b01,
            ])
        let vcpu = VCPUState(
            index: 0, mpidr: 0x8000_0000, features: .el1, registers: regs, mpState: 0, events: VCPUEvents())
        var state = DumpFixtures.machine([vcpu])
        state.tags = TagState(guestAddress: 0x4000_0000, size: 0x2000_0000, checksum: 0xBEEF)
        return state
    }

    @Test func mteGroupDecodesAndListsTheControls() throws {
        var options = RegisterDumpOptions()
        options.filter = "mte"
        let text = try RegisterDump.text(Self.mteMachine(), options)
        #expect(text.contains("MTE registers [mte]"))
        let lines = text.split(separator: "\n").map(String.init)
        func line(_ prefix: String) -> String? {
            lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
        }
        #expect(line("Exclude")?.contains("0x1") == true)
        #expect(line("SEED")?.contains("0xace1") == true)
        #expect(line("TAG ")?.contains("0x7") == true)
        #expect(line("TF0")?.contains("0x1") == true)
        #expect(text.contains("MTE controls in SCTLR_EL1"))
        #expect(line("TCF ")?.contains("Tag Check Faults cause a synchronous exception") == true)
        #expect(line("ATA ")?.contains("0x1") == true)
        #expect(!text.contains("MTE controls in HCR_EL2"), "an EL1 vCPU has no HCR_EL2")
        #expect(text.contains("tags      MTE allocation tags of 0x20000000 bytes at 0x40000000 in tags.bin"))
    }
}
