/// Why a device tree could not be written or parsed. Parser errors carry the byte offset so a
/// bad blob can be inspected with `xxd`.
public enum FDTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The builder was used out of order or given an invalid name.
    case builder(String)
    /// The blob is shorter than something it needs (the header, or what the header claims).
    case truncated(what: String, needed: Int, available: Int)
    /// The first word is not 0xd00dfeed.
    case badMagic(UInt32)
    /// A version this parser cannot read: it needs the v17 header (`size_dt_struct`), and a blob whose
    /// `last_comp_version` is above 17 is not readable as v17.
    case unsupportedVersion(version: UInt32, lastCompatible: UInt32)
    /// A header field points outside the blob, overlaps the header, or is misaligned.
    case badLayout(String)
    /// The structure block holds something that is not a well-formed token stream.
    case badStructure(offset: Int, reason: String)

    public var description: String {
        switch self {
        case .builder(let message): "device tree builder: \(message)"
        case .truncated(let what, let needed, let available):
            "device tree truncated: \(what) needs \(needed) bytes, blob has \(available)"
        case .badMagic(let magic):
            "not a device tree blob: magic 0x\(String(magic, radix: 16)), expected 0xd00dfeed"
        case .unsupportedVersion(let version, let lastCompatible):
            "unsupported device tree version \(version) (last compatible \(lastCompatible)); this reader needs a v17 layout"
        case .badLayout(let message): "device tree header: \(message)"
        case .badStructure(let offset, let reason):
            "device tree structure block at byte \(offset): \(reason)"
        }
    }
}
