import Glibc

/// The run state shared by the vCPU threads and their controllers (signals, the control socket): how
/// the run ended, whether a pause is requested, how many vCPUs are parked. A pthread mutex and
/// condition variable, because parking needs waiting, which Synchronization.Mutex does not offer.
final class RunGate: @unchecked Sendable {
    // @unchecked: every field below is read and written only with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var exit: MachineExit?
    private var pauseRequested = false
    private var parked = 0
    private var threadList: [pthread_t] = []
    /// Which of `threads` have left their loop: they are never signalled again, because once joined a
    /// pthread_t is dangling and pthread_kill on it is undefined behaviour (pthread_kill(3)).
    private var exited: [Bool] = []

    init() {
        // SAFETY: freshly allocated, initialised once here and destroyed once in deinit.
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        cond.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    var stopReason: MachineExit? { locked { exit } }

    func setThreads(_ list: [pthread_t]) {
        locked {
            threadList = list
            exited = Array(repeating: false, count: list.count)
        }
    }

    /// Called by vCPU thread `index` as the last thing before it returns (so before anyone joins it).
    func threadExited(_ index: Int) {
        locked { if exited.indices.contains(index) { exited[index] = true } }
    }

    /// The vCPU threads of the current run (tests compare them with the thread a handler ran on).
    var threads: [pthread_t] { locked { threadList } }

    /// After run() has joined every thread: nothing is left to signal.
    func clearThreads() { setThreads([]) }

    /// Whether any vCPU thread may still be signalled.
    var hasLiveThreads: Bool { locked { exited.contains(false) } }

    /// Calls `kick` for every vCPU thread that has not exited, with the lock held so none can exit
    /// (and be joined) between the check and the signal.
    func kickLiveThreads(_ kick: (pthread_t) -> Void) {
        locked {
            for (t, gone) in zip(threadList, exited) where !gone { kick(t) }
        }
    }

    /// Records why the run ends (the first reason wins) and wakes parked vCPUs so they can leave.
    func stop(_ reason: MachineExit) {
        locked {
            if exit == nil { exit = reason }
            pthread_cond_broadcast(cond)
        }
    }

    /// What a vCPU thread does when it is interrupted: park while a pause is requested, then report
    /// whether it must leave its loop.
    func checkpoint() -> Bool {
        locked {
            if pauseRequested && exit == nil {
                parked += 1
                pthread_cond_broadcast(cond)
                while pauseRequested && exit == nil { pthread_cond_wait(cond, mutex) }
                parked -= 1
            }
            return exit != nil
        }
    }

    /// Requests a pause; `kick` must then interrupt every vCPU. Returns false if the run has ended.
    func requestPause() -> Bool {
        locked {
            pauseRequested = true
            return exit == nil
        }
    }

    /// Waits until `count` vCPUs are parked or the run ends. Returns whether they are all parked.
    func waitParked(_ count: Int) -> Bool {
        locked {
            while parked < count && exit == nil { pthread_cond_wait(cond, mutex) }
            return exit == nil
        }
    }

    func resume() {
        locked {
            pauseRequested = false
            pthread_cond_broadcast(cond)
        }
    }

    var isPaused: Bool { locked { pauseRequested } }

    /// Whether a pause or stop is pending: a vCPU checks this before each KVM_RUN, so a kick that
    /// arrived while it was outside KVM_RUN (and whose immediate_exit it then cleared) is not lost.
    var needsAttention: Bool { locked { pauseRequested || exit != nil } }
}
