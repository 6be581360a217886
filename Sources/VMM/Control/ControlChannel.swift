/// Frames over one connected control socket (docs/control-protocol.md). Reads are bounded by the
/// socket's timeouts and by the payload limit of the direction, so a peer can neither hang nor
/// balloon the other end.
public final class ControlChannel: @unchecked Sendable {
    // @unchecked: a channel belongs to one connection, served by one thread at a time.
    let socket: UnixSocket
    private var buffer: [UInt8] = []
    /// Set after a failed send: later frames on a dead connection are not attempted (a progress
    /// callback must not wait out the send timeout once per frame).
    private(set) var isBroken = false

    init(_ socket: UnixSocket) { self.socket = socket }

    /// Why no frame could be read.
    public enum ReadFailure: Error, Equatable, CustomStringConvertible {
        /// The peer closed, or said nothing within the receive timeout.
        case closed(afterBytes: Int)
        /// The bytes are not a valid frame.
        case malformed(ControlProtocolError)

        public var description: String {
            switch self {
            case .closed(0): "the connection closed (or timed out) before a frame"
            case .closed(let n): "the connection closed (or timed out) \(n) bytes into a frame"
            case .malformed(let e): e.description
            }
        }
    }

    /// Reads one frame whose payload may be at most `limit` bytes.
    func readFrame(limit: Int) throws(ReadFailure) -> ControlFrame {
        try fill(ControlFrame.headerSize)
        let kind: ControlFrame.Kind
        let length: Int
        do { (kind, length) = try ControlFrame.decodeHeader(buffer, limit: limit) } catch { throw .malformed(error) }
        try fill(ControlFrame.headerSize + length)
        let frame = ControlFrame(
            kind: kind, payload: Array(buffer[ControlFrame.headerSize..<ControlFrame.headerSize + length]))
        buffer.removeFirst(ControlFrame.headerSize + length)
        return frame
    }

    private func fill(_ count: Int) throws(ReadFailure) {
        while buffer.count < count {
            let more = socket.receive(max: min(1 << 20, max(count - buffer.count, 4096)))
            if more.isEmpty { throw .closed(afterBytes: buffer.count) }
            buffer += more
        }
    }

    /// Sends one frame; false (and the channel marked broken) if the peer went away or stopped reading.
    @discardableResult
    func send(_ frame: ControlFrame) -> Bool {
        guard !isBroken else { return false }
        if !socket.send(frame.encoded()) { isBroken = true }
        return !isBroken
    }
}
