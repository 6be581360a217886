import SysRegs
import Testing

/// Stage 2 and the combined walk: the guest hypervisor's stage 2 (VTTBR_EL2, VTCR_EL2) under the EL1&0
/// regime, with exact PAR_EL1 values, S and PTW included.
@Suite struct TranslationStage2Tests {
    typealias F = TranslationFixture

    /// Stage 1 maps VA 0x1000 → IPA 0x4050_0000, VA 0x2000 → IPA 0x9000_0000 (no stage 2 entry) and
    /// VA 0x3000 → IPA 2^41 (outside the 40-bit IPA space); stage 2 maps RAM IPA == PA.
    func fixture() -> (F, TranslationTableBuilder) {
        var f = F()
        f.map(0x1000, to: 0x4050_0000)
        f.map(0x2000, to: 0x9000_0000)
        f.map(0x3000, to: 1 << 41)
        let s2 = f.enableStage2()
        f.install(s2)
        return (f, s2)
    }

    @Test func s12ReachesThePhysicalAddressAndCombinesAttributes() throws {
        var (f, s2) = fixture()
        s2.map(0x4050_0000, to: 0x4070_0000, level: 3, attributes: F.s2Leaf)
        f.install(s2)
        let s12 = try f.translate(0x1234, .S12E1R)
        #expect(s12.par == F.parWB(0x4070_0000))
        #expect(s12.stage1Output == 0x4050_0234)
        #expect(s12.outputAddress == 0x4070_0234)
        // Each stage 1 table fetch took a stage 2 walk (3 levels, concatenated start) before its own step.
        #expect(s12.steps.map(\.stage) == [2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2])
        // S1E1R stops at the IPA, with stage 1's attributes.
        #expect(try f.translate(0x1234, .S1E1R).par == F.parWB(0x4050_0000))
    }

    @Test func stage2NonCacheableMakesTheResultNonCacheable() throws {
        var (f, s2) = fixture()
        s2.map(0x4050_0000, to: 0x4050_0000, level: 3, attributes: F.s2Leaf & ~(0xF << 2) | 0b0101 << 2)
        f.install(s2)
        #expect(try f.translate(0x1000, .S12E1R).par == 0x4400_0000_4050_0B00)
    }

    @Test func stage2ReadOnlyRefusesS12Writes() throws {
        var (f, s2) = fixture()
        s2.map(0x4050_0000, to: 0x4050_0000, level: 3, attributes: F.s2Leaf & ~(0b10 << 6))
        f.install(s2)
        #expect(try f.translate(0x1000, .S12E1R).par == F.parWB(0x4050_0000))
        let write = try f.translate(0x1000, .S12E1W)
        #expect(write.par == F.parFault(0b001111, s: true))
        #expect(write.fault?.reason.contains("S2AP") == true)
        // S1E1W does not check stage 2 permissions on the output.
        #expect(try f.translate(0x1000, .S1E1W).par == F.parWB(0x4050_0000))
    }

    @Test func unmappedIPAIsAStage2TranslationFault() throws {
        let (f, _) = fixture()
        // IPA 0x9000_0000 is in the third GB: its level 1 entry (the start level, concatenated tables) is empty.
        #expect(try f.translate(0x2000, .S12E1R).par == F.parFault(0b000101, s: true))
        #expect(try f.translate(0x2000, .S1E1R).par == F.parWB(0x9000_0000))
        #expect(try f.translate(0x3000, .S12E1R).par == F.parFault(0b000100, s: true))
    }

    @Test func stage2FaultOnAStage1TableFetchSetsPTW() throws {
        var (f, s2) = fixture()
        // The stage 1 level 2 table for VA 0x1000 is the second table allocated, at RAM + 0x2000.
        let level2Table = F.ramBase + 0x2000
        s2.setDescriptor(0, for: level2Table, level: 3)
        f.install(s2)
        let result = try f.translate(0x1000, .S1E1R)
        #expect(result.par == F.parFault(0b000111, s: true, ptw: true))
        #expect(result.steps.last?.decision == .stage2Fault)
        #expect(result.steps.last?.level == 2)
        #expect(try f.translate(0x1000, .S12E1W).par == F.parFault(0b000111, s: true, ptw: true))
    }

    @Test func stage2WithoutReadOnAStage1TableIsAPermissionFaultWithPTW() throws {
        var (f, s2) = fixture()
        s2.map(F.ramBase, to: F.ramBase, level: 3, attributes: F.s2Leaf & ~(0b11 << 6))
        f.install(s2)
        #expect(try f.translate(0x1000, .S1E1R).par == F.parFault(0b001111, s: true, ptw: true))
    }

    @Test func stage2AccessFlagAndExternalAbort() throws {
        var (f, s2) = fixture()
        s2.map(0x4050_0000, to: 0x4050_0000, level: 3, attributes: F.s2Leaf & ~(1 << 10))
        f.install(s2)
        #expect(try f.translate(0x1000, .S12E1R).par == F.parFault(0b001011, s: true))
        f.registers.VTTBR_EL2 = 0x8000_0000
        #expect(try f.translate(0x1000, .S1E1R).par == F.parFault(0b010101, s: true, ptw: true))
    }

    @Test func inconsistentSL0IsALevelZeroStage2Fault() throws {
        var (f, _) = fixture()
        f.registers.VTCR_EL2 = f.registers.VTCR_EL2 & ~(3 << 6)  // SL0=0: level 2 for a 40-bit IPA
        #expect(try f.translate(0x1000, .S1E1R).par == F.parFault(0b000100, s: true, ptw: true))
        f.registers.VTCR_EL2 |= 3 << 6  // SL0=0b11 is reserved without FEAT_TTST
        #expect(try f.translate(0x1000, .S1E1R).par == F.parFault(0b000100, s: true, ptw: true))
    }

    @Test func stage2OffMakesS12BehaveAsS1() throws {
        var (f, _) = fixture()
        f.registers.HCR_EL2 = 0
        #expect(try f.translate(0x2000, .S12E1R).par == F.parWB(0x9000_0000))
    }

    @Test func eL2OperationsNeedAnEL2VCPU() throws {
        var f = F()
        f.map(0x1000, to: 0x4040_0000)
        #expect(throws: TranslationError.notAnEL2Operation(.S12E1R)) { try f.translate(0x1000, .S12E1R) }
        #expect(throws: TranslationError.notAnEL2Operation(.S1E2R)) { try f.translate(0x1000, .S1E2R) }
    }

    @Test func attributeCombination() {
        // Stage 1 Write-Back with stage 2 Write-Through: Write-Through with stage 1's allocation hints.
        #expect(MemoryAttributes.combine(stage1: 0xFF, stage2: 0b1010) == 0xBB)
        #expect(MemoryAttributes.combine(stage1: 0xFF, stage2: 0b0001) == 0x04)
        #expect(MemoryAttributes.combine(stage1: 0x04, stage2: 0b0000) == 0x00)
        #expect(MemoryAttributes.combine(stage1: 0x0C, stage2: 0b1111) == 0x0C)
        #expect(MemoryAttributes.combine(stage1: 0x4F, stage2: 0b1111) == 0x4F)
    }
}
