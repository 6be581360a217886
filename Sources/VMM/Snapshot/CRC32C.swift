/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF
/// (RFC 3720 appendix B.4; the checksum iSCSI, ext4 and SSE4.2's `crc32` instruction compute).
///
/// Streaming: feed any number of chunks to `update(_:)`, then read `value`. Table-driven with
/// slicing-by-8, so checksumming guest RAM while it is written costs little next to the disk.
public struct CRC32C: Hashable, Sendable {
    /// The running register, before the final XOR.
    private var state: UInt32 = 0xFFFF_FFFF

    /// The register, for extensions that advance it (`appendZeros`).
    var registerValue: UInt32 {
        get { state }
        set { state = newValue }
    }

    public init() {}

    /// The checksum of everything fed so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The checksum of `bytes` in one call.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of `bytes` in one call.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: [UInt8]) { update(contiguous: bytes) }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: ArraySlice<UInt8>) { update(contiguous: bytes) }

    /// Feeds the bytes of `buffer` (guest RAM read in place for a snapshot).
    public mutating func update(_ buffer: UnsafeRawBufferPointer) { update(contiguous: buffer) }

    /// Slicing-by-8: eight table look-ups per eight input bytes, then a byte at a time for the tail.
    /// Plain checked indexing (no unsafe pointers); the optimiser removes most of the checks.
    private mutating func update<C: RandomAccessCollection<UInt8>>(contiguous bytes: C) where C.Index == Int {
        let t = Self.tables
        var crc = state
        var i = bytes.startIndex
        let end = bytes.endIndex
        while end - i >= 8 {
            var low = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            low |= UInt32(bytes[i + 2]) << 16
            low |= UInt32(bytes[i + 3]) << 24
            low ^= crc
            var next = t[7 * 256 + Int(low & 0xFF)]
            next ^= t[6 * 256 + Int((low >> 8) & 0xFF)]
            next ^= t[5 * 256 + Int((low >> 16) & 0xFF)]
            next ^= t[4 * 256 + Int(low >> 24)]
            next ^= t[3 * 256 + Int(bytes[i + 4])]
            next ^= t[2 * 256 + Int(bytes[i + 5])]
            next ^= t[1 * 256 + Int(bytes[i + 6])]
            next ^= t[Int(bytes[i + 7])]
            crc = next
            i += 8
        }
        while i < end {
            crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        state = crc
    }

    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// Eight 256-entry tables, flattened: table 0 is the classic byte-at-a-time table; table k gives
    /// the effect of a byte followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ polynomial : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
