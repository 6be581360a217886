/// The control protocol's framing (docs/control-protocol.md, "Framing"): a 12-byte header, then a
/// payload whose length the header gives. Every field is length-prefixed, so a request means the same
/// whatever bytes its strings hold (spaces, newlines, a trailing " pause").
///
///     magic "VMMC" | version u16 | kind u8 | reserved u8 (0) | payload length u32 | payload
///
/// Integers are little-endian, like the snapshot format.
public struct ControlFrame: Equatable, Sendable {
    /// What a frame carries.
    public enum Kind: UInt8, Sendable {
        case request = 1
        case progress = 2
        case ok = 3
        case error = 4
    }

    public let kind: Kind
    public let payload: [UInt8]

    public init(kind: Kind, payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }

    static let magic: [UInt8] = Array("VMMC".utf8)
    /// Bumped when a frame or a request's fields change meaning; both ends refuse other versions.
    public static let version: UInt16 = 1
    public static let headerSize = 12
    /// The largest request payload: a verb and a path (PATH_MAX is 4096) fit many times over, and a
    /// client cannot make the server buffer more.
    public static let maxRequestPayload = 64 << 10
    /// The largest reply payload (a register dump of many vCPUs is a few MiB).
    public static let maxReplyPayload = 256 << 20

    /// The frame's bytes: header then payload.
    public func encoded() -> [UInt8] {
        var w = SnapshotByteWriter()
        w.raw(Self.magic)
        w.u16(Self.version)
        w.u8(kind.rawValue)
        w.u8(0)
        w.count(payload.count)
        w.raw(payload)
        return w.bytes
    }

    /// Decodes a header, returning the kind and payload length; `limit` is this direction's payload bound.
    public static func decodeHeader(_ bytes: [UInt8], limit: Int) throws(ControlProtocolError) -> (Kind, Int) {
        guard bytes.count >= headerSize else {
            throw .truncated(what: "frame header", needed: headerSize, available: bytes.count)
        }
        guard Array(bytes[0..<4]) == magic else { throw .badMagic(Array(bytes[0..<4])) }
        var r = ControlFieldReader(Array(bytes[4..<headerSize]))
        let version = try r.u16("version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let rawKind = try r.u8("kind")
        guard let kind = Kind(rawValue: rawKind) else { throw .unexpectedKind(rawKind) }
        let reserved = try r.u8("reserved")
        guard reserved == 0 else { throw .reservedNotZero(reserved) }
        let length = try r.u32("payload length")
        guard Int(length) <= limit else { throw .tooLong(length: length, limit: limit) }
        return (kind, Int(length))
    }

    /// Decodes one whole frame from `bytes` (header and exactly its payload): the fuzz target's entry.
    public static func decode(_ bytes: [UInt8], limit: Int) throws(ControlProtocolError) -> ControlFrame {
        let (kind, length) = try decodeHeader(bytes, limit: limit)
        let available = bytes.count - headerSize
        guard available >= length else { throw .truncated(what: "payload", needed: length, available: available) }
        guard available == length else {
            throw .badField(field: "frame", reason: "\(available - length) bytes after the payload")
        }
        return ControlFrame(kind: kind, payload: Array(bytes[headerSize...]))
    }
}
