/// Why bytes from the other end of a control socket are not a valid frame. Each reason says what was
/// wrong; the server sends it back as the error reply, the client reports it.
public enum ControlProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame does not start with the magic (an older vmmctl, or not vmmctl at all).
    case badMagic([UInt8])
    /// The peer speaks another protocol version.
    case unsupportedVersion(UInt16)
    /// A frame kind this version does not define, or one that is wrong in this direction.
    case unexpectedKind(UInt8)
    /// The reserved header byte is not zero.
    case reservedNotZero(UInt8)
    /// The payload length exceeds what this direction allows.
    case tooLong(length: UInt32, limit: Int)
    /// The stream ended inside a frame.
    case truncated(what: String, needed: Int, available: Int)
    /// A verb this vmmctl does not know.
    case unknownVerb(String)
    /// A field's value is not allowed.
    case badField(field: String, reason: String)
    /// Bytes left over after the last field of a request.
    case trailingBytes(verb: String, count: Int)

    public var description: String {
        switch self {
        case .badMagic(let bytes):
            let shown = bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "." }.joined()
            return "not a vmmctl control frame (starts with '\(shown)', expected 'VMMC'); "
                + "is the peer an older vmmctl? use the same vmmctl for run and its commands"
        case .unsupportedVersion(let v):
            return "control protocol version \(v) is not supported (this vmmctl speaks version "
                + "\(ControlFrame.version)); use the same vmmctl for run and its commands"
        case .unexpectedKind(let k): return "unexpected control frame kind \(k)"
        case .reservedNotZero(let b): return "control frame reserved byte is \(b), expected 0"
        case .tooLong(let length, let limit):
            return "control frame payload of \(length) bytes exceeds the limit of \(limit)"
        case .truncated(let what, let needed, let available):
            return "control frame cut short: \(what) needs \(needed) bytes, \(available) remain"
        case .unknownVerb(let verb):
            let known = ControlVerb.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown request '\(verb.prefix(64))'; requests are \(known)"
        case .badField(let field, let reason): return "request field \(field): \(reason)"
        case .trailingBytes(let verb, let count):
            return "request '\(verb)' has \(count) bytes after its last field"
        }
    }
}
