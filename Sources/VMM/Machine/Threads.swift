import Glibc

/// Minimal pthread plumbing for vCPU and helper threads (no Foundation in the VMM).
public enum Threads {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// The stack of a helper thread (I/O, control server, console reader, signal waiter, pager). glibc's
    /// default is RLIMIT_STACK (8 MiB) of address space per thread; these threads run shallow loops,
    /// and a snapshot written from the control server streams its memory file in bounded chunks, so
    /// 512 KiB leaves room for a debug build's larger frames. Only pages a thread touches are resident
    /// either way; the size bounds what a runaway recursion can take before it hits the guard page.
    public static let helperStackSize = 512 << 10

    /// The stack of a vCPU thread: exit handling runs device models and, for a nested guest's exits,
    /// register decoding, still shallow, but it is the thread a guest drives, so it gets more headroom.
    public static let vcpuStackSize = 1 << 20

    /// Starts a detached thread running `body`: a helper nobody joins, such as the console reader.
    public static func spawnDetached(_ what: String, _ body: @escaping @Sendable () -> Void) throws {
        pthread_detach(try spawn(body, what: what))
    }

    /// Starts a joinable thread running `body` on a stack of `stackSize` bytes.
    static func spawn(
        _ body: @escaping @Sendable () -> Void, what: String = "helper thread", stackSize: Int = helperStackSize
    ) throws -> pthread_t {
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        let sized = pthread_attr_setstacksize(&attributes, stackSize)
        guard sized == 0 else { throw KVMError.system(call: "pthread_attr_setstacksize", target: what, errno: sized) }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        // SAFETY: `box` is a retained Box; the thread takes ownership (takeRetainedValue) exactly once.
        let rc = pthread_create(
            &thread, &attributes,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw KVMError.system(call: "pthread_create", target: what, errno: rc)
        }
        return thread
    }

    static func join(_ thread: pthread_t) { pthread_join(thread, nil) }

    /// The signal used to kick a vCPU thread out of KVM_RUN (KVM returns EINTR → `.interrupted`).
    static let kickSignal = SIGUSR1

    /// Installs a do-nothing handler for the kick signal, without SA_RESTART, so a blocked KVM_RUN
    /// returns instead of being restarted. Idempotent.
    static func installKickHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(kickSignal, &action, nil)
    }

    static func kick(_ thread: pthread_t) { pthread_kill(thread, kickSignal) }

    /// Makes sure the calling thread can receive the kick signal. A thread inherits its creator's
    /// signal mask, and libdispatch worker threads (Swift concurrency, test runners) block most
    /// signals: a vCPU thread started from one would never be kicked out of KVM_RUN.
    static func unblockKickSignal() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, kickSignal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Blocks `signals` in the calling thread, and so in every thread it starts afterwards. A
    /// process-directed signal goes to any one thread that does not block it: a single thread started
    /// before the block (the console writer, the I/O thread) would take SIGTERM's default action and
    /// kill the process without cleanup. Returns the set.
    @discardableResult
    static func blockSignals(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return set
    }

    /// Blocks `signals` in the calling thread (and so in threads it starts afterwards) and starts a
    /// thread that waits for them and calls `handler`. This is how SIGINT/SIGTERM become a clean stop
    /// rather than killing the process mid-KVM_RUN.
    static func handleSignals(_ signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) throws {
        let set = blockSignals(signals)
        // A shell starts background jobs with SIGINT ignored, and an ignored signal is never pending, so
        // sigwait would not see it: take SIGINT and SIGTERM back to their default (they are blocked, so
        // the default action never runs). SIGHUP stays ignored under nohup.
        for s in signals where s == SIGINT || s == SIGTERM { signal(s, SIG_DFL) }
        let waitSet = set
        _ = try spawn {
            var set = waitSet
            while true {
                var signal: Int32 = 0
                if sigwait(&set, &signal) == 0 { handler(signal) }
            }
        }
    }
}
