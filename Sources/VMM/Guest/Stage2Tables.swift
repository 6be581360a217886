/// A stage-2 translation table for the nested demo's guest hypervisor: 4 KiB granule, 39-bit IPA space,
/// walk starting at level 1, 4 KiB page mappings only. Built in Swift and loaded as data with the program.
///
/// Arm ARM DDI0487 D8.3 "Translation table descriptor formats" and D8.5 "Memory region attributes":
/// - table descriptor (levels 0-2): bits[1:0] = 0b11, next-level table address in bits[47:12];
/// - page descriptor (level 3): bits[1:0] = 0b11, output address in bits[47:12], stage-2 lower attributes
///   MemAttr[5:2], S2AP[7:6], SH[9:8], AF[10]; upper attribute XN in bit 54.
struct Stage2Tables {
    /// VTCR_EL2.T0SZ = 25: a 2^39-byte IPA space, which one full level-1 table (512 × 1 GiB) covers, so no
    /// concatenated tables are needed (D8.2.6 "Concatenated translation tables", not used here).
    static let inputAddressBits = 39
    /// VTCR_EL2.SL0 = 0b01: with TG0 = 4 KiB, the walk starts at level 1.
    static let startLevel = 1
    static let pageSize: UInt64 = 0x1000
    static let entriesPerTable = 512

    static let validTableOrPage: UInt64 = 0b11
    /// MemAttr[5:2] = 0b1111: Normal, Outer and Inner Write-Back Cacheable (with HCR_EL2.FWB = 0).
    static let memAttrNormalWriteBack: UInt64 = 0b1111 << 2
    /// MemAttr[5:2] = 0b0000: Device-nGnRnE.
    static let memAttrDeviceNGnRnE: UInt64 = 0b0000 << 2
    /// S2AP[7:6] = 0b11: read/write.
    static let s2apReadWrite: UInt64 = 0b11 << 6
    /// SH[9:8] = 0b11: Inner Shareable.
    static let shInnerShareable: UInt64 = 0b11 << 8
    /// AF[10]: set, so the first access does not fault (no hardware Access flag management is assumed).
    static let accessFlag: UInt64 = 1 << 10
    /// XN[54] (bits[54:53] = 0b10 with FEAT_XNX): not executable at EL1 or EL0.
    static let executeNever: UInt64 = 1 << 54
    /// Output/next-table address bits[47:12].
    static let addressMask: UInt64 = 0x0000_FFFF_FFFF_F000

    /// Page attributes for guest RAM: Normal WB, RW, Inner Shareable, AF.
    static let normalPage = validTableOrPage | memAttrNormalWriteBack | s2apReadWrite | shInnerShareable | accessFlag
    /// Page attributes for an MMIO page: Device-nGnRnE, RW, AF, execute-never.
    static let devicePage = validTableOrPage | memAttrDeviceNGnRnE | s2apReadWrite | accessFlag | executeNever

    /// Where the first (root, level-1) table will be in guest memory; table n is `n` pages further on.
    let baseAddress: UInt64
    /// Each table's 512 descriptors; `tables[0]` is the root.
    private(set) var tables: [[UInt64]]
    /// The level of each table in `tables`.
    private(set) var levels: [Int]

    init(baseAddress: UInt64) {
        self.baseAddress = baseAddress
        tables = [Array(repeating: 0, count: Self.entriesPerTable)]
        levels = [Self.startLevel]
    }

    /// The index of `ipa` in a table at `level` (level 3 resolves bits[20:12], level 1 bits[38:30]).
    static func index(of ipa: UInt64, level: Int) -> Int {
        Int(ipa >> UInt64(12 + 9 * (3 - level)) & 0x1FF)
    }

    /// Maps the 4 KiB page at `ipa` to `pa` with `attributes` (`normalPage` or `devicePage`), adding level-2
    /// and level-3 tables as needed. Returns false if `ipa` is outside the IPA space or not page aligned.
    mutating func mapPage(ipa: UInt64, pa: UInt64, attributes: UInt64) -> Bool {
        guard ipa >> UInt64(Self.inputAddressBits) == 0, ipa % Self.pageSize == 0, pa % Self.pageSize == 0,
            pa & ~Self.addressMask == 0
        else { return false }
        var table = 0
        for level in Self.startLevel..<3 {
            let slot = Self.index(of: ipa, level: level)
            if tables[table][slot] == 0 {
                tables.append(Array(repeating: 0, count: Self.entriesPerTable))
                levels.append(level + 1)
                tables[table][slot] = address(ofTable: tables.count - 1) | Self.validTableOrPage
            }
            table = Int(((tables[table][slot] & Self.addressMask) - baseAddress) / Self.pageSize)
        }
        tables[table][Self.index(of: ipa, level: 3)] = pa | attributes
        return true
    }

    /// The guest physical address of table `n`.
    func address(ofTable n: Int) -> UInt64 { baseAddress + UInt64(n) * Self.pageSize }

    /// Every table, little-endian, one page each, in order.
    var bytes: [UInt8] {
        tables.flatMap { table in
            table.flatMap { entry in (0..<8).map { UInt8(truncatingIfNeeded: entry >> ($0 * 8)) } }
        }
    }
}
