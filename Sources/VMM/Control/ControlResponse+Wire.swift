/// A response as a frame and back (docs/control-protocol.md, "Responses").
extension ControlResponse {
    /// The response as one frame.
    public func frame() -> ControlFrame {
        switch self {
        case .progress(let done, let total):
            var w = SnapshotByteWriter()
            w.u64(done)
            w.u64(total)
            return ControlFrame(kind: .progress, payload: w.bytes)
        case .ok(let body): return ControlFrame(kind: .ok, payload: body)
        case .error(let message): return ControlFrame(kind: .error, payload: Array(message.utf8))
        }
    }

    /// Decodes a response frame; a request frame is not a response.
    public init(frame: ControlFrame) throws(ControlProtocolError) {
        switch frame.kind {
        case .request: throw .unexpectedKind(frame.kind.rawValue)
        case .progress:
            var r = ControlFieldReader(frame.payload)
            let done = try r.u64("progress done")
            let total = try r.u64("progress total")
            guard r.remaining == 0 else { throw .trailingBytes(verb: "progress", count: r.remaining) }
            self = .progress(done: done, total: total)
        case .ok: self = .ok(frame.payload)
        case .error: self = .error(String(decoding: frame.payload, as: UTF8.self))
        }
    }
}
