/// Memory attributes as PAR_EL1.ATTR and PAR_EL1.SH report them (Arm ARM DDI0487, D8.5 "Memory region
/// attributes"; D8.6 "Combining stage 1 and stage 2 attributes", without FEAT_S2FWB).
public enum MemoryAttributes {
    /// Attr<n> of a MAIR_ELx value.
    static func mairAttribute(_ mair: UInt64, index: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: mair >> (8 * (index & 7)))
    }

    /// Device memory in MAIR form: the outer nibble is 0b0000.
    static func isDevice(_ attr: UInt8) -> Bool { attr >> 4 == 0 }

    /// The shareability PAR_EL1 reports: Device and Normal Inner and Outer Non-cacheable memory are always
    /// Outer Shareable (0b10); otherwise the descriptor's SH.
    static func reportedShareability(_ attr: UInt8, sh: UInt64) -> UInt64 {
        isDevice(attr) || attr == 0x44 ? 0b10 : sh
    }

    /// Cacheability class of a MAIR Normal nibble: 0 Non-cacheable, 1 Write-Through, 2 Write-Back.
    private static func rank(mairNibble nibble: UInt8) -> Int {
        switch nibble >> 2 {
        case 0b00: return 1  // Write-Through transient
        case 0b01: return nibble == 0b0100 ? 0 : 2  // 0b0100 Non-cacheable, else Write-Back transient
        case 0b10: return 1
        default: return 2
        }
    }

    /// The stage 1 nibble limited by a stage 2 class (0 NC, 1 WT, 2 WB): the stricter wins, keeping stage 1's
    /// allocation and transient hints.
    private static func combine(mairNibble nibble: UInt8, stage2Rank: Int) -> UInt8 {
        let stage1Rank = rank(mairNibble: nibble)
        if stage2Rank >= stage1Rank { return nibble }
        if stage2Rank == 0 { return 0b0100 }
        // Stage 1 Write-Back, stage 2 Write-Through: the Write-Through form with the same hints.
        return nibble >> 2 == 0b01 ? nibble & 0b0011 : 0b1000 | nibble & 0b0011
    }

    /// Stage 2 MemAttr[1:0] or [3:2] as a class: 0b01 NC, 0b10 WT, 0b11 WB (0b00 treated as NC).
    private static func stage2Rank(_ bits: UInt8) -> Int { bits == 0b11 ? 2 : (bits == 0b10 ? 1 : 0) }

    /// Stage 1 Attr<n> combined with a stage 2 MemAttr[3:0] into the MAIR-form attribute the S12 AT
    /// operations report: Device wins over Normal, the stricter Device type wins (nGnRnE < nGnRE < nGRE <
    /// GRE), and for Normal memory the stricter cacheability of each of inner and outer.
    public static func combine(stage1 attr: UInt8, stage2 memAttr: UInt8) -> UInt8 {
        let stage2Device = memAttr >> 2 == 0
        if isDevice(attr) || stage2Device {
            let type1 = isDevice(attr) ? (attr >> 2) & 3 : 3
            let type2 = stage2Device ? memAttr & 3 : 3
            return min(type1, type2) << 2
        }
        let outer = combine(mairNibble: attr >> 4, stage2Rank: stage2Rank(memAttr >> 2))
        let inner = combine(mairNibble: attr & 0xF, stage2Rank: stage2Rank(memAttr & 3))
        return outer << 4 | inner
    }

    /// The more shareable of two SH values; Outer Shareable (0b10) is the widest domain, then Inner
    /// Shareable (0b11), then Non-shareable.
    public static func combine(shareability sh1: UInt64, _ sh2: UInt64) -> UInt64 {
        func width(_ sh: UInt64) -> Int { sh == 0b10 ? 2 : (sh == 0b11 ? 1 : 0) }
        return width(sh1) >= width(sh2) ? sh1 : sh2
    }
}
