import SysRegs
import Testing
import VMMCLI

@Suite("vmmctl regs")
struct RegsCommandTests {
    @Test("regs list prints every register of the table, one line each")
    func listAll() {
        let r = CLIRun("regs", "list")
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        // header + one line per register + the count line
        #expect(lines.count == RegisterTable.all.count + 2)
        #expect(r.out.contains("0x603000000013e088 HCR_EL2"))
        #expect(lines.last == "\(RegisterTable.all.count) registers")
    }

    @Test("regs list --features el2,e2h0 has SP_EL2 but not VNCR_EL2")
    func listFeatures() {
        let r = CLIRun("regs", "list", "--features", "el2,e2h0")
        #expect(r.status == 0)
        #expect(r.out.contains(" SP_EL2 "))
        #expect(!r.out.contains(" VNCR_EL2 "))
        let plain = CLIRun("regs", "list", "--features", "none")
        #expect(!plain.out.contains(" HCR_EL2 "))
    }

    @Test("regs list --group el2-special lists exactly SP_EL2, ELR_EL2, SPSR_EL2")
    func listGroup() {
        let r = CLIRun("regs", "list", "--group", "el2-special", "--json")
        #expect(r.status == 0)
        let names = RegisterTable.all.filter { $0.group == .el2Special }.map(\.name).sorted()
        #expect(names == ["ELR_EL2", "SPSR_EL2", "SP_EL2"])
        for n in names { #expect(r.out.contains("\"name\": \"\(n)\"")) }
    }

    @Test("regs show by name and by id agree")
    func showNameAndID() {
        let byName = CLIRun("regs", "show", "hcr_el2")
        let byID = CLIRun("regs", "show", "0x603000000013E088")
        #expect(byName.status == 0)
        #expect(byName.out == byID.out)
        #expect(byName.out.contains("VNCR_EL2 page slot at byte 0x78"))
        #expect(byName.out.contains("E2H"))
    }

    @Test("regs show of an id the model does not name decodes it structurally")
    func showUnknownID() {
        let r = CLIRun("regs", "show", "0x603000000013ffff")
        #expect(r.status == 0)
        #expect(r.out.contains("S3_7_C15_C15_7: not in the register model"))
        let alien = CLIRun("regs", "show", "0x4030000000100000", "--json")
        #expect(alien.status == 0)
        #expect(alien.out.contains("\"arm64\": false"))
    }

    @Test("regs show of the swapped KVM timer id names CNTV_CVAL_EL0 and explains the quirk")
    func showSwappedTimer() {
        let r = CLIRun("regs", "show", "0x603000000013df02")
        #expect(r.out.hasPrefix("CNTV_CVAL_EL0\n"))
        #expect(r.out.contains("frozen ABI quirk"))
    }

    @Test("regs decode HCR_EL2 0x480000000 shows E2H and RW set")
    func decodeHCR() {
        let r = CLIRun("regs", "decode", "HCR_EL2", "0x4_8000_0000", "--json")
        #expect(r.status == 0)
        #expect(r.out.contains("\"name\": \"E2H\""))
        let text = CLIRun("regs", "decode", "HCR_EL2", "0x480000000").out
        let set = text.split(separator: "\n").filter { $0.contains(" 0x1 ") }.map {
            $0.split(separator: " ", omittingEmptySubsequences: true)[0]
        }
        #expect(set == ["E2H", "RW"])
    }

    @Test("regs decode PSTATE 0x3c9 says EL2h")
    func decodePSTATE() {
        let r = CLIRun("regs", "decode", "PSTATE", "0x3c9")
        #expect(r.status == 0)
        #expect(r.out.contains("EL2h"))
    }

    @Test("regs decode takes a 128-bit value for a 128-bit register and refuses one too wide")
    func decodeWidths() {
        let r = CLIRun("regs", "decode", "SCTLR_EL1", "0x1_0000_0000_0000_0000")
        #expect(r.status == 1)
        #expect(r.err.contains("does not fit in SCTLR_EL1, which is 64 bits wide"))
    }

    @Test("regs vncr lists VTTBR_EL2 as a 16-byte slot at 0x20")
    func vncr() {
        let r = CLIRun("regs", "vncr")
        #expect(r.status == 0)
        #expect(r.out.contains("0x20    16    VTTBR_EL2"))
        #expect(r.out.split(separator: "\n").count == RegisterTable.vncrLayout.count + 2)
    }

    @Test(
        "bad input gets a clear error and a non-zero exit",
        arguments: [
            (["regs", "show", "NOPE_EL9"], Int32(1), "unknown register 'NOPE_EL9'"),
            (["regs", "show", "0xZZ"], 1, "is not a valid ONE_REG id"),
            (["regs", "show", "0x1_0000_0000_0000_0000"], 1, "is not a valid ONE_REG id"),
            (["regs", "decode", "HCR_EL2", "12abc"], 1, "'12abc' is not a number"),
            (["regs", "decode", "HCR_EL2"], 2, "missing a value"),
            (["regs", "list", "--bogus"], 2, "unknown option '--bogus'"),
            (["regs", "list", "--group", "el9"], 2, "unknown group 'el9'"),
            (["regs", "list", "--features", "vhe"], 2, "unknown feature 'vhe'"),
            (["regs", "frobnicate"], 2, "unknown subcommand 'regs frobnicate'"),
            (["regs"], 2, "missing subcommand"),
            (["frobnicate"], 2, "unknown command 'frobnicate'"),
            (["help", "frobnicate"], 2, "no help for unknown command"),
            (["regs", "show", "HCR_EL2", "extra"], 2, "unexpected argument 'extra'"),
        ])
    func badInput(args: [String], status: Int32, message: String) {
        let r = CLIRun(args)
        #expect(r.status == status)
        #expect(r.err.hasPrefix("vmmctl: error: "))
        #expect(r.err.contains(message))
        #expect(r.out.isEmpty)
    }

    @Test("help: --help, help COMMAND and COMMAND --help")
    func help() {
        let overview = CLIRun("--help")
        #expect(overview.status == 0)
        #expect(overview.out.contains("regs"))
        let sub = CLIRun("help", "regs")
        #expect(sub.status == 0)
        #expect(sub.out.contains("vmmctl regs decode NAME VALUE"))
        #expect(CLIRun("regs", "--help").out == sub.out)
        #expect(CLIRun().out == overview.out)
    }
}
