import SysRegs
import Testing

/// Stage 1 walks of the EL1&0 regime on hand-built tables, each asserting the exact PAR_EL1 the AT
/// instruction writes (Arm ARM DDI0487, D24.2 "PAR_EL1").
@Suite struct TranslationStage1Tests {
    typealias F = TranslationFixture

    @Test func fourKBPageWalksFourLevels() throws {
        var f = F()
        f.map(0x0000_1234_5678_9000, to: 0x4040_0000)
        let result = try f.translate(0x0000_1234_5678_9ABC)
        #expect(result.par == F.parWB(0x4040_0000))
        #expect(result.outputAddress == 0x4040_0ABC)
        #expect(result.steps.map(\.level) == [0, 1, 2, 3])
        #expect(result.steps.last?.decision == .page(outputAddress: 0x4040_0000, size: 0x1000))
        #expect(result.steps.first?.tableAddress == F.ramBase)
        #expect(result.steps.first?.descriptorAddress == F.ramBase + 0x24 * 8)
    }

    @Test func fourKBBlocksAtLevelsOneAndTwo() throws {
        var f = F()
        f.map(0x0000_0000_4020_0000, to: 0x4060_0000, level: 2)
        f.map(0x0000_0080_0000_0000, to: 0x4000_0000, level: 1)
        #expect(try f.translate(0x4021_2345).par == F.parWB(0x4061_2000))
        #expect(try f.translate(0x4021_2345).outputAddress == 0x4061_2345)
        let gb = try f.translate(0x0000_0080_1234_5678)
        #expect(gb.par == F.parWB(0x5234_5000))
        #expect(gb.steps.last?.decision == .block(outputAddress: 0x4000_0000, size: 1 << 30))
    }

    @Test func sixteenKBPageAndBlock() throws {
        var f = F(granule: .kb16)
        f.map(0x0000_8000_0000_4000, to: 0x4020_8000)
        f.map(0x0000_0000_0200_0000, to: 0x4200_0000, level: 2)
        let page = try f.translate(0x0000_8000_0000_4123)
        #expect(page.par == F.parWB(0x4020_8000))
        #expect(page.outputAddress == 0x4020_8123)
        #expect(page.steps.map(\.level) == [0, 1, 2, 3])
        #expect(try f.translate(0x0200_1234).par == F.parWB(0x4200_1000))
    }

    @Test func sixtyFourKBPageAndBlock() throws {
        var f = F(granule: .kb64)
        f.map(0x0000_0400_0001_0000, to: 0x4030_0000)
        f.map(0x0000_0000_2000_0000, to: 0x6000_0000, level: 2)
        let page = try f.translate(0x0000_0400_0001_4321)
        #expect(page.par == F.parWB(0x4030_4000))
        #expect(page.steps.map(\.level) == [1, 2, 3])
        #expect(try f.translate(0x3234_5678).par == F.parWB(0x7234_5000))
    }

    @Test func blockWhereTheGranuleHasNoneIsATranslationFault() throws {
        var f = F(granule: .kb16)
        // A 16KB granule has no level 1 blocks without FEAT_LPA2: bits [1:0] = 0b01 there are reserved.
        f.stage1.setDescriptor(0x4000_0000 | F.leaf | 0b01, for: 0x0000_0010_0000_0000, level: 1)
        let result = try f.translate(0x0000_0010_0000_0000)
        #expect(result.par == F.parFault(0b000101))
        #expect(result.steps.last?.decision == .reservedEncoding)
    }

    @Test func ttbr1AddressesUseTheUpperTables() throws {
        var f = F()
        f.mapUpper(0xFFFF_0000_0010_0000, to: 0x4040_0000, level: 3, attributes: F.leaf)
        let result = try f.translate(0xFFFF_0000_0010_0F00)
        #expect(result.par == F.parWB(0x4040_0000))
        #expect(result.steps.first?.tableAddress == F.ramBase + 0x10_0000)
        // The same address in the lower range has no mapping: TTBR0's level 0 entry 0 is empty.
        #expect(try f.translate(0x0000_0000_0010_0F00).par == F.parFault(0b000100))
    }

    @Test func accessFlagClearFaultsUnlessHardwareUpdatesIt() throws {
        var f = F()
        f.map(0x1000, to: 0x4040_0000, attributes: F.leaf & ~(1 << 10))
        #expect(try f.translate(0x1000).par == F.parFault(0b001011))
        f.registers.TCR_EL1 |= 1 << 39  // HA, but no FEAT_HAFDBS: still a fault
        #expect(try f.translate(0x1000).par == F.parFault(0b001011))
        f.registers.ID_AA64MMFR1_EL1 = 1
        let updated = try f.translate(0x1000)
        #expect(updated.par == F.parWB(0x4040_0000))
        #expect(updated.notes.contains { $0.contains("AF=0") })
    }

