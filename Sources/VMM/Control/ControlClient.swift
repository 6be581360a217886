/// What a client gets back once the exchange ends.
public enum ControlReply: Equatable {
    case ok([UInt8])
    case error(String)
}

/// Talks to a running `vmmctl run` through its control socket.
public struct ControlClient {
    public let path: String
    /// How long the client waits for each frame of the reply. Generous: a pause waits for every vCPU to
    /// park, and a snapshot sends progress only while it writes guest RAM.
    public var frameTimeout: Double = 300

    public init(path: String) { self.path = path }

    /// Why a request failed before the VM could answer.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends one request and waits for its reply; `progress` sees progress frames.
    public func request(
        _ request: ControlRequest, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws(Failure) -> ControlReply {
        let socket: UnixSocket
        do { socket = try UnixSocket.connect(to: path) } catch { throw Failure(description: error.description) }
        socket.setTimeouts(receive: frameTimeout, send: frameTimeout)
        let channel = ControlChannel(socket)
        guard channel.send(request.frame()) else {
            throw Failure(description: "the VM at '\(path)' closed the connection before taking the request")
        }
        while true {
            let response: ControlResponse
            do {
                response = try ControlResponse(frame: try channel.readFrame(limit: ControlFrame.maxReplyPayload))
            } catch let error as ControlChannel.ReadFailure {
                throw Failure(description: "no complete reply from the VM at '\(path)': \(error)")
            } catch {
                throw Failure(description: "malformed reply from the VM at '\(path)': \(error)")
            }
            switch response {
            case .progress(let done, let total): progress(done, total)
            case .ok(let body): return .ok(body)
            case .error(let message): return .error(message)
            }
        }
    }

    /// The default socket, in the per-user directory (created 0700 and checked; ControlSocketDirectory).
    public static func defaultPath(
        environment: [String: String], uid: UInt32
    ) throws(ControlSocketDirectory.Problem)
        -> String
    {
        try ControlSocketDirectory.prepare(environment: environment, uid: uid)
    }
}
