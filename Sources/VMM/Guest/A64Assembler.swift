/// A small A64 assembler: appends 32-bit instructions, binds labels and patches PC-relative branches once
/// every label is known.
///
/// Instruction methods never throw: an operand that cannot be encoded is recorded (the first one wins) and a
/// zero word (`UDF #0`, permanently undefined) takes its place, and `assemble()` reports it. This keeps code
/// that generates a program free of `try` on every line while still refusing to produce a wrong one.
///
/// Layouts come from the Arm ARM DDI0487, chapter C4 "A64 Instruction Set Encoding" and the per-instruction
/// pages in C6; every encoder is checked against GNU as in `A64Tests`.
public struct A64Assembler: Sendable {
    /// How a branch's byte distance goes into the instruction word.
    enum FixupKind: Sendable {
        /// B, BL: imm26 at [25:0], ±128 MiB.
        case imm26
        /// B.cond, CBZ/CBNZ, LDR (literal): imm19 at [23:5], ±1 MiB.
        case imm19
        /// TBZ/TBNZ: imm14 at [18:5], ±32 KiB.
        case imm14
        /// ADR: immlo at [30:29], immhi at [23:5], byte granular, ±1 MiB.
        case adr
    }

    struct Fixup: Sendable {
        let wordIndex: Int
        let label: A64.Label
        let kind: FixupKind
        let instruction: String
    }

    /// The instruction words so far; branch fields are zero until `assemble()` patches them.
    public private(set) var words: [UInt32] = []
    private var labelNames: [String] = []
    private var labelTargets: [Int: Int] = [:]
    private var fixups: [Fixup] = []
    private var firstError: A64.Error?

    public init() {}

    /// Byte offset of the next instruction from the start of the program.
    public var byteOffset: Int { words.count * 4 }

    /// A new, unbound label; `name` appears in error messages.
    public mutating func makeLabel(_ name: String = "") -> A64.Label {
        let label = A64.Label(id: labelNames.count, name: name.isEmpty ? "L\(labelNames.count)" : name)
        labelNames.append(label.name)
        return label
    }

    /// Binds `label` to the current position.
    public mutating func bind(_ label: A64.Label) {
        if labelTargets[label.id] != nil {
            record(.labelBoundTwice(label.name))
            return
        }
        labelTargets[label.id] = words.count
    }

    /// A new label bound to the current position.
    public mutating func here(_ name: String = "") -> A64.Label {
        let label = makeLabel(name)
        bind(label)
        return label
    }

    /// The byte offset `label` is bound to, if it is bound.
    public func byteOffset(of label: A64.Label) -> Int? { labelTargets[label.id].map { $0 * 4 } }

    /// Appends one raw instruction word.
    public mutating func emit(_ word: UInt32) { words.append(word) }

    /// Pads with `UDF #0` words to the next multiple of `alignment` bytes (a power of two, at least 4), so
    /// that a stray jump into the padding faults instead of sliding on.
    public mutating func align(_ alignment: Int) {
        while byteOffset % alignment != 0 { words.append(0) }
    }

    /// Appends raw bytes (strings, tables), zero-padded to a whole instruction word.
    public mutating func data(_ bytes: [UInt8]) {
        var padded = bytes
        while padded.count % 4 != 0 { padded.append(0) }
        for i in stride(from: 0, to: padded.count, by: 4) {
            words.append(
                UInt32(padded[i]) | UInt32(padded[i + 1]) << 8 | UInt32(padded[i + 2]) << 16
                    | UInt32(padded[i + 3]) << 24)
        }
    }

    /// Appends `text` as NUL-terminated ASCII (bytes above 0x7f are replaced by `?`).
    public mutating func asciz(_ text: String) {
        data(text.utf8.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") } + [0])
    }

    /// The finished instruction words with every branch patched.
    /// - Throws: the first encoding problem recorded while emitting, an unbound label, or a branch out of range.
    public func assemble() throws(A64.Error) -> [UInt32] {
        if let firstError { throw firstError }
        var patched = words
        for fixup in fixups {
            guard let target = labelTargets[fixup.label.id] else { throw .unboundLabel(fixup.label.name) }
            let distance = (target - fixup.wordIndex) * 4
            guard let field = Self.field(fixup.kind, distance) else {
                throw .branchOutOfRange(
                    instruction: fixup.instruction, label: fixup.label.name, byteOffset: fixup.wordIndex * 4,
                    distance: distance)
            }
            patched[fixup.wordIndex] |= field
        }
        return patched
    }

    /// The finished program as little-endian bytes (A64 instructions are always little-endian).
    public func assembleBytes() throws(A64.Error) -> [UInt8] {
        try assemble().flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
    }

    /// The bits a branch distance contributes, or nil when it does not fit.
    static func field(_ kind: FixupKind, _ distance: Int) -> UInt32? {
        switch kind {
        case .imm26: signedField(distance, scale: 4, bits: 26, shift: 0)
        case .imm19: signedField(distance, scale: 4, bits: 19, shift: 5)
        case .imm14: signedField(distance, scale: 4, bits: 14, shift: 5)
        case .adr:
            signedField(distance, scale: 1, bits: 21, shift: 0).map { imm in
                (imm & 0x3) << 29 | (imm >> 2 & 0x7_FFFF) << 5
            }
        }
    }

    /// `value / scale` as a `bits`-wide two's complement field shifted left by `shift`, or nil if `value` is
    /// not a multiple of `scale` or out of range.
    static func signedField(_ value: Int, scale: Int, bits: Int, shift: Int) -> UInt32? {
        guard value % scale == 0 else { return nil }
        let scaled = value / scale
        let limit = 1 << (bits - 1)
        guard scaled >= -limit, scaled < limit else { return nil }
        return (UInt32(truncatingIfNeeded: scaled) & UInt32((1 << bits) - 1)) << UInt32(shift)
    }

    /// Emits `word` and asks `assemble()` to patch in the distance to `label`.
    mutating func emit(_ word: UInt32, branchingTo label: A64.Label, kind: FixupKind, instruction: String) {
        fixups.append(Fixup(wordIndex: words.count, label: label, kind: kind, instruction: instruction))
        words.append(word)
    }

    /// Records an encoding problem and emits `UDF #0` in place of the instruction.
    mutating func reject(_ error: A64.Error) {
        record(error)
        words.append(0)
    }

    private mutating func record(_ error: A64.Error) {
        if firstError == nil { firstError = error }
    }
}