    @Test func readOnlyPagesRefuseWrites() throws {
        var f = F()
        f.map(0x2000, to: 0x4040_0000, attributes: F.leaf | F.apReadOnly)
        #expect(try f.translate(0x2000, .S1E1R).par == F.parWB(0x4040_0000))
        let write = try f.translate(0x2000, .S1E1W)
        #expect(write.par == F.parFault(0b001111))
        #expect(write.fault?.reason.contains("read-only") == true)
    }

    @Test func apTableLimitsEveryLevelBelow() throws {
        var f = F()
        // APTable=0b10 (bit 62) in the new table descriptors: no writes below them.
        f.stage1.map(0x3000, to: 0x4040_0000, level: 3, attributes: F.leaf | F.apEL0, tableBits: 1 << 62)
        #expect(try f.translate(0x3000, .S1E1W).par == F.parFault(0b001111))
        #expect(try f.translate(0x3000, .S1E0R).par == F.parWB(0x4040_0000))
        // With TCR_EL1.HPD0=1 the hierarchical attributes are ignored.
        f.registers.TCR_EL1 |= 1 << 41
        #expect(try f.translate(0x3000, .S1E1W).par == F.parWB(0x4040_0000))
    }

    @Test func el0AccessNeedsAP1() throws {
        var f = F()
        f.map(0x4000, to: 0x4040_0000)
        f.map(0x5000, to: 0x4041_0000, attributes: F.leaf | F.apEL0)
        #expect(try f.translate(0x4000, .S1E0R).par == F.parFault(0b001111))
        #expect(try f.translate(0x5000, .S1E0R).par == F.parWB(0x4041_0000))
        #expect(try f.translate(0x5000, .S1E0W).par == F.parWB(0x4041_0000))
    }

    @Test func panRefusesPrivilegedAccessToEL0PagesOnlyForThePOperations() throws {
        var f = F()
        f.map(0x5000, to: 0x4041_0000, attributes: F.leaf | F.apEL0)
        f.map(0x6000, to: 0x4042_0000)
        f.registers.PSTATE = 1 << 22
        #expect(try f.translate(0x5000, .S1E1RP).par == F.parFault(0b001111))
        #expect(try f.translate(0x5000, .S1E1WP).par == F.parFault(0b001111))
        #expect(try f.translate(0x5000, .S1E1R).par == F.parWB(0x4041_0000))
        #expect(try f.translate(0x6000, .S1E1RP).par == F.parWB(0x4042_0000))
        f.registers.PSTATE = 0
        #expect(try f.translate(0x5000, .S1E1RP).par == F.parWB(0x4041_0000))
    }

    @Test func executeNeverDoesNotChangeADataTranslationButIsReported() throws {
        var f = F()
        f.map(0x7000, to: 0x4043_0000, attributes: F.leaf | F.apEL0 | F.pxn | F.uxn)
        f.map(0x8000, to: 0x4044_0000, attributes: F.leaf | F.apEL0 | F.apReadOnly)
        let xn = try f.translate(0x7000)
        #expect(xn.par == F.parWB(0x4043_0000))
        #expect(xn.permissions?.privilegedExecute == false)
        #expect(xn.permissions?.unprivilegedExecute == false)
        let rx = try f.translate(0x8000)
        #expect(rx.permissions?.text(regime: .el10) == "EL1 r-x EL0 r-x")
        // EL0-writable memory is never privileged-executable; WXN makes writable memory XN.
        #expect(try f.translate(0x7000).permissions?.text(regime: .el10) == "EL1 rw- EL0 rw-")
        f.map(0x9000, to: 0x4045_0000)
        // AP=0b00 with UXN=0 is execute-only at EL0.
        #expect(try f.translate(0x9000).permissions?.text(regime: .el10) == "EL1 rwx EL0 --x")
        f.registers.SCTLR_EL1 |= 1 << 19
        #expect(try f.translate(0x9000).permissions?.text(regime: .el10) == "EL1 rw- EL0 --x")
    }

    @Test func unmappedAddressesFaultAtTheLevelOfTheEmptyEntry() throws {
        var f = F()
        f.map(0x0000_0000_4000_0000, to: 0x4040_0000)
        #expect(try f.translate(0x0000_0000_4000_1000).par == F.parFault(0b000111))
        #expect(try f.translate(0x0000_0000_4020_0000).par == F.parFault(0b000110))
        #expect(try f.translate(0x0000_0000_8000_0000).par == F.parFault(0b000101))
        #expect(try f.translate(0x0000_8000_0000_0000).par == F.parFault(0b000100))
        #expect(try f.translate(0x0000_8000_0000_0000).steps.last?.decision == .invalid)
    }

