import SysRegs
import Testing

/// Decoding of known register values.
@Suite("FieldDecoder values")
struct FieldDecoderValueTests {
    /// Decodes `value` with the named layout and returns the fields by name.
    func decode(_ register: String, _ value: UInt128) throws -> [String: DecodedField] {
        let layout = try #require(FieldCatalog.layout(for: register))
        return Dictionary(uniqueKeysWithValues: layout.decode(value).map { ($0.field.name, $0) })
    }

    @Test func hcrEL2VHEGuestHypervisor() throws {
        let fields = try decode("HCR_EL2", 0x4_8000_0000)
        #expect(fields["E2H"]?.value == 1)
        #expect(fields["RW"]?.value == 1)
        #expect(fields["RW"]?.meaning == "EL1 is AArch64")
        for (name, field) in fields where name != "E2H" && name != "RW" {
            #expect(field.value == 0, "\(name)")
        }
    }

    @Test("PSTATE and SPSR at EL2h with DAIF masked", arguments: ["PSTATE", "SPSR_EL1", "SPSR_EL2"])
    func el2h(_ register: String) throws {
        let fields = try decode(register, 0x3c9)
        #expect(fields["M[3:0]"]?.value == 0b1001)
        #expect(fields["M[3:0]"]?.meaning == "EL2h")
        #expect(fields["M[4]"]?.value == 0)
        for name in ["D", "A", "I", "F"] { #expect(fields[name]?.value == 1, "\(name)") }
        #expect(fields["N"]?.value == 0)
    }

    /// A VHE guest hypervisor's CNTHCTL_EL2 as read in the lab (0x20c86), and the same bits as E2H=0 reads
    /// them: bits 0-1 and 8-11 differ between the layouts, 2-7 and 12-19 are shared.
    @Test func cnthctlEL2BothLayouts() throws {
        let vhe = try decode("CNTHCTL_EL2", 0x20C86)
        for name in ["EL0VCTEN", "EVNTEN", "EL1PCTEN", "EL1PTEN", "EVNTIS"] {
            #expect(vhe[name]?.value == 1, "\(name)")
        }
        #expect(vhe["EVNTI"]?.value == 0x8)
        #expect(vhe["EL0PCTEN"]?.value == 0)
        let nvhe = try decode("CNTHCTL_EL2.E2H0", 0x20C86)
        #expect(nvhe["EL1PCEN"]?.value == 1)
        #expect(nvhe["EL1PCTEN"]?.value == 0)
        #expect(nvhe["EL1PTEN"] == nil && nvhe["EL0VTEN"] == nil)
        for name in ["EVNTEN", "EVNTI", "EVNTIS", "ECV", "CNTPMASK"] {
            #expect(nvhe[name]?.value == vhe[name]?.value, "\(name)")
        }
    }

    @Test func el1h() throws {
        let fields = try decode("PSTATE", 0x3c5)
        #expect(fields["M[3:0]"]?.meaning == "EL1h")
    }

    @Test func esrHVC() throws {
        let fields = try decode("ESR_EL2", 0x5A00_0000)
        #expect(fields["EC"]?.value == 0x16)
        #expect(fields["EC"]?.meaning?.contains("HVC") == true)
        #expect(fields["IL"]?.value == 1)
        #expect(fields["ISS"]?.value == 0)
    }

    @Test func esrExceptionClasses() throws {
        let ec = try #require(FieldCatalog.layout(for: "ESR_EL1")?.fields.first { $0.name == "EC" })
        #expect(ec.msb == 31 && ec.lsb == 26)
        let expected: [UInt128: String] = [
            0x00: "Unknown", 0x01: "WF", 0x07: "floating-point", 0x15: "SVC", 0x17: "SMC", 0x18: "MSR",
            0x20: "Instruction Abort from a lower", 0x21: "Instruction Abort taken without", 0x22: "PC alignment",
            0x24: "Data Abort from a lower", 0x25: "Data Abort taken without", 0x26: "SP alignment",
            0x2C: "floating-point exception", 0x2F: "SError", 0x30: "Breakpoint", 0x3C: "BRK",
        ]
        for (value, word) in expected {
            #expect(ec.meanings[value]?.contains(word) == true, "EC \(value)")
        }
    }

    @Test func vtcrEL2FortyBitIPA() throws {
        // T0SZ=24, SL0=1, inner/outer write-back, inner shareable, 4KB granule, PS=40 bits, RES1 bit 31.
        let fields = try decode("VTCR_EL2", 0x8002_3558)
        #expect(fields["T0SZ"]?.value == 24)
        #expect(fields["SL0"]?.value == 1)
        #expect(fields["SL0"]?.meaning?.hasPrefix("4KB: level 1") == true)
        #expect(fields["IRGN0"]?.value == 1)
        #expect(fields["ORGN0"]?.value == 1)
        #expect(fields["SH0"]?.meaning == "Inner Shareable")
        #expect(fields["TG0"]?.meaning == "4KB")
        #expect(fields["PS"]?.meaning == "40 bits, 1TB")
        #expect(fields["VS"]?.value == 0)
    }

    @Test func parSuccess() throws {
        let decoded = FieldCatalog.decodePAR_EL1(0xFF00_0000_8000_1380)
        let fields = Dictionary(uniqueKeysWithValues: decoded.map { ($0.field.name, $0) })
        #expect(fields["F"]?.value == 0)
        #expect(fields["FST"] == nil)
        #expect(fields["PA[47:12]"]?.value == 0x80001)
        #expect(fields["SH"]?.meaning == "Inner Shareable")
        #expect(fields["NS"]?.value == 1)
        #expect(fields["ATTR"]?.value == 0xFF)
        #expect(fields["D128"]?.meaning == "64-bit format")
    }

    @Test func parFault() throws {
        // F=1, FST=0b000101, S=1 (stage 2), RES1 bit 11.
        let decoded = FieldCatalog.decodePAR_EL1(0xA0B)
        let fields = Dictionary(uniqueKeysWithValues: decoded.map { ($0.field.name, $0) })
        #expect(fields["F"]?.value == 1)
        #expect(fields["FST"]?.value == 0b000101)
        #expect(fields["FST"]?.meaning == "Translation fault, level 1")
        #expect(fields["S"]?.meaning == "Stage 2")
        #expect(fields["PTW"]?.value == 0)
        #expect(fields["ATTR"] == nil)
        #expect(FieldCatalog.layout(for: "PAR_EL1.F1")?.decode(0xA0B) == decoded)
    }

    @Test func par128BitSuccess() throws {
        let value = (UInt128(0x80000) << 76) | (UInt128(1) << 64) | (UInt128(0x44) << 56)
        let fields = Dictionary(
            uniqueKeysWithValues: FieldCatalog.decodePAR_EL1(value).map { ($0.field.name, $0) })
        #expect(fields["PA"]?.value == 0x80000)
        #expect(fields["D128"]?.meaning == "128-bit format")
        #expect(fields["ATTR"]?.value == 0x44)
    }

    @Test func parFaultStatusCodes() throws {
        let fst = try #require(FieldCatalog.layout(for: "PAR_EL1.F1")?.fields.first { $0.name == "FST" })
        for level in 0...3 {
            #expect(fst.meanings[UInt128(0b000100 + level)] == "Translation fault, level \(level)")
            #expect(fst.meanings[UInt128(0b001000 + level)] == "Access flag fault, level \(level)")
            #expect(fst.meanings[UInt128(0b001100 + level)] == "Permission fault, level \(level)")
            #expect(fst.meanings[UInt128(level)]?.hasPrefix("Address size fault, level \(level)") == true)
        }
    }

    @Test func mmfr2NestedVirtualization() throws {
        let fields = try decode("ID_AA64MMFR2_EL1", 0x0200_0000)
        #expect(fields["NV"]?.value == 2)
        #expect(fields["NV"]?.meaning == "FEAT_NV2")
    }

    @Test func pfr1MTE3() throws {
        let fields = try decode("ID_AA64PFR1_EL1", 0x300)
        #expect(fields["MTE"]?.meaning == "FEAT_MTE3")
        #expect(fields["BT"]?.meaning == "Not implemented")
    }

    @Test func mmfr0RangesAndGranules() throws {
        let fields = try decode("ID_AA64MMFR0_EL1", 0xF000_0026)
        #expect(fields["PARange"]?.meaning == "52 bits, 4PB (FEAT_LPA)")
        #expect(fields["ASIDBits"]?.meaning == "16 bits")
        #expect(fields["TGran4"]?.meaning == "Not supported")
        #expect(fields["TGran64"]?.meaning == "Supported")
    }

    @Test func mmfr4WithoutE2H0() throws {
        let fields = try decode("ID_AA64MMFR4_EL1", 0x0E00_0000)
        #expect(fields["E2H0"]?.meaning == "FEAT_E2H0 not implemented; HCR_EL2.NV1 is RES0")
    }

    @Test func cptrLayoutsDependOnE2H() throws {
        let vhe = try decode("CPTR_EL2", 0x0030_0000)
        #expect(vhe["FPEN"]?.meaning == "No trap")
        let nvhe = try decode("CPTR_EL2.E2H0", 0x400)
        #expect(nvhe["TFP"]?.value == 1)
        #expect(nvhe["FPEN"] == nil)
    }

    @Test func timerControl() throws {
        let fields = try decode("CNTV_CTL_EL0", 0b101)
        #expect(fields["ENABLE"]?.value == 1)
        #expect(fields["IMASK"]?.value == 0)
        #expect(fields["ISTATUS"]?.value == 1)
    }

    @Test func sctlrEL2SharesTheEL1Layout() throws {
        #expect(FieldCatalog.layout(for: "SCTLR_EL2") == FieldCatalog.layout(for: "SCTLR_EL1"))
        let fields = try decode("SCTLR_EL1", 0x1005)
        #expect(fields["M"]?.value == 1 && fields["C"]?.value == 1 && fields["I"]?.value == 1)
    }

    @Test func tcrEL2IsTheE2H0View() throws {
        let fields = try decode("TCR_EL2", 0x2_0000)
        #expect(fields["PS"]?.meaning == "40 bits, 1TB")
        #expect(fields["T1SZ"] == nil)
    }
}
