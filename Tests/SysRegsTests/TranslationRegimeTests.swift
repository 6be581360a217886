import SysRegs
import Testing

/// The EL2 and EL2&0 regimes, and which regime each AT operation uses.
@Suite struct TranslationRegimeTests {
    typealias F = TranslationFixture

    /// An EL2 vCPU whose own tables (TTBR0_EL2) are built like the EL1 ones.
    func el2Fixture(e2h: Bool) -> F {
        var f = F()
        f.registers.hasEL2 = true
        f.registers.HCR_EL2 = e2h ? 1 << 34 : 0
        f.registers.SCTLR_EL2 = 1
        f.registers.TTBR0_EL2 = f.registers.TTBR0_EL1
        f.registers.TTBR1_EL2 = f.registers.TTBR1_EL1
        // E2H=0 layout: T0SZ=16, TG0 4KB, PS 48 bits; E2H=1: the TCR_EL1 layout.
        f.registers.TCR_EL2 = e2h ? f.registers.TCR_EL1 : 16 | 0b101 << 16
        f.registers.SCTLR_EL1 = 0
        return f
    }

    @Test func el2RegimeHasOneRangeAndNoEL0Permissions() throws {
        var f = el2Fixture(e2h: false)
        f.map(0x1000, to: 0x4040_0000, attributes: F.leaf | F.apEL0)
        f.map(0x2000, to: 0x4041_0000, attributes: F.leaf | F.apReadOnly)
        let read = try f.translate(0x1000, .S1E2R)
        #expect(read.regime == .el2)
        #expect(read.par == F.parWB(0x4040_0000))
        #expect(read.permissions?.text(regime: .el2) == "EL2 rwx")
        #expect(try f.translate(0x2000, .S1E2W).par == F.parFault(0b001111))
        #expect(try f.translate(0xFFFF_0000_0000_1000, .S1E2R).par == F.parFault(0b000100))
        // S1E1R at EL2 with E2H=0 still means EL1&0, whose MMU is off here: a flat PA.
        #expect(try f.translate(0x1000, .S1E1R).par == 0x0000_0000_0000_1B00)
    }

    @Test func el20RegimeUsesTTBR1_EL2() throws {
        var f = el2Fixture(e2h: true)
        f.mapUpper(0xFFFF_0000_0010_0000, to: 0x4040_0000, level: 3, attributes: F.leaf)
        let result = try f.translate(0xFFFF_0000_0010_0000, .S1E2R)
        #expect(result.regime == .el20)
        #expect(result.par == F.parWB(0x4040_0000))
        // E0 operations under E2H=1, TGE=1 translate in EL2&0.
        f.registers.HCR_EL2 |= 1 << 27
        #expect(try f.translate(0xFFFF_0000_0010_0000, .S1E0R).par == F.parFault(0b001111))
        #expect(try f.translate(0xFFFF_0000_0010_0000, .S1E0R).regime == .el20)
    }

    @Test func e2h0VCPUsIgnoreHCR_EL2_E2H() throws {
        var f = el2Fixture(e2h: false)
        f.registers.HCR_EL2 = 1 << 34
        f.registers.e2h0 = true
        f.map(0x1000, to: 0x4040_0000)
        #expect(try f.translate(0x1000, .S1E2R).regime == .el2)
    }

    @Test func regimeOfAnExceptionLevel() {
        #expect(TranslationRegime.current(exceptionLevel: 2, hasEL2: true, e2h: true, tge: false) == .el20)
        #expect(TranslationRegime.current(exceptionLevel: 2, hasEL2: true, e2h: false, tge: true) == .el2)
        #expect(TranslationRegime.current(exceptionLevel: 0, hasEL2: true, e2h: true, tge: true) == .el20)
        #expect(TranslationRegime.current(exceptionLevel: 0, hasEL2: true, e2h: true, tge: false) == .el10)
        #expect(TranslationRegime.current(exceptionLevel: 1, hasEL2: false, e2h: false, tge: false) == .el10)
        #expect(TranslationRegime.current(exceptionLevel: 3, hasEL2: true, e2h: false, tge: false) == nil)
        #expect(ATOperation.currentRead(exceptionLevel: 2, regime: .el20) == .S1E2R)
        #expect(ATOperation.currentRead(exceptionLevel: 0, regime: .el20) == .S1E0R)
        #expect(ATOperation.currentRead(exceptionLevel: 1, regime: .el10) == .S1E1R)
    }
}
