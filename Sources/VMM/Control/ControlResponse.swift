/// What the VM sends back for a request: any number of progress frames, then exactly one `ok` or
/// `error` (docs/control-protocol.md).
public enum ControlResponse: Equatable, Sendable {
    /// `done` of `total` bytes written so far (a snapshot's guest RAM).
    case progress(done: UInt64, total: UInt64)
    /// The request succeeded; the body's meaning depends on the request (empty for most).
    case ok([UInt8])
    /// The request failed; the message names the problem and what to do.
    case error(String)

    /// Whether this frame ends the exchange.
    public var isFinal: Bool {
        if case .progress = self { return false }
        return true
    }
}
