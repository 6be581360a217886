/// Appends the snapshot's primitive encodings: little-endian integers, booleans as one byte, strings as a
/// u32 byte count plus UTF-8 (docs/snapshot-format.md, "Encoding").
struct SnapshotByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) { integer(value) }

    mutating func u32(_ value: UInt32) { integer(value) }

    mutating func u64(_ value: UInt64) { integer(value) }

    /// A Swift `Int` count or index, as u32; out-of-range values are clamped (no state holds them).
    mutating func count(_ value: Int) { u32(UInt32(clamping: value)) }

    mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        count(utf8.count)
        raw(utf8)
    }

    /// A 4-character ASCII tag.
    mutating func tag(_ tag: SnapshotTag) { raw(tag.bytes) }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// Overwrites four bytes at `offset` (a length or checksum patched in after the fact).
    mutating func patch(u32 value: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    /// Overwrites eight bytes at `offset`.
    mutating func patch(u64 value: UInt64, at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        var v = value
        for _ in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }
}
