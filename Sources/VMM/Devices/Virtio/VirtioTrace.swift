import Glibc
import Synchronization

/// A per-request timeline of the virtio devices, for finding where a request's latency goes: the
/// doorbell reaching the I/O thread, the requests served, the interrupt line changing level, and
/// the guest reading InterruptStatus and writing InterruptACK. Off unless the CLI starts it
/// (`VMMCTL_TRACE_VIRTIO`); when off, each trace point costs one atomic load.
///
/// Lines read `virtio-trace <µs since start> <device> <event>`, written with one write(2) each so
/// lines from the I/O thread and the vCPU threads never interleave mid-line.
public enum VirtioTrace {
    private static let enabled = Atomic<Bool>(false)
    private static let sink = Mutex<Int32>(-1)
    private static let origin = Atomic<Int64>(0)

    /// Starts tracing to file descriptor `fd` (the CLI passes stderr).
    public static func start(fd: Int32) {
        origin.store(now(), ordering: .relaxed)
        sink.withLock { $0 = fd }
        enabled.store(true, ordering: .releasing)
    }

    /// Whether tracing is on (so a caller can skip building the line).
    static var isOn: Bool { enabled.load(ordering: .acquiring) }

    /// Records `event` of `device` with the current time.
    static func record(_ device: String, _ event: @autoclosure () -> String) {
        guard isOn else { return }
        let micros = (now() - origin.load(ordering: .relaxed)) / 1000
        var line = Array("virtio-trace \(micros) \(device) \(event())\n".utf8)
        sink.withLock { fd in
            // SAFETY: writes the bytes of `line`, which lives across the call; a short or failed
            // write of a trace line is dropped (tracing must never stop the machine).
            _ = line.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }

    private static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
