import CKVM
import Dispatch
import Glibc
import Synchronization
import Testing

@testable import VMM

/// Plain Linux eventfd(2): runs on every Linux host.
@Suite struct EventFDTests {
    @Test func signalsAddUpAndDrainResets() throws {
        let event = try EventFD(name: "test")
        #expect(try event.drain() == 0, "a fresh eventfd is 0; EAGAIN reads as 0")
        for _ in 0..<3 { try event.signal() }
        #expect(try event.drain() == 3)
        #expect(try event.drain() == 0)
        try event.signal(5)
        try event.signal()
        #expect(try event.drain() == 6)
    }

    @Test func descriptorIsCloseOnExecAndNonBlocking() throws {
        let event = try EventFD(name: "flags")
        #expect(fcntl(event.fd, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(event.fd, F_GETFL) & O_NONBLOCK != 0)
    }

    @Test func irqfdGSIIsTheSPINumber() throws {
        let event = try EventFD(name: "irq")
        #expect(try VirtualMachine.gsi(of: .spi(intid: 32), for: event) == 0)
        #expect(try VirtualMachine.gsi(of: .spi(intid: 40), for: event) == 8)
        #expect(throws: KVMError.self) { try VirtualMachine.gsi(of: .ppi(intid: 27, vcpu: 0), for: event) }
        #expect(throws: KVMError.self) { try VirtualMachine.gsi(of: .spi(intid: 31), for: event) }
        #expect(throws: KVMError.self) { try VirtualMachine.gsi(of: .spi(intid: 1020), for: event) }
    }

    @Test func distributorRegisterOfAnINTID() {
        #expect(KVMDevice.vgicDistributorLocation(.ispendr, intid: 40) == (0x204, 8))
        #expect(KVMDevice.vgicDistributorLocation(.ispendr, intid: 63) == (0x204, 31))
        #expect(KVMDevice.vgicDistributorLocation(.icfgr, intid: 40) == (0xC08, 16))
        #expect(KVMDevice.vgicDistributorLocation(.isenabler, intid: 32) == (0x104, 0))
    }
}

/// What a handler saw, shared with the test thread.
private final class Record: Sendable {
    let calls = Mutex(0)
    let total = Mutex<UInt64>(0)
    let threads = Mutex<[pthread_t]>([])
    let ran = DispatchSemaphore(value: 0)

    func note(_ count: UInt64) {
        calls.withLock { $0 += 1 }
        total.withLock { $0 += count }
        threads.withLock { $0.append(pthread_self()) }
        ran.signal()
    }

    /// Waits for one handler call; false after 10 s (a lost signal), so a bug fails instead of hanging.
    func waitForCall() -> Bool { ran.wait(timeout: .now() + .seconds(10)) == .success }
}

@Suite struct IOThreadTests {
    @Test func handlerRunsOnTheIOThreadForEverySignal() throws {
        let io = try IOThread(name: "test io")
        let event = try EventFD(name: "notify")
        let record = Record()
        try io.register(event, name: "notify", counting: { record.note($0) })
        try io.start()
        // One at a time: each signal must be followed by a call that starts after it.
        for _ in 0..<20 {
            try event.signal()
            #expect(record.waitForCall())
        }
        #expect(io.stop())
        #expect(record.calls.withLock { $0 } == 20)
        let me = pthread_self()
        let threads = record.threads.withLock { $0 }
        #expect(threads.allSatisfy { pthread_equal($0, me) == 0 }, "handlers ran on the caller's thread")
        #expect(threads.allSatisfy { pthread_equal($0, threads[0]) != 0 }, "handlers ran on one thread")
    }

    @Test func burstsCoalesceButNoneIsLost() throws {
        let io = try IOThread(name: "burst io")
        let event = try EventFD(name: "burst")
        let record = Record()
        let all = DispatchSemaphore(value: 0)
        let signals: UInt64 = 500
        try io.register(event, name: "burst") { count in
            record.note(count)
            if record.total.withLock({ $0 }) == signals { all.signal() }
        }
        try io.start()
        for _ in 0..<signals { try event.signal() }
        #expect(all.wait(timeout: .now() + .seconds(10)) == .success)
        #expect(io.stop())
        #expect(record.total.withLock { $0 } == signals)
        #expect((1...Int(signals)).contains(record.calls.withLock { $0 }))
    }

    @Test func registeringWhileRunningAndUnregistering() throws {
        let io = try IOThread(name: "late io")
        try io.start()
        let first = try EventFD(name: "first")
        let second = try EventFD(name: "second")
        let record = Record()
        try io.register(first, name: "first") { record.note(1) }
        try first.signal()
        #expect(record.waitForCall())
        try io.register(second, name: "second") { record.note(1) }
        try second.signal()
        #expect(record.waitForCall())
        // The same eventfd twice is refused by epoll, and the refusal names the call.
        #expect {
            try io.register(first, name: "again") {}
        } throws: { error in
            "\(error)".hasPrefix("epoll_ctl(ADD) late io again") && "\(error)".contains("(EEXIST)")
        }
        try io.unregister(first)
        #expect(throws: KVMError.self) { try io.unregister(first) }
        // No longer watched: the count stays in the eventfd for us to read.
        try first.signal()
        #expect(io.stop())
        #expect(try first.drain() == 1)
        #expect(record.calls.withLock { $0 } == 2)
    }

    @Test func stopJoinsAndIsFinal() throws {
        let io = try IOThread(name: "stop io")
        #expect(io.stop(), "stopping a thread that never started")
        #expect(throws: KVMError.self) { try io.start() }
        let running = try IOThread(name: "running io")
        try running.start()
        try running.start()  // idempotent
        #expect(running.stop())
        #expect(running.stop())
    }

    /// A handler stuck in a blocking call cannot hold `stop` forever: it gives up after the timeout.
    @Test func stopIsBoundedByAStuckHandler() throws {
        let io = try IOThread(name: "stuck io")
        let event = try EventFD(name: "stuck")
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try io.register(event, name: "stuck") {
            entered.signal()
            release.wait()
        }
        try io.start()
        try event.signal()
        #expect(entered.wait(timeout: .now() + .seconds(10)) == .success)
        #expect(!io.stop(timeout: .milliseconds(50)))
        release.signal()  // the detached thread now ends by itself
    }
}
