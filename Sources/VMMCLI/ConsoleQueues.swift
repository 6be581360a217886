import Glibc
import VMM

/// The run's two output queues: guest console output for stdout and warnings for stderr, each drained by
/// its own thread (ConsoleOutput) so that neither a blocked terminal nor a full pipe can stall a vCPU.
enum ConsoleQueues {
    /// Builds both queues over `io`. `stdoutClosed` runs once when stdout's reader is gone (EPIPE).
    static func make(
        _ io: Terminal, stdoutClosed: @escaping @Sendable () -> Void
    ) throws(CLIError) -> (console: ConsoleOutput, warnings: ConsoleOutput) {
        do {
            let console = try ConsoleOutput(sink: sink(io.out), onClosed: stdoutClosed)
            let warnings = try ConsoleOutput(capacity: 64 << 10, sink: sink(io.err))
            return (console, warnings)
        } catch {
            throw CLIError("cannot start the console writer thread: \(error)")
        }
    }

    /// The sink for one of the command's outputs: the fd itself for the process's streams, else the
    /// OutputSink (tests capture in memory).
    static func sink(_ out: OutputSink) -> @Sendable ([UInt8]) -> ConsoleOutput.SinkResult {
        if let stream = out as? StreamOutput { return ConsoleOutput.fileDescriptorSink(stream.fd) }
        return { bytes in
            for b in bytes { out.write(byte: b) }
            return .wrote(bytes.count)
        }
    }

    /// Waits briefly for both queues to drain: a sink blocked for good must not hold up the exit.
    static func flush(_ console: ConsoleOutput, _ warnings: ConsoleOutput) {
        console.flush(timeout: 2)
        warnings.flush(timeout: 2)
    }

    /// At the end of a run: drains the queues and says how much guest output was dropped, if any.
    static func finish(_ console: ConsoleOutput, _ warnings: ConsoleOutput, _ io: Terminal) {
        flush(console, warnings)
        let dropped = console.droppedBytes
        if dropped > 0 {
            io.err.write("vmmctl: \(dropped) bytes of guest console output were dropped: stdout was not being read\n")
        }
    }
}
