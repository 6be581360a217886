import Glibc

/// Guest console output on its own thread (docs/reliability.md, "What a guest can do"): the vCPU side
/// appends to a bounded buffer and returns at once; a writer thread drains it into the sink, where a
/// blocking write only delays the writer. When bytes had to be dropped the writer says so in-band,
/// once the sink takes bytes again, with the count: `[vmmctl: N bytes of console output dropped]`.
/// A sink that is gone for good (EPIPE: `vmmctl run | head` after head exits) calls `onClosed` once
/// and discards everything after it.
public final class ConsoleOutput: @unchecked Sendable {
    // @unchecked: `buffer`, `closed` and `writerIdle` are read and written only with `mutex` held.

    /// What a sink reports for one write.
    public enum SinkResult: Sendable {
        /// Wrote this many bytes (at least one).
        case wrote(Int)
        /// The reader is gone; nothing more will be written.
        case closed
    }

    /// The default buffer: enough for a burst of boot messages while a terminal scrolls.
    public static let defaultCapacity = 256 << 10

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var buffer: ConsoleOutputBuffer
    private var closed = false
    private var writerIdle = true
    private let sink: @Sendable ([UInt8]) -> SinkResult
    private let onClosed: @Sendable () -> Void

    /// A queue of `capacity` bytes drained into `sink` by a thread of its own, started here.
    public init(
        capacity: Int = ConsoleOutput.defaultCapacity, sink: @escaping @Sendable ([UInt8]) -> SinkResult,
        onClosed: @escaping @Sendable () -> Void = {}
    ) throws {
        buffer = ConsoleOutputBuffer(capacity: capacity)
        self.sink = sink
        self.onClosed = onClosed
        // SAFETY: freshly allocated, initialised once here and destroyed once in deinit.
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
        try Threads.spawnDetached("console writer") { [self] in drain() }
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

    /// Queues bytes without ever waiting for the sink (safe on a vCPU thread under a device lock).
    public func push(_ bytes: some Collection<UInt8>) {
        locked {
            guard !closed else { return }
            buffer.push(bytes)
            pthread_cond_signal(cond)
        }
    }

    /// One byte, as the UART transmits it.
    public func push(byte: UInt8) { push(CollectionOfOne(byte)) }

    /// Bytes dropped so far because the sink was not keeping up.
    public var droppedBytes: UInt64 { locked { buffer.droppedTotal } }

    /// Whether the sink reported it is gone.
    public var isClosed: Bool { locked { closed } }

    /// Waits until everything queued so far is written, the sink closes, or `timeout` seconds pass
    /// (a sink blocked for good must not hold up the exit). Returns whether the queue drained.
    @discardableResult
    public func flush(timeout: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanos = Int(deadline.tv_nsec) + Int((timeout - Double(Int(timeout))) * 1e9)
        deadline.tv_sec += Int(timeout) + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        return locked {
            while !(buffer.isEmpty && writerIdle) && !closed {
                if pthread_cond_timedwait(cond, mutex, &deadline) == ETIMEDOUT { break }
            }
            return (buffer.isEmpty && writerIdle) || closed
        }
    }

    /// The writer thread: takes a chunk (and any drop notice) under the lock, writes it outside it.
    private func drain() {
        while true {
            let (chunk, dropped) = locked { () -> ([UInt8], UInt64) in
                writerIdle = true
                pthread_cond_broadcast(cond)
                while buffer.isEmpty && buffer.droppedSinceNotice == 0 && !closed { pthread_cond_wait(cond, mutex) }
                writerIdle = false
                return closed ? ([], 0) : (buffer.pop(max: 64 << 10), buffer.takeDropped())
            }
            if chunk.isEmpty && dropped == 0 { return }
            // The bytes queued before the drop come first, then the notice, which marks the gap.
            guard write(chunk) else { return }
            if dropped > 0 {
                guard write(Array("\r\n[vmmctl: \(dropped) bytes of console output dropped]\r\n".utf8)) else { return }
            }
        }
    }

    /// Writes all of `bytes`; false once the sink is closed for good.
    private func write(_ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            switch sink(Array(bytes[done...])) {
            case .wrote(let n): done += max(n, 1)
            case .closed:
                // onClosed first, so that whoever sees the queue closed (flush) knows it has run.
                onClosed()
                locked {
                    closed = true
                    pthread_cond_broadcast(cond)
                }
                return false
            }
        }
        return true
    }

    /// A sink that writes to a file descriptor, retrying EINTR and short writes, closed on EPIPE (or any
    /// other error: a console that cannot be written is as good as gone).
    public static func fileDescriptorSink(_ fd: Int32) -> @Sendable ([UInt8]) -> SinkResult {
        { bytes in
            while true {
                // SAFETY: writes from the array's own storage, within its bounds.
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
                if n > 0 { return .wrote(n) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno == EAGAIN {
                    // A non-blocking stdout: wait until it takes bytes (this is the writer thread).
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, -1)
                    continue
                }
                return .closed
            }
        }
    }
}
