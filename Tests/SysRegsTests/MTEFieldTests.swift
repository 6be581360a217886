import SysRegs
import Testing

/// The MTE registers' fields, and the MTE controls of SCTLR_EL1 and HCR_EL2, on values the MTE payload
/// (DemoGuest.mte) sets.
@Suite("MTE fields")
struct MTEFieldTests {
    func decode(_ register: String, _ value: UInt128) throws -> [String: DecodedField] {
        let layout = try #require(FieldCatalog.layout(for: register))
        return Dictionary(uniqueKeysWithValues: layout.decode(value).map { ($0.field.name, $0) })
    }

    @Test func gcrExcludeAndRRND() throws {
        var f = try decode("GCR_EL1", 0x1_0001)
        #expect(f["Exclude"]?.value == 1)
        #expect(f["RRND"]?.value == 1)
        #expect(f["RRND"]?.meaning == "IRG is IMPLEMENTATION DEFINED random")
        f = try decode("GCR_EL1", 0xFFFE)
        #expect(f["Exclude"]?.value == 0xFFFE)
        #expect(f["RRND"]?.value == 0)
    }

    @Test func rgsrTagAndSeed() throws {
        let f = try decode("RGSR_EL1", 0xACE1_05)
        #expect(f["TAG"]?.value == 5)
        #expect(f["SEED"]?.value == 0xACE1)
    }

    @Test("TFSR TF0 and TF1", arguments: ["TFSR_EL1", "TFSRE0_EL1", "TFSR_EL2"])
    func tfsr(_ register: String) throws {
        var f = try decode(register, 0b10)
        #expect(f["TF0"]?.value == 0 && f["TF1"]?.value == 1)
        f = try decode(register, 0b01)
        #expect(f["TF0"]?.value == 1 && f["TF1"]?.value == 0)
    }

    /// SCTLR_EL1 as the payload writes it: M, C, I, TCF = synchronous, ATA.
    @Test func sctlrTagChecking() throws {
        let value = UInt128(0x30D0_1805) | UInt128(1) << 40 | UInt128(1) << 43
        let f = try decode("SCTLR_EL1", value)
        #expect(f["TCF"]?.value == 1)
        #expect(f["TCF"]?.meaning == "Tag Check Faults cause a synchronous exception")
        #expect(f["ATA"]?.value == 1)
        #expect(f["ATA0"]?.value == 0 && f["TCF0"]?.value == 0 && f["TCSO"]?.value == 0 && f["ITFSB"]?.value == 0)
    }

    @Test func hcrMTEControls() throws {
        let value = UInt128(1) << 56 | UInt128(1) << 57
        let f = try decode("HCR_EL2", value)
        #expect(f["ATA"]?.value == 1 && f["DCT"]?.value == 1 && f["TID5"]?.value == 0)
    }

    @Test func everyMTERegisterHasALayout() {
        for name in ["GCR_EL1", "RGSR_EL1", "TFSR_EL1", "TFSRE0_EL1", "TFSR_EL2"] {
            #expect(FieldCatalog.layout(for: name) != nil, "\(name)")
            #expect(RegisterTable.named(name)?.group == .mte, "\(name)")
        }
    }
}
