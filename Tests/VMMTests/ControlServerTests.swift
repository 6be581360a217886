import Glibc
import Synchronization
import Testing

@testable import VMM

/// The control server against a recording handler (no VM needed): concurrent clients, timeouts,
/// accept failures, what the handler sees for awkward paths.
@Suite struct ControlServerTests {
    /// Records the requests the server decoded.
    final class Recorder: Sendable {
        let seen = Mutex<[ControlRequest]>([])
        func handle(_ request: ControlRequest, _ progress: (UInt64, UInt64) -> Void) -> ControlServer.Outcome {
            seen.withLock { $0.append(request) }
            if case .snapshot = request { progress(1, 2) }
            return .init(.ok(Array("done \(request.verb.rawValue)".utf8)))
        }
    }

    static func socketPath(_ tag: String) -> String { "/tmp/vmmctl-test-\(getpid())-\(tag).sock" }

    static func start(
        _ tag: String, _ limits: ControlServer.Limits = .init(), log: @escaping @Sendable (String) -> Void = { _ in }
    )
        throws -> (ControlServer, Recorder)
    {
        let recorder = Recorder()
        let server = try ControlServer.start(path: socketPath(tag), limits: limits, log: log) { request, progress in
            recorder.handle(request, progress)
        }
        return (server, recorder)
    }

    @Test(arguments: ControlProtocolTests.awkwardPaths)
    func theHandlerSeesTheExactDirectory(path: String) throws {
        let (server, recorder) = try Self.start("path-\(UInt(bitPattern: path.hashValue))")
        defer {
            server.stop()
            unlink(server.path)
        }
        let progress = Mutex<[UInt64]>([])
        let reply = try ControlClient(path: server.path).request(.snapshot(directory: path, then: .resume)) { done, _ in
            progress.withLock { $0.append(done) }
        }
        #expect(reply == .ok(Array("done snapshot".utf8)))
        #expect(recorder.seen.withLock { $0 } == [.snapshot(directory: path, then: .resume)])
        #expect(progress.withLock { $0 } == [1])
    }

    /// Before the fix the server read one connection at a time with no timeout: a client that connected
    /// and said nothing held every later request. Here the silent client's request timeout is far longer
    /// than the second client's patience, so a serial server fails this test rather than hanging it.
    @Test func aSilentClientDoesNotBlockAnotherClientsPause() throws {
        var limits = ControlServer.Limits()
        limits.requestTimeout = 600
        let (server, recorder) = try Self.start("silent", limits)
        defer {
            server.stop()
            unlink(server.path)
        }
        let silent = try UnixSocket.connect(to: server.path)
        var client = ControlClient(path: server.path)
        client.frameTimeout = 20
        #expect(try client.request(.pause) == .ok(Array("done pause".utf8)))
        #expect(recorder.seen.withLock { $0 } == [.pause])
        _ = silent
    }

    @Test func garbageGetsAnErrorNamingTheProblem() throws {
        let (server, recorder) = try Self.start("garbage")
        defer {
            server.stop()
            unlink(server.path)
        }
        let socket = try UnixSocket.connect(to: server.path)
        #expect(socket.send(Array("snapshot /tmp/a  b pause\n".utf8)))
        let channel = ControlChannel(socket)
        let reply = try ControlResponse(frame: try channel.readFrame(limit: ControlFrame.maxReplyPayload))
        guard case .error(let message) = reply else {
            Issue.record("expected an error, got \(reply)")
            return
        }
        #expect(message.contains("not a vmmctl control frame"))
        #expect(recorder.seen.withLock { $0 }.isEmpty)
    }

    /// The socket file is the owner's alone, and listen leaves the process umask as it found it (it was
    /// once set to 0177 around bind, process-wide, so a mkdir on another thread lost its x bits).
    @Test func theSocketFileIs0600AndTheUmaskIsUntouched() throws {
        let path = Self.socketPath("mode")
        let before = umask(0o022)
        umask(before)
        let listener = try UnixSocket.listen(at: path)
        defer { unlink(path) }
        var st = stat()
        #expect(lstat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let after = umask(before)
        #expect(after == before)
        _ = listener
    }

    /// Before the fix any accept() error but EINTR ended the server silently.
    @Test func acceptFailuresAreLoggedAndSurvived() throws {
        let logged = Mutex<[String]>([])
        let listener = try UnixSocket.listen(at: Self.socketPath("accept"))
        defer { unlink(Self.socketPath("accept")) }
        let recorder = Recorder()
        let server = ControlServer(
            listener: listener, path: Self.socketPath("accept"), limits: .init(),
            log: { line in logged.withLock { $0.append(line) } },
            handler: { request, progress in recorder.handle(request, progress) })
        let script = Mutex<[Int32]>([EMFILE, EMFILE, ENOBUFS, ECONNABORTED])
        try Threads.spawnDetached("test accept loop") {
            server.serve {
                if let e = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                    return .failure(UnixSocket.AcceptFailure(errno: e))
                }
                return listener.accept()
            }
        }
        defer { server.stop() }
        #expect(try ControlClient(path: server.path).request(.status) == .ok(Array("done status".utf8)))
        let lines = logged.withLock { $0 }
        #expect(lines.count == 3)  // EMFILE once for its run of two, ENOBUFS, ECONNABORTED
        #expect(lines.allSatisfy { $0.contains("still serving") })
    }

    @Test func manyClientsAtOnceAreAllServed() throws {
        let (server, recorder) = try Self.start("many")
        defer {
            server.stop()
            unlink(server.path)
        }
        // Eight silent connections held open, then real requests: every one is answered.
        let silent = try (0..<8).map { _ in try UnixSocket.connect(to: server.path) }
        for _ in 0..<4 {
            #expect(try ControlClient(path: server.path).request(.status) == .ok(Array("done status".utf8)))
        }
        #expect(recorder.seen.withLock { $0 }.count == 4)
        _ = silent
    }
}
