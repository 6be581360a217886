import SysRegs

/// The AT probe's translation tables and case matrix (DemoGuest+ATProbe.swift), placed at `tablesBase`:
/// TTBR0_EL1's 4KB tables at +0, TTBR1_EL1's 64KB tables at +0x10000, stage 2's 4KB tables at +0x80000.
/// Stage 2 maps the whole 1 MiB table region IPA == PA, so stage 1 table addresses are both.
struct ATProbeLayout {
    let tablesBase: UInt64
    /// For the EL1 probe, which runs with its own MMU on: the 2 MiB block of its code and the UART page
    /// to map identically (and no stage 2 cases, which are UNDEFINED at EL1).
    var identityMap: (code: UInt64, uart: UInt64)?

    /// Attr0 Normal Write-Back, Attr1 Device-nGnRnE, Attr2 Normal Non-cacheable.
    static let mair: UInt64 = 0x44_00FF
    /// T0SZ=T1SZ=16, TG0 4KB, TG1 64KB (0b11), IRGN/ORGN Write-Back, SH Inner, IPS 0b010 (40 bits).
    static let tcr: UInt64 = 0x2_F510_3510
    /// T0SZ=24 (40-bit IPA), SL0=0b01 (level 1: two concatenated tables), walks Write-Back Inner
    /// Shareable, TG0 4KB, PS 0b010 (40 bits), bit 31 RES1.
    static let vtcr: UInt64 = 0x8002_3558

    /// Stage 1 leaf: AF [10], SH Inner Shareable [9:8], AttrIndx 0, AP=0b00.
    static let leaf: UInt64 = 0x700
    /// Stage 2 leaf: AF, SH Inner Shareable, S2AP read/write [7:6], MemAttr Normal Write-Back [5:2].
    static let s2Leaf: UInt64 = 0x7FC

    var ttbr0: UInt64 { tablesBase }
    var ttbr1: UInt64 { tablesBase + 0x1_0000 }
    var vttbr: UInt64 { tablesBase + 0x8_0000 }
    /// Output pages inside the stage-2-mapped region; `out2` is read-only at stage 2.
    var out1: UInt64 { tablesBase + 0xF_0000 }
    var out2: UInt64 { tablesBase + 0xF_1000 }

    /// The case matrix the probe runs, in order: at EL1 without the S12 cases and the stage 2 table fault.
    var cases: [DemoGuest.ATProbeCase] {
        guard identityMap != nil else { return allCases }
        return allCases.filter { !$0.operation.includesStage2 && $0.address != 0x100_0000_0000 }
    }

    /// Every case, in the order the EL2 probe runs and prints them.
    var allCases: [DemoGuest.ATProbeCase] {
        let c = DemoGuest.ATProbeCase.init
        return [
            c(.S1E1R, 0x1234), c(.S1E1W, 0x1234), c(.S12E1R, 0x1234),  // 4KB page, stage 2 to the PA
            c(.S1E1R, 0x21_2345), c(.S1E1R, 0x80_1234_5678),  // 2MB and 1GB blocks
            c(.S1E1R, 0x2000),  // AF clear
            c(.S1E1R, 0x3000), c(.S1E1W, 0x3000),  // read-only
            c(.S1E0R, 0x4000),  // no EL0 access
            c(.S1E0R, 0x5000), c(.S1E0W, 0x5000),  // EL0 read/write, UXN|PXN
            c(.S1E1R, 0x6000), c(.S1E1R, 0x4000_0000_0000),  // unmapped at level 3 and level 0
            c(.S1E1R, 0x7000),  // output address beyond IPS
            c(.S1E1R, 0x0001_0000_0000_0000),  // outside both VA ranges
            c(.S12E1R, 0x8000), c(.S12E1W, 0x8000),  // stage 2 read-only
            c(.S1E1R, 0x9000), c(.S12E1R, 0x9000),  // IPA unmapped at stage 2
            c(.S1E1R, 0x100_0000_0000), c(.S12E1R, 0x100_0000_0000),  // stage 2 fault on a stage 1 table
            c(.S1E1R, 0xA000), c(.S12E1R, 0xB000),  // Device, Non-cacheable
            c(.S1E1R, 0xFFFF_0000_0001_4321), c(.S1E1R, 0xFFFF_0000_2345_6789),  // 64KB page and 512MB block
        ]
    }

    /// The tables, as the bytes of the 1 MiB region at `tablesBase`.
    func tables() -> PhysicalMemoryImage {
        let image = PhysicalMemoryImage(base: tablesBase, size: DemoGuest.probeTablesSize)
        var s1 = TranslationTableBuilder(memory: image, granule: .kb4, inputSize: 48, root: ttbr0)
        s1.map(0x1000, to: out1, level: 3, attributes: Self.leaf)
        s1.map(0x20_0000, to: 0x4060_0000, level: 2, attributes: Self.leaf)
        s1.map(0x80_0000_0000, to: 0x4000_0000, level: 1, attributes: Self.leaf)
        s1.map(0x2000, to: out1, level: 3, attributes: Self.leaf & ~(1 << 10))
        s1.map(0x3000, to: out1, level: 3, attributes: Self.leaf | 0b10 << 6)
        s1.map(0x4000, to: out1, level: 3, attributes: Self.leaf)
        s1.map(0x5000, to: out1, level: 3, attributes: Self.leaf | 0b01 << 6 | 1 << 53 | 1 << 54)
        s1.map(0x7000, to: 1 << 41, level: 3, attributes: Self.leaf)
        s1.map(0x8000, to: out2, level: 3, attributes: Self.leaf)
        s1.map(0x9000, to: 0x1_0000_0000, level: 3, attributes: Self.leaf)
        s1.map(0xA000, to: out1, level: 3, attributes: Self.leaf | 1 << 2)
        s1.map(0xB000, to: out1, level: 3, attributes: Self.leaf | 2 << 2)
        // Level 0 entry 2 points at a level 1 table at an IPA stage 2 does not map.
        s1.setDescriptor(0x2_0000_0000 | 0b11, for: 0x100_0000_0000, level: 0)
        if let identity = identityMap {
            // Code: Normal Write-Back, EL1 read/write/execute. UART: Device-nGnRnE, never executable.
            s1.map(identity.code & ~0x1F_FFFF, to: identity.code & ~0x1F_FFFF, level: 2, attributes: Self.leaf)
            s1.map(identity.uart, to: identity.uart, level: 3, attributes: Self.leaf | 1 << 2 | 1 << 53 | 1 << 54)
        }
        var upper = TranslationTableBuilder(memory: s1.memory, granule: .kb64, inputSize: 48, root: ttbr1)
        upper.map(0xFFFF_0000_0001_0000, to: out1, level: 3, attributes: Self.leaf)
        upper.map(0xFFFF_0000_2000_0000, to: 0x6000_0000, level: 2, attributes: Self.leaf)
        var s2 = TranslationTableBuilder(
            memory: upper.memory, granule: .kb4, inputSize: 40, startLevel: 1, root: vttbr)
        for page in stride(from: tablesBase, to: tablesBase + UInt64(DemoGuest.probeTablesSize), by: 0x1000) {
            s2.map(page, to: page, level: 3, attributes: Self.s2Leaf)
        }
        s2.map(out2, to: out2, level: 3, attributes: Self.s2Leaf & ~(0b10 << 6))
        return s2.memory
    }
}
