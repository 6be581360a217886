import Glibc
import Synchronization

/// Serves a control socket (docs/control-protocol.md): an accepting thread, and one short-lived thread
/// per connection that reads the request under a timeout, hands it to the handler and sends the reply.
/// A client that connects and says nothing costs one thread for `requestTimeout` and blocks nobody;
/// a failed accept() is logged and the server carries on.
public final class ControlServer: @unchecked Sendable {
    // @unchecked: every stored property is immutable or atomic; connections share only the handler,
    // which serialises what must be serialised (MachineController).

    /// Per-connection bounds.
    public struct Limits: Sendable {
        /// How long a client has to send its whole request.
        public var requestTimeout: Double = 5
        /// How long one send may block on a client that stops reading.
        public var sendTimeout: Double = 10
        /// Connections served at once; more are answered with an error and closed at once.
        public var maxConnections = 16

        public init() {}
    }

    /// The handler's answer: the final response, and what to do once it has been sent (a shutdown
    /// stops the VM only after the client has its OK).
    public struct Outcome: Sendable {
        public let response: ControlResponse
        public let afterReply: (@Sendable () -> Void)?

        public init(_ response: ControlResponse, afterReply: (@Sendable () -> Void)? = nil) {
            self.response = response
            self.afterReply = afterReply
        }
    }

    /// Carries out one request; called concurrently from connection threads. `progress` sends a
    /// progress frame to this request's client.
    public typealias Handler = @Sendable (ControlRequest, _ progress: (UInt64, UInt64) -> Void) -> Outcome

    let listener: UnixSocket
    public let path: String
    let limits: Limits
    let handler: Handler
    let log: @Sendable (String) -> Void
    private let active = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    init(
        listener: UnixSocket, path: String, limits: Limits, log: @escaping @Sendable (String) -> Void,
        handler: @escaping Handler
    ) {
        self.listener = listener
        self.path = path
        self.limits = limits
        self.log = log
        self.handler = handler
    }

    /// Listens at `path` (mode 0600) and serves requests with `handler` until `stop()` or the process ends.
    public static func start(
        path: String, limits: Limits = Limits(), log: @escaping @Sendable (String) -> Void,
        handler: @escaping Handler
    ) throws(UnixSocket.Error) -> ControlServer {
        let listener = try UnixSocket.listen(at: path)
        let server = ControlServer(listener: listener, path: path, limits: limits, log: log, handler: handler)
        do {
            try Threads.spawnDetached("control socket thread") { server.serve { server.listener.accept() } }
        } catch {
            throw UnixSocket.Error(description: "cannot start the control socket thread: \(error)")
        }
        return server
    }

    /// Stops accepting (connections in progress finish). The socket file is the caller's to remove.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        listener.shutdownBoth()
    }

    /// Connections being served right now.
    public var activeConnections: Int { active.load(ordering: .sequentiallyConsistent) }

    /// The accept loop. `accept` is a parameter so a test can feed it failures.
    func serve(accept: () -> Result<UnixSocket, UnixSocket.AcceptFailure>) {
        var lastLogged: Int32 = 0
        while !stopping.load(ordering: .sequentiallyConsistent) {
            switch accept() {
            case .success(let client):
                lastLogged = 0
                admit(client)
            case .failure(let failure):
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                // Said once per run of the same error, so a persistent EMFILE cannot flood stderr.
                if failure.errno != lastLogged {
                    log("control socket '\(path)': \(failure); still serving")
                    lastLogged = failure.errno
                }
                // Out of fds or memory: give the system a moment rather than spin.
                if failure.errno != ECONNABORTED { usleep(50_000) }
            }
        }
    }

    /// Checks who connected and hands the connection to its own thread, within the connection limit.
    func admit(_ client: UnixSocket) {
        let channel = ControlChannel(client)
        client.setTimeouts(receive: limits.requestTimeout, send: limits.sendTimeout)
        let own = getuid()
        guard let peer = client.peer(), UnixSocket.mayTalk(peer: peer.uid, own: own) else {
            let who = client.peer().map { "uid \($0.uid) (pid \($0.pid))" } ?? "an unknown peer"
            log("control socket '\(path)': refused a connection from \(who): only uid \(own) or root may steer this VM")
            channel.send(ControlResponse.error("refused: only uid \(own) or root may steer this VM").frame())
            return
        }
        let count = active.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        guard count <= limits.maxConnections else {
            active.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            channel.send(
                ControlResponse.error("\(limits.maxConnections) control connections are in progress; try again").frame()
            )
            return
        }
        do {
            try Threads.spawnDetached("control connection thread") { [self] in
                serveConnection(channel)
                active.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            }
        } catch {
            active.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            log("control socket '\(path)': \(error); connection dropped")
            channel.send(ControlResponse.error("vmmctl could not start a thread for this request: \(error)").frame())
        }
    }

    /// One connection: one request, its progress, its final response.
    func serveConnection(_ channel: ControlChannel) {
        let request: ControlRequest
        do {
            request = try ControlRequest(frame: try channel.readFrame(limit: ControlFrame.maxRequestPayload))
        } catch let failure as ControlChannel.ReadFailure {
            if case .malformed(let error) = failure { channel.send(ControlResponse.error(error.description).frame()) }
            return
        } catch {
            channel.send(ControlResponse.error("\(error)").frame())
            return
        }
        let outcome = handler(request) { done, total in
            channel.send(ControlResponse.progress(done: done, total: total).frame())
        }
        channel.send(outcome.response.frame())
        outcome.afterReply?()
    }
}
