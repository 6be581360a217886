import Glibc
import Synchronization

/// Where the time of `vmmctl run` goes from `main` to the first KVM_RUN, and of each snapshot, for
/// `VMMCTL_TIMING=1` (docs/performance.md). Off unless `enable` was called: `mark` is then one lock and
/// a nil check, so the paths it marks cost the same with or without it.
public enum PhaseTrace {
    /// One finished phase: its name and the monotonic clock when it ended.
    struct Mark {
        let phase: String
        let nanoseconds: UInt64
    }

    struct Recorder {
        var marks: [Mark] = []
        var report: @Sendable (String) -> Void
    }

    static let recorder = Mutex<Recorder?>(nil)

    /// Starts recording (the CLI does, when `VMMCTL_TIMING` is set); `report` gets the lines of `flush`.
    public static func enable(report: @escaping @Sendable (String) -> Void) {
        recorder.withLock { $0 = Recorder(report: report) }
    }

    /// The monotonic clock, in nanoseconds.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Records that `phase` ended now.
    public static func mark(_ phase: @autoclosure () -> String) {
        recorder.withLock { r in
            guard r != nil else { return }
            r?.marks.append(Mark(phase: phase(), nanoseconds: now()))
        }
    }

    /// One line per phase recorded since the previous `lines` (each phase's own time, and when it
    /// ended counted from `start`), and forgets them.
    static func lines(_ title: String, since start: UInt64) -> [String] {
        let marks = recorder.withLock { r in
            defer { r?.marks = [] }
            return r?.marks ?? []
        }
        var last = start
        return marks.map { mark in
            defer { last = mark.nanoseconds }
            let own = (mark.nanoseconds &- last) / 1000
            return "vmmctl: timing: \(title): \(own) us (at \((mark.nanoseconds &- start) / 1000) us) \(mark.phase)\n"
        }
    }

    /// Sends one line per phase recorded since the last flush to the reporter given to `enable`.
    public static func flush(_ title: String, since start: UInt64) {
        guard let report = recorder.withLock({ $0?.report }) else { return }
        for line in lines(title, since: start) { report(line) }
    }
}
