import CKVM
import Dispatch
import Glibc
import Synchronization

/// One thread that waits on many eventfds with epoll(7) and runs each one's handler when it is signalled:
/// the place where device work (a virtqueue notify that KVM turned into an ioeventfd signal) happens
/// instead of on the vCPU thread that kicked it.
///
/// Lifecycle: `init` creates the epoll instance and the stop eventfd; `start()` spawns the thread;
/// `register` works before and after `start`, from any thread; `stop()` signals the stop eventfd and
/// joins. The thread holds the `IOThread` until it ends, so call `stop()` when the machine stops.
///
/// What is guaranteed, and what is not:
/// - Every signal is followed by at least one handler call that starts after it: the loop drains the
///   eventfd *before* calling the handler, so a signal that arrives while the handler runs leaves the
///   fd readable and the handler runs again. Signals that arrive together coalesce into one call; the
///   counting handler is told how many there were.
/// - `stop()` is prompt when handlers are: the loop checks the stop flag after every handler, not only
///   after each epoll_wait, so a busy stream of signals cannot delay it beyond the handler in progress.
/// - `stop(timeout:)` is bounded even when a handler is not: if the thread has not ended within the
///   timeout (a handler stuck in a blocking call), stop detaches it and returns `false`. That thread
///   ends by itself when the handler returns (it runs no further handler), and only then are the epoll
///   and stop fds closed, so nothing it uses is freed under it. Swift handlers cannot throw, and a
///   handler that traps takes the process down, as it would on any thread.
/// - After `unregister` returns, later signals no longer reach the handler; but one call the thread had
///   already picked up may still be running, or about to run (the handler is called outside the lock,
///   so that a slow one never blocks `register`). A device must tolerate that one late call.
/// - At most `maximumRegistrations` eventfds; `register` refuses more (a guest cannot make us add
///   registrations, but a bug that does should fail loudly rather than exhaust fds).
public final class IOThread: @unchecked Sendable {
    // @unchecked: `epollFD`, `stopEvent` and `name` are immutable; `registrations` and `thread` are behind
    // their mutexes; `stopping` is atomic; `finished` is a semaphore.

    /// Registrations refused beyond this many.
    public static let maximumRegistrations = 1024
    /// epoll_wait reports at most this many ready fds per call; the rest stay ready for the next call.
    static let eventsPerWait = 32

