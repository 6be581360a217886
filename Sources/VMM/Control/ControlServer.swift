/// Serves a running machine's control socket: pause, resume, status, dump-regs, snapshot, shutdown
/// (docs/control-protocol.md). One request per connection, handled one at a time on the server's thread.
public final class ControlServer: @unchecked Sendable {
    // @unchecked: `listener` and `machine` are immutable; requests are handled on one thread.
    let listener: UnixSocket
    let machine: Machine
    public let path: String

    private init(listener: UnixSocket, machine: Machine, path: String) {
        self.listener = listener
        self.machine = machine
        self.path = path
    }

    /// Listens at `path` (mode 0600) and serves `machine` on a background thread until the process ends.
    public static func start(machine: Machine, path: String) throws(MachineError) -> ControlServer {
        let listener: UnixSocket
        do { listener = try UnixSocket.listen(at: path) } catch { throw .hostUnsupported(error.description) }
        let server = ControlServer(listener: listener, machine: machine, path: path)
        do {
            _ = try Threads.spawn { server.serve() }
        } catch {
            throw .kvm(error)
        }
        return server
    }

    func serve() {
        while let client = listener.accept() {
            let channel = ControlChannel(client)
            guard let line = channel.readLine() else { continue }
            handle(line, channel)
        }
    }

    func handle(_ line: String, _ channel: ControlChannel) {
        let verb = line.prefix { $0 != " " }
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : nil
        do {
            switch verb {
            case "status": channel.sendOK(Array((machine.isPaused ? "paused" : "running").utf8))
            case "pause":
                try machine.pause()
                channel.sendOK()
            case "resume":
                machine.resume()
                channel.sendOK()
            case "dump-regs": channel.sendOK(try dumpRegs())
            case "snapshot": try snapshot(argument, channel)
            case "shutdown":
                channel.sendOK()
                machine.requestStop(.shutdownRequested)
            default:
                channel.sendError(
                    "unknown request '\(verb)'; requests are status, pause, resume, dump-regs, snapshot DIR [resume|pause|stop], shutdown"
                )
            }
        } catch {
            channel.sendError(error.description)
        }
    }

    /// The state of every vCPU and the GIC, encoded as a snapshot state (without writing memory),
    /// captured with the VM paused for a consistent view and resumed after if it was running.
    func dumpRegs() throws(MachineError) -> [UInt8] {
        let wasPaused = machine.isPaused
        if !wasPaused { try machine.pause() }
        defer { if !wasPaused { machine.resume() } }
        return SnapshotCodec.encode(try machine.captureState())
    }

    /// `snapshot DIR [resume|pause|stop]`: pause, write the snapshot atomically, then carry on as asked
    /// (default: resume).
    func snapshot(_ argument: String?, _ channel: ControlChannel) throws(MachineError) {
        guard let argument, !argument.isEmpty else {
            throw .badRequest("snapshot needs a directory: snapshot DIR [resume|pause|stop]")
        }
        var words = argument.split(separator: " ").map(String.init)
        var then = "resume"
        if let last = words.last, ["resume", "pause", "stop"].contains(last), words.count > 1 {
            then = last
            words.removeLast()
        }
        let directory = words.joined(separator: " ")
        let wasPaused = machine.isPaused
        if !wasPaused { try machine.pause() }
        do {
            let state = try machine.captureState()
            try SnapshotStore.write(
                state: state, memory: machine.guestMemory, tags: try machine.captureTags(), to: directory,
                progress: { done, total in channel.send(line: "PROGRESS \(done) \(total)") })
        } catch let error as MachineError {
            if !wasPaused { machine.resume() }
            throw error
        } catch {
            if !wasPaused { machine.resume() }
            throw (error as? SnapshotError).map(MachineError.snapshotFailed) ?? .kvm(error)
        }
        channel.sendOK(Array(directory.utf8))
        switch then {
        case "stop": machine.requestStop(.shutdownRequested)
        case "pause": break
        default: if !wasPaused { machine.resume() }
        }
    }
}
