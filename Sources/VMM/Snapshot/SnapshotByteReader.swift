/// A bounds-checked cursor over snapshot bytes. Every read checks the remaining length first and
/// throws instead of trapping, so any input, however malformed, yields an error and never a crash.
struct SnapshotByteReader {
    let bytes: [UInt8]
    /// Where the next read starts (an index into `bytes`, so offsets in errors are file offsets).
    private(set) var offset: Int
    /// One past the last readable byte.
    let end: Int
    /// What is being read, for errors: "file header", "section 'VCPU'".
    let context: String
    /// Whether running out of bytes means the file was cut short (framing) or that a section's
    /// payload is shorter than its fields (a malformed section).
    let endIsTruncation: Bool

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, context: String, endIsTruncation: Bool) {
        self.bytes = bytes
        self.offset = min(max(start, 0), bytes.count)
        self.end = min(max(end ?? bytes.count, self.offset), bytes.count)
        self.context = context
        self.endIsTruncation = endIsTruncation
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset == end }

    /// `count` raw bytes.
    mutating func raw(_ count: Int, _ field: String) throws(SnapshotError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw shortError(field, needed: count) }
        let slice = bytes[offset..<offset + count]
        offset += count
        return slice
    }

    mutating func u8(_ field: String) throws(SnapshotError) -> UInt8 { try integer(UInt8.self, field) }
    mutating func u16(_ field: String) throws(SnapshotError) -> UInt16 { try integer(UInt16.self, field) }
    mutating func u32(_ field: String) throws(SnapshotError) -> UInt32 { try integer(UInt32.self, field) }
    mutating func u64(_ field: String) throws(SnapshotError) -> UInt64 { try integer(UInt64.self, field) }

    /// A boolean byte: exactly 0 or 1.
    mutating func bool(_ field: String) throws(SnapshotError) -> Bool {
        let start = offset
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw malformed("\(field) is \(other), expected 0 or 1", at: start)
        }
    }

    /// A u32 count of elements each at least `minimumSize` bytes long. Checked against the bytes left,
    /// so a corrupt count cannot make the decoder reserve gigabytes.
    mutating func count(_ field: String, minimumSize: Int) throws(SnapshotError) -> Int {
        let start = offset
        let value = Int(try u32(field))
        guard value <= remaining / max(minimumSize, 1) else {
            if endIsTruncation {
                throw .truncated(
                    offset: offset, context: "\(context): \(field) is \(value) but only \(remaining) bytes remain")
            }
            throw malformed(
                "\(field) is \(value), but only \(remaining) bytes remain (each entry needs at least "
                    + "\(minimumSize))", at: start)
        }
        return value
    }

    /// A u32 byte count plus that many bytes of valid UTF-8.
    mutating func string(_ field: String) throws(SnapshotError) -> String {
        let length = try count("\(field) length", minimumSize: 1)
        let start = offset
        let utf8 = try raw(length, field)
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw malformed("\(field) is not valid UTF-8", at: start)
        }
        return text
    }

    /// An error for a bad value read at `at` (default: the current offset).
    func malformed(_ reason: String, at: Int? = nil) -> SnapshotError {
        .malformed(section: context, offset: at ?? offset, reason: reason)
    }

    private mutating func integer<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, _ field: String
    ) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw shortError(field, needed: size) }
        var value: T = 0
        for i in 0..<size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += size
        return value
    }

    private func shortError(_ field: String, needed: Int) -> SnapshotError {
        if endIsTruncation {
            return .truncated(
                offset: offset, context: "\(context): \(field) needs \(needed) bytes, \(remaining) remain")
        }
        return malformed("\(field) needs \(needed) bytes but the payload ends with \(remaining) left")
    }
}