    /// A name for messages and errors.
    public let name: String
    private let epollFD: Int32
    private let stopEvent: EventFD
    /// Token (the epoll_event data) to registration. Token 0 is the stop eventfd.
    private let registrations = Mutex<[UInt64: Registration]>([:])
    private let nextToken = Atomic<UInt64>(1)
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)
    /// Signalled by the thread as its last action, so `stop(timeout:)` can wait with a bound.
    private let finished = DispatchSemaphore(value: 0)

    private struct Registration {
        let event: EventFD
        let name: String
        let handler: @Sendable (UInt64) -> Void
    }

    /// Creates the epoll instance and the stop eventfd. The thread starts with `start()`.
    /// - Throws: `KVMError.system` naming `epoll_create1`, `eventfd` or `epoll_ctl`.
    public init(name: String = "I/O thread") throws(KVMError) {
        self.name = name
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw KVMError.system(call: "epoll_create1", target: name, errno: errno) }
        do {
            stopEvent = try EventFD(name: "\(name) stop")
            try Self.add(stopEvent, token: 0, to: epollFD, name: name)
        } catch {
            close(epollFD)
            throw error
        }
        self.epollFD = epollFD
    }

    deinit { close(epollFD) }

    /// Starts the thread. Idempotent while running; a stopped `IOThread` cannot be restarted.
    /// - Throws: `KVMError.system` naming `pthread_create`, or `.invalidConfiguration` after `stop()`.
    public func start() throws(KVMError) {
        try thread.withLock { (thread: inout pthread_t?) throws(KVMError) in
            guard thread == nil else { return }
            guard !stopping.load(ordering: .acquiring) else {
                throw KVMError.invalidConfiguration("\(name) was stopped and cannot be started again")
            }
            do {
                thread = try Threads.spawn({ [self] in run() }, what: name)
            } catch let error as KVMError {
                throw error
            } catch {
                throw KVMError.system(call: "pthread_create", target: name, errno: EAGAIN)
            }
        }
    }

    /// Runs `handler` on this thread each time `event` is signalled (coalesced signals: one call).
    /// Safe from any thread, before or after `start()`. The registration keeps `event` alive.
    /// - Throws: `KVMError.system` naming `epoll_ctl` (EEXIST: `event` is already registered), or
    ///   `.invalidConfiguration` beyond `maximumRegistrations`.
    public func register(_ event: EventFD, name: String, handler: @escaping @Sendable () -> Void) throws(KVMError) {
        try register(event, name: name, counting: { _ in handler() })
    }

    /// Like `register(_:name:handler:)`, but the handler is told how many signals the call covers.
    public func register(
        _ event: EventFD, name: String, counting handler: @escaping @Sendable (UInt64) -> Void
    ) throws(KVMError) {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        let registration = Registration(event: event, name: name, handler: handler)
        // Into the table first, so the thread finds the handler as soon as epoll reports the fd.
        let count = registrations.withLock { table in
            table[token] = registration
            return table.count
        }
        do throws(KVMError) {
            guard count <= Self.maximumRegistrations else {
                throw KVMError.invalidConfiguration(
                    "\(self.name): more than \(Self.maximumRegistrations) eventfds registered (\(name))")
            }
            try Self.add(event, token: token, to: epollFD, name: "\(self.name) \(name)")
        } catch {
            _ = registrations.withLock { $0.removeValue(forKey: token) }
            throw error
        }
    }

    /// Stops watching `event`. One call already picked up may still run afterwards (see the type's notes).
    /// - Throws: `KVMError.system` naming `epoll_ctl`, or `.invalidConfiguration` if `event` is not registered.
    public func unregister(_ event: EventFD) throws(KVMError) {
        let removed = registrations.withLock { table -> Registration? in
            guard let token = table.first(where: { $0.value.event === event })?.key else { return nil }
            return table.removeValue(forKey: token)
        }
        guard let removed else {
            throw KVMError.invalidConfiguration("\(name): eventfd \(event.name) is not registered")
        }
        // SAFETY: EPOLL_CTL_DEL ignores the event argument (non-null for kernels before 2.6.9).
        var unused = epoll_event()
        guard epoll_ctl(epollFD, EPOLL_CTL_DEL, removed.event.fd, &unused) == 0 else {
            throw KVMError.system(call: "epoll_ctl(DEL)", target: "\(name) \(removed.name)", errno: errno)
        }
    }

    /// Ends the loop and joins the thread, waiting at most `timeout` for a handler in progress.
    /// - Returns: `true` when the thread ended (or never started); `false` when it was still inside a
    ///   handler after `timeout` and was detached (it ends by itself when that handler returns).
    @discardableResult
    public func stop(timeout: Duration = .seconds(5)) -> Bool {
        stopping.store(true, ordering: .releasing)
        guard let running = thread.withLock({ (thread: inout pthread_t?) in thread.take() }) else { return true }
        // If the stop eventfd cannot be signalled (it cannot fail short of a bad fd), the flag alone still
        // ends the loop after the next event; the timeout below bounds the wait either way.
        try? stopEvent.signal()
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000)
        if finished.wait(timeout: .now() + .nanoseconds(max(0, nanoseconds))) == .success {
            Threads.join(running)
            return true
        }
        pthread_detach(running)
        return false
    }

    /// The thread: wait, drain, call handlers, until `stop()`.
    private func run() {
        defer { finished.signal() }
        // Signals belong to the vCPU threads (kicks) and vmmctl's signal thread (SIGINT, SIGTERM): a
        // process-directed signal must never be delivered here, where nothing handles it.
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        var events = [epoll_event](repeating: epoll_event(), count: Self.eventsPerWait)
        while !stopping.load(ordering: .acquiring) {
            // SAFETY: `events` has room for exactly eventsPerWait entries and outlives the call.
            let ready = epoll_wait(epollFD, &events, Int32(Self.eventsPerWait), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return  // EBADF/EINVAL: the epoll fd is unusable; nothing sensible remains to wait on.
            }
            for index in 0..<Int(ready) {
                if stopping.load(ordering: .acquiring) { return }
                dispatch(token: events[index].data.u64)
            }
        }
    }

    /// Drains one registration's eventfd and calls its handler if anything arrived.
    private func dispatch(token: UInt64) {
        guard token != 0 else { return }  // the stop eventfd: the loop condition sees `stopping`
        guard let registration = registrations.withLock({ $0[token] }) else { return }  // unregistered
        // A failed read cannot be retried usefully; the fd stays readable and epoll reports it again.
        guard let count = try? registration.event.drain(), count > 0 else { return }
        registration.handler(count)
    }

    /// Adds `event` to `epollFD`, level-triggered for reads, with `token` as its data.
    private static func add(_ event: EventFD, token: UInt64, to epollFD: Int32, name: String) throws(KVMError) {
        var request = epoll_event()
        request.events = EPOLLIN.rawValue
        request.data.u64 = token
        // SAFETY: `request` is a live epoll_event for the duration of the call; the kernel copies it.
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, event.fd, &request) == 0 else {
            throw KVMError.system(call: "epoll_ctl(ADD)", target: "\(name) (\(event.name))", errno: errno)
        }
    }
}
