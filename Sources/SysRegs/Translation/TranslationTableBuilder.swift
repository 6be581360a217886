/// Builds VMSAv8-64 translation tables in a `PhysicalMemoryImage`: the walker's tests and the guest
/// payload that proves the walker against the hardware's AT instructions use the same tables.
public struct TranslationTableBuilder: Sendable {
    public private(set) var memory: PhysicalMemoryImage
    public let granule: TranslationGranule
    public let inputSize: Int
    public let startLevel: Int
    /// The start table (VTTBR/TTBR BADDR).
    public let root: UInt64
    /// The next free, granule-aligned table address.
    public private(set) var nextFree: UInt64

    /// Descriptor bits [1:0]: table (levels 0-2) or page (level 3).
    public static let tableOrPage: UInt64 = 0b11
    /// Block descriptor bits [1:0].
    public static let block: UInt64 = 0b01

    /// - Parameters:
    ///   - startLevel: nil for stage 1 (the level the input size implies); stage 2 gives the SL0 level.
    ///   - root: where the start table goes; tables are then allocated upward from `root` plus its size.
    public init(
        memory: PhysicalMemoryImage, granule: TranslationGranule, inputSize: Int, startLevel: Int? = nil,
        root: UInt64
    ) {
        self.memory = memory
        self.granule = granule
        self.inputSize = inputSize
        let start = startLevel ?? granule.startLevel(inputSize: inputSize)
        self.startLevel = start
        self.root = root
        let rootBits = inputSize - granule.indexShift(level: start)
        let rootBytes = max(UInt64(8) << UInt64(rootBits), UInt64(1) << UInt64(granule.pageShift))
        self.nextFree = root + rootBytes
    }

    /// The address of the descriptor for `address` at `level` in the table `table`.
    func entryAddress(table: UInt64, address: UInt64, level: Int) -> UInt64 {
        let shift = granule.indexShift(level: level)
        let bits = level == startLevel ? inputSize - shift : granule.stride
        return table + ((address >> UInt64(shift)) & ((1 << UInt64(bits)) - 1)) * 8
    }

    /// The descriptor address for `address` at `level`, creating the tables above it (with `tableBits`,
    /// for example APTable, in each new table descriptor). Nil when an existing entry on the way is a leaf.
    public mutating func entry(for address: UInt64, level: Int, tableBits: UInt64 = 0) -> UInt64? {
        var table = root
        for current in startLevel..<level {
            let at = entryAddress(table: table, address: address, level: current)
            guard let descriptor = memory.read64(at: at) else { return nil }
            if descriptor & 1 == 0 {
                let next = nextFree
                nextFree += UInt64(1) << UInt64(granule.pageShift)
                memory.write64(next | tableBits | Self.tableOrPage, at: at)
                table = next
            } else if descriptor & 2 != 0 {
                table = descriptor & 0x0000_FFFF_FFFF_FFFF & ~((UInt64(1) << UInt64(granule.pageShift)) - 1)
            } else {
                return nil
            }
        }
        return entryAddress(table: table, address: address, level: level)
    }

    /// Maps `address` to `output` with a leaf at `level` (a page at level 3, a block above), the leaf
    /// carrying `attributes` (AttrIndx, AP, SH, AF, XN... or the stage 2 fields). Returns the leaf's address.
    @discardableResult
    public mutating func map(
        _ address: UInt64, to output: UInt64, level: Int, attributes: UInt64, tableBits: UInt64 = 0
    ) -> UInt64? {
        guard let at = entry(for: address, level: level, tableBits: tableBits) else { return nil }
        let kind = level == 3 ? Self.tableOrPage : Self.block
        memory.write64(output | attributes | kind, at: at)
        return at
    }

    /// Writes a raw descriptor (invalid ones, loops, out-of-range addresses) for `address` at `level`.
    @discardableResult
    public mutating func setDescriptor(_ value: UInt64, for address: UInt64, level: Int) -> UInt64? {
        guard let at = entry(for: address, level: level) else { return nil }
        memory.write64(value, at: at)
        return at
    }

    /// Hands the memory back (for a second builder sharing the image, e.g. stage 2 after stage 1).
    public mutating func reuse(_ image: PhysicalMemoryImage) { memory = image }
}
