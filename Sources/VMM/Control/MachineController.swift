import Synchronization

/// Carries out control requests on a running machine. Requests that change or capture the machine
/// (pause, resume, dump-regs, snapshot, shutdown) run one at a time, so a dump-regs' own
/// pause-and-resume can never interleave with a client's pause; status is answered at once.
final class MachineController: Sendable {
    let machine: Machine
    private let exclusive = Mutex(())

    init(_ machine: Machine) { self.machine = machine }

    func handle(_ request: ControlRequest, progress: (UInt64, UInt64) -> Void) -> ControlServer.Outcome {
        if request.isReadOnly { return perform(request, progress) }
        return exclusive.withLock { _ in perform(request, progress) }
    }

    private func perform(_ request: ControlRequest, _ progress: (UInt64, UInt64) -> Void) -> ControlServer.Outcome {
        let machine = machine
        do throws(MachineError) {
            switch request {
            case .status: return .init(.ok(Array((machine.isPaused ? "paused" : "running").utf8)))
            case .pause:
                try machine.pause()
                return .init(.ok([]))
            case .resume:
                machine.resume()
                return .init(.ok([]))
            case .dumpRegs: return .init(.ok(try dumpRegs()))
            case .snapshot(let directory, let then, let base): return try snapshot(directory, then, base, progress)
            case .shutdown: return .init(.ok([])) { machine.requestStop(.shutdownRequested) }
            case .readMemory(let address, let count): return .init(.ok(try readMemory(address, count)))
            }
        } catch {
            return .init(.error(error.description))
        }
    }

    /// The state of every vCPU and the GIC, encoded as a snapshot state (without writing memory),
    /// captured with the VM paused for a consistent view and resumed after if it was running.
    private func dumpRegs() throws(MachineError) -> [UInt8] {
        let wasPaused = machine.isPaused
        if !wasPaused { try machine.pause() }
        defer { if !wasPaused { machine.resume() } }
        return SnapshotCodec.encode(try machine.captureState())
    }

    /// Pause, write the snapshot atomically (incremental with `base`: `Machine.writeSnapshot`), then
    /// carry on as asked.
    private func snapshot(
        _ directory: String, _ then: ControlRequest.AfterSnapshot, _ base: String?,
        _ progress: (UInt64, UInt64) -> Void
    ) throws(MachineError) -> ControlServer.Outcome {
        let machine = machine
        let started = PhaseTrace.now()
        defer { PhaseTrace.flush(base == nil ? "snapshot" : "incremental snapshot", since: started) }
        let wasPaused = machine.isPaused
        if !wasPaused { try machine.pause() }
        PhaseTrace.mark("pause")
        do {
            _ = try machine.writeSnapshot(to: directory, base: base, progress: progress)
        } catch let error as MachineError {
            if !wasPaused { machine.resume() }
            throw error
        } catch {
            if !wasPaused { machine.resume() }
            throw (error as? SnapshotError).map(MachineError.snapshotFailed) ?? .kvm(error)
        }
        switch then {
        case .stop: return .init(.ok(Array(directory.utf8))) { machine.requestStop(.shutdownRequested) }
        case .pause: return .init(.ok(Array(directory.utf8)))
        case .resume:
            if !wasPaused { machine.resume() }
            return .init(.ok(Array(directory.utf8)))
        }
    }
}

extension ControlServer {
    /// Listens at `path` (mode 0600) and serves `machine` until the process ends; accept failures and
    /// refused peers are reported through the machine's warnings.
    public static func start(machine: Machine, path: String) throws(MachineError) -> ControlServer {
        let controller = MachineController(machine)
        do {
            return try start(path: path, log: machine.warn) { request, progress in
                controller.handle(request, progress: progress)
            }
        } catch {
            throw .hostUnsupported(error.description)
        }
    }
}
