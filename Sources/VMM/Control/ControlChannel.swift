/// The control protocol's framing over a Unix socket (docs/control-protocol.md):
///
///     request:   VERB [ARGUMENT]\n
///     response:  zero or more  PROGRESS <done> <total>\n
///                then          OK <length>\n<length bytes>   or   ERR <length>\n<length bytes of message>
///
/// Line-based headers keep it debuggable with `socat`; length-prefixed bodies carry binary state.
public final class ControlChannel {
    let socket: UnixSocket
    private var buffer: [UInt8] = []

    init(_ socket: UnixSocket) { self.socket = socket }

    /// The largest header line accepted: a malformed peer cannot make us buffer without bound.
    static let maxLine = 4096
    /// The largest body accepted (a register dump of many vCPUs is a few MiB).
    static let maxBody = 256 << 20

    func readLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeFirst(nl + 1)
                return line
            }
            guard buffer.count < Self.maxLine else { return nil }
            let more = socket.receive()
            if more.isEmpty { return nil }
            buffer += more
        }
    }

    func readBytes(_ count: Int) -> [UInt8]? {
        while buffer.count < count {
            let more = socket.receive(max: min(1 << 20, max(count - buffer.count, 4096)))
            if more.isEmpty { return nil }
            buffer += more
        }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    @discardableResult
    func send(line: String) -> Bool { socket.send(Array((line + "\n").utf8)) }

    @discardableResult
    func sendOK(_ body: [UInt8] = []) -> Bool { send(line: "OK \(body.count)") && socket.send(body) }

    @discardableResult
    func sendError(_ message: String) -> Bool {
        let body = Array(message.utf8)
        return send(line: "ERR \(body.count)") && socket.send(body)
    }
}

/// What a client gets back.
public enum ControlReply: Equatable {
    case ok([UInt8])
    case error(String)
}

/// Talks to a running `vmmctl run` through its control socket.
public struct ControlClient {
    public let path: String

    public init(path: String) { self.path = path }

    /// Why a request failed before the VM could answer.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends one request and waits for its reply; `progress` sees PROGRESS lines.
    public func request(
        _ verb: String, _ argument: String? = nil, progress: (UInt64, UInt64) -> Void = { _, _ in }
    )
        throws(Failure) -> ControlReply
    {
        let socket: UnixSocket
        do { socket = try UnixSocket.connect(to: path) } catch { throw Failure(description: error.description) }
        let channel = ControlChannel(socket)
        guard !verb.contains("\n"), !(argument ?? "").contains("\n") else {
            throw Failure(description: "control requests are single lines")
        }
        channel.send(line: argument.map { "\(verb) \($0)" } ?? verb)
        while let line = channel.readLine() {
            let parts = line.split(separator: " ")
            guard let head = parts.first else { break }
            switch head {
            case "PROGRESS" where parts.count == 3:
                progress(UInt64(parts[1]) ?? 0, UInt64(parts[2]) ?? 0)
            case "OK", "ERR":
                guard parts.count == 2, let n = Int(parts[1]), n >= 0, n <= ControlChannel.maxBody,
                    let body = channel.readBytes(n)
                else { throw Failure(description: "malformed reply from the VM at '\(path)'") }
                return head == "OK" ? .ok(body) : .error(String(decoding: body, as: UTF8.self))
            default:
                throw Failure(description: "malformed reply from the VM at '\(path)': \(line.prefix(80))")
            }
        }
        throw Failure(description: "the VM at '\(path)' closed the connection without answering")
    }

    /// The default socket: `$XDG_RUNTIME_DIR/vmmctl.sock`, else `/tmp/vmmctl-<uid>.sock`.
    public static func defaultPath(environment: [String: String], uid: UInt32) -> String {
        if let dir = environment["XDG_RUNTIME_DIR"], !dir.isEmpty { return dir + "/vmmctl.sock" }
        return "/tmp/vmmctl-\(uid).sock"
    }
}
