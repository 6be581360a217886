/// A named bit field of a register (Arm ARM register descriptions, "Field descriptions").
public struct BitField: Hashable, Sendable {
    /// The verbatim field name (`E2H`); a field Arm names by its bit range keeps the range (`M[3:0]`, `M[4]`).
    public let name: String
    /// Most significant bit, inclusive.
    public let msb: Int
    /// Least significant bit.
    public let lsb: Int
    /// A short description of what the field controls.
    public let summary: String
    /// Meanings of particular values (`0b1001` → `EL2h`). Values not listed print as numbers.
    public let meanings: [UInt128: String]

    public init(_ name: String, _ msb: Int, _ lsb: Int, _ summary: String = "", meanings: [UInt128: String] = [:]) {
        precondition(msb >= lsb && lsb >= 0 && msb < 128)
        self.name = name
        self.msb = msb
        self.lsb = lsb
        self.summary = summary
        self.meanings = meanings
    }

    /// A single-bit field.
    public init(_ name: String, bit: Int, _ summary: String = "", meanings: [UInt128: String] = [:]) {
        self.init(name, bit, bit, summary, meanings: meanings)
    }

    public var width: Int { msb - lsb + 1 }

    /// The field's value within `registerValue`.
    public func extract(from registerValue: UInt128) -> UInt128 {
        let mask: UInt128 = width >= 128 ? ~0 : (UInt128(1) << UInt128(width)) - 1
        return (registerValue >> UInt128(lsb)) & mask
    }

    /// `[39:36]` or `[34]`.
    public var bitsText: String { msb == lsb ? "[\(lsb)]" : "[\(msb):\(lsb)]" }
}

/// A field of a particular value, decoded.
public struct DecodedField: Hashable, Sendable {
    public let field: BitField
    public let value: UInt128
    /// The meaning of this value, if the field lists one.
    public var meaning: String? { field.meanings[value] }
}

/// The fields of one register, most significant first.
public struct FieldLayout: Hashable, Sendable {
    public let fields: [BitField]

    public init(_ fields: [BitField]) { self.fields = fields.sorted { $0.lsb > $1.lsb } }

    /// Splits `value` into its fields.
    public func decode(_ value: UInt128) -> [DecodedField] {
        fields.map { DecodedField(field: $0, value: $0.extract(from: value)) }
    }
}
