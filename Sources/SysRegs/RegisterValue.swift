/// A register value of any width, as little-endian bytes (the ONE_REG transfer format).
public struct RegisterValue: Hashable, Sendable, CustomStringConvertible {
    /// Little-endian bytes; the count is the register's width in bytes.
    public private(set) var bytes: [UInt8]

    /// A value from raw little-endian bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// A 64-bit (or narrower) value stored in `byteCount` bytes.
    public init(_ value: UInt64, byteCount: Int = 8) {
        bytes = (0..<byteCount).map { $0 < 8 ? UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) : 0 }
    }

    /// A 128-bit value stored in `byteCount` bytes (16 unless narrower).
    public init(u128 value: UInt128, byteCount: Int = 16) {
        bytes = (0..<byteCount).map { $0 < 16 ? UInt8(truncatingIfNeeded: value >> (8 * UInt128($0))) : 0 }
    }

    /// The low 64 bits.
    public var u64: UInt64 {
        bytes.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    /// The low 128 bits.
    public var u128: UInt128 {
        bytes.prefix(16).enumerated().reduce(0) { $0 | UInt128($1.element) << (8 * UInt128($1.offset)) }
    }

    /// Hex, most significant byte first, as wide as the value.
    public var description: String {
        if bytes.count <= 8 { return hex64(u64) }
        if bytes.count == 16 { return hex128(u128) }
        return "0x" + bytes.reversed().map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }
}
