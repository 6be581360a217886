/// A bounds-checked cursor over a control payload: every read checks the bytes left and throws, so
/// any input yields a `ControlProtocolError`, never a trap.
public struct ControlFieldReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func raw(_ count: Int, _ field: String) throws(ControlProtocolError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw .truncated(what: field, needed: count, available: remaining)
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func u8(_ field: String) throws(ControlProtocolError) -> UInt8 { try integer(UInt8.self, field) }
    mutating func u16(_ field: String) throws(ControlProtocolError) -> UInt16 { try integer(UInt16.self, field) }
    mutating func u32(_ field: String) throws(ControlProtocolError) -> UInt32 { try integer(UInt32.self, field) }
    mutating func u64(_ field: String) throws(ControlProtocolError) -> UInt64 { try integer(UInt64.self, field) }

    /// A u32 byte count plus that many bytes of valid UTF-8 (the count is checked against the bytes left).
    mutating func string(_ field: String) throws(ControlProtocolError) -> String {
        let length = Int(try u32("\(field) length"))
        let utf8 = try raw(length, field)
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw .badField(field: field, reason: "not valid UTF-8")
        }
        return text
    }

    /// A host path: a non-empty string without NUL (which no path can hold).
    mutating func path(_ field: String) throws(ControlProtocolError) -> String {
        let text = try string(field)
        guard !text.isEmpty else { throw .badField(field: field, reason: "empty path") }
        guard !text.utf8.contains(0) else { throw .badField(field: field, reason: "path contains a NUL byte") }
        return text
    }

    /// A one-byte enumeration value.
    mutating func enumeration<E: RawRepresentable & CaseIterable>(
        _ type: E.Type, _ field: String
    ) throws(ControlProtocolError) -> E where E.RawValue == UInt8 {
        let raw = try u8(field)
        guard let value = E(rawValue: raw) else {
            throw .badField(field: field, reason: "value \(raw) is not one of 0..<\(E.allCases.count)")
        }
        return value
    }

    private mutating func integer<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, _ field: String
    ) throws(ControlProtocolError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw .truncated(what: field, needed: size, available: remaining) }
        var value: T = 0
        for i in 0..<size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += size
        return value
    }
}
