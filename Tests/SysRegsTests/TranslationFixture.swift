import SysRegs

/// Hand-built page tables for the walker tests: 16 MiB of guest RAM at 0x4000_0000, stage 1 tables from
/// its start, stage 2 tables from 8 MiB in.
struct TranslationFixture {
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize = 16 << 20
    /// Attr0 Normal Write-Back (0xFF), Attr1 Device-nGnRnE (0x00), Attr2 Normal Non-cacheable (0x44).
    static let mair: UInt64 = 0x44_00FF

    /// Stage 1 leaf bits: AF, Inner Shareable, AttrIndx 0, AP=0b00 (EL1 read/write, no EL0).
    static let leaf: UInt64 = 0x700
    static let apEL0: UInt64 = 0b01 << 6
    static let apReadOnly: UInt64 = 0b10 << 6
    static let pxn: UInt64 = 1 << 53
    static let uxn: UInt64 = 1 << 54
    /// Stage 2 leaf bits: AF, Inner Shareable, S2AP read/write, MemAttr Normal Write-Back (0b1111).
    static let s2Leaf: UInt64 = 0x7FC
    /// PAR_EL1 of a success with Attr 0xFF, Inner Shareable: ATTR, bit 11 (RES1), NS, SH=0b11.
    static func parWB(_ pa: UInt64) -> UInt64 { 0xFF00_0000_0000_0B80 | pa & 0xFFFF_FFFF_F000 }

    /// PAR_EL1 of a fault: F, FST, PTW, S, bit 11 (RES1).
    static func parFault(_ fst: UInt64, s: Bool = false, ptw: Bool = false) -> UInt64 {
        1 | fst << 1 | (ptw ? 0x100 : 0) | (s ? 0x200 : 0) | 0x800
    }

    var stage1: TranslationTableBuilder
    var registers = TranslationRegisters()

    /// Stage 1 for the EL1&0 regime with 48-bit VAs (T0SZ=T1SZ=16), `granule` in both ranges, 48-bit IPS,
    /// MMU on; TTBR1's tables start 1 MiB in.
    init(granule: TranslationGranule = .kb4, inputSize: Int = 48) {
        let image = PhysicalMemoryImage(base: Self.ramBase, size: Self.ramSize)
        stage1 = TranslationTableBuilder(memory: image, granule: granule, inputSize: inputSize, root: Self.ramBase)
        let tg0: UInt64 = granule == .kb4 ? 0b00 : (granule == .kb64 ? 0b01 : 0b10)
        let tg1: UInt64 = granule == .kb4 ? 0b10 : (granule == .kb64 ? 0b11 : 0b01)
        let tnsz = UInt64(64 - inputSize)
        registers.TCR_EL1 = tnsz | tg0 << 14 | tnsz << 16 | tg1 << 30 | 0b101 << 32
        registers.TTBR0_EL1 = Self.ramBase
        registers.TTBR1_EL1 = Self.ramBase + 0x10_0000
        registers.SCTLR_EL1 = 1
        registers.MAIR_EL1 = Self.mair
        registers.MAIR_EL2 = Self.mair
    }

    /// TTBR1's tables: a second builder over the same image.
    mutating func mapUpper(_ va: UInt64, to pa: UInt64, level: Int, attributes: UInt64) {
        var upper = TranslationTableBuilder(
            memory: stage1.memory, granule: stage1.granule, inputSize: stage1.inputSize,
            root: registers.TTBR1_EL1)
        upper.map(va, to: pa, level: level, attributes: attributes)
        stage1.reuse(upper.memory)
    }

    @discardableResult
    mutating func map(_ va: UInt64, to pa: UInt64, level: Int = 3, attributes: UInt64 = leaf) -> UInt64? {
        stage1.map(va, to: pa, level: level, attributes: attributes)
    }

    func translate(_ va: UInt64, _ op: ATOperation = .S1E1R) throws -> TranslationResult {
        try TranslationWalker(memory: stage1.memory, registers: registers).translate(va, operation: op)
    }

    /// Turns on stage 2 (an EL2 vCPU, HCR_EL2.VM=1) with a 40-bit IPA space, 4KB granule, start level 1
    /// (two concatenated tables), mapping all of RAM IPA == PA with 4KB pages. Call after stage 1 is built.
    /// Returns the stage 2 builder so a test can change entries (then `install` it).
    mutating func enableStage2(sl0: UInt64 = 0b01) -> TranslationTableBuilder {
        registers.hasEL2 = true
        registers.HCR_EL2 = 1
        registers.VTCR_EL2 = 24 | sl0 << 6 | 0x2_0000
        registers.VTTBR_EL2 = Self.ramBase + 0x80_0000
        var s2 = TranslationTableBuilder(
            memory: stage1.memory, granule: .kb4, inputSize: 40, startLevel: 1, root: registers.VTTBR_EL2)
        var page = Self.ramBase
        while page < Self.ramBase + UInt64(Self.ramSize) {
            s2.map(page, to: page, level: 3, attributes: Self.s2Leaf)
            page += 0x1000
        }
        return s2
    }

    mutating func install(_ stage2: TranslationTableBuilder) { stage1.reuse(stage2.memory) }
}