    @Test func outputAddressBeyondIPSIsAnAddressSizeFault() throws {
        var f = F()
        f.registers.TCR_EL1 = f.registers.TCR_EL1 & ~(7 << 32) | 0b010 << 32  // IPS: 40 bits
        f.map(0x1000, to: 0x100_0000_0000)
        #expect(try f.translate(0x1000).par == F.parFault(0b000011))
        // PARange caps IPS: 48-bit IPS on a 40-bit implementation.
        f.registers.TCR_EL1 |= 0b101 << 32
        f.registers.ID_AA64MMFR0_EL1 = 0b0010
        #expect(try f.translate(0x1000).par == F.parFault(0b000011))
        f.registers.ID_AA64MMFR0_EL1 = 0b0101
        #expect(try f.translate(0x1000).par == F.parWB(0x100_0000_0000))
    }

    @Test func addressesOutsideBothRangesAreLevelZeroTranslationFaults() throws {
        var f = F()
        f.map(0x1000, to: 0x4040_0000)
        let gap = try f.translate(0x0001_0000_0000_1000)
        #expect(gap.par == F.parFault(0b000100))
        #expect(gap.steps.isEmpty)
        // Top Byte Ignore: the tag no longer counts.
        #expect(try f.translate(0x5A00_0000_0000_1000).par == F.parFault(0b000100))
        f.registers.TCR_EL1 |= 1 << 37
        #expect(try f.translate(0x5A00_0000_0000_1000).par == F.parWB(0x4040_0000))
    }

    @Test func epdDisablesTheWalk() throws {
        var f = F()
        f.map(0x1000, to: 0x4040_0000)
        f.registers.TCR_EL1 |= 1 << 7
        #expect(try f.translate(0x1000).par == F.parFault(0b000100))
    }

    @Test func reservedGranuleIsAClearError() throws {
        var f = F()
        f.registers.TCR_EL1 |= 0b11 << 14
        #expect(throws: TranslationError.reservedGranule(register: "TCR_EL1", field: "TG0", value: 3)) {
            try f.translate(0x1000)
        }
        f.registers.TCR_EL1 &= ~(0b11 << 30)
        #expect(throws: TranslationError.reservedGranule(register: "TCR_EL1", field: "TG1", value: 0)) {
            try f.translate(0xFFFF_0000_0000_0000)
        }
    }

    @Test func tableOutsideRAMIsAnExternalAbortOnTheWalk() throws {
        var f = F()
        f.stage1.setDescriptor(0x8000_0000 | 0b11, for: 0x1000, level: 0)
        let result = try f.translate(0x1000)
        #expect(result.par == F.parFault(0b010101))
        #expect(result.steps.last?.decision == .notInMemory)
        f.registers.TTBR0_EL1 = 0x1_0000_0000
        #expect(try f.translate(0x1000).par == F.parFault(0b010100))
        // BADDR beyond the 40-bit IPS (bits [63:48] would be the ASID).
        f.registers.TCR_EL1 = f.registers.TCR_EL1 & ~(7 << 32) | 0b010 << 32
        f.registers.TTBR0_EL1 = 0x100_0000_0000
        #expect(try f.translate(0x1000).par == F.parFault(0b000000))
    }

    @Test func aLoopOfTablesEndsAtLevelThree() throws {
        var f = F()
        // Entry 0 of the root points at the root itself: every level reads it again and level 3 takes it
        // as a page descriptor whose output address is the root table.
        f.stage1.setDescriptor(F.ramBase | 1 << 10 | 0b11, for: 0, level: 0)
        let result = try f.translate(0x0123)
        #expect(result.steps.count == 4)
        #expect(result.par == 0xFF00_0000_0000_0A00 | F.ramBase)
        #expect(result.outputAddress == F.ramBase + 0x123)
    }

    @Test func stage1OffIsFlatDeviceMemory() throws {
        var f = F()
        f.registers.SCTLR_EL1 = 0
        #expect(try f.translate(0x4321_5678).par == 0x0000_0000_4321_5B00)
        #expect(try f.translate(1 << 50).par == F.parFault(0b000000))
    }

    @Test func attributesComeFromMAIR() throws {
        var f = F()
        f.map(0x1000, to: 0x0900_0000, attributes: F.leaf | 1 << 2)  // Attr1: Device-nGnRnE
        f.map(0x2000, to: 0x4040_0000, attributes: F.leaf | 2 << 2)  // Attr2: Normal Non-cacheable
        // Device and Non-cacheable memory report Outer Shareable whatever the descriptor says.
        #expect(try f.translate(0x1000).par == 0x0000_0000_0900_0B00)
        #expect(try f.translate(0x2000).par == 0x4400_0000_4040_0B00)
    }
}
