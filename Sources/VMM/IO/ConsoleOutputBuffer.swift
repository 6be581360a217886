/// The bounded byte queue between a device that produces console output (on a vCPU thread, under the
/// device's lock) and the thread that writes it out. `push` never waits: when the queue is full the
/// byte is dropped and counted, so a sink nobody reads (Ctrl-S, a full pipe) costs guest output, never
/// a vCPU. Pure value logic; `ConsoleOutput` adds the lock and the thread.
struct ConsoleOutputBuffer {
    let capacity: Int
    private var storage: [UInt8]
    private var head = 0
    private(set) var count = 0
    /// Bytes dropped since the last `takeDropped()`.
    private(set) var droppedSinceNotice: UInt64 = 0
    /// Bytes dropped over the whole run.
    private(set) var droppedTotal: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        storage = [UInt8](repeating: 0, count: self.capacity)
    }

    var isEmpty: Bool { count == 0 }

    /// Appends what fits; returns how many of `bytes` were dropped.
    @discardableResult
    mutating func push(_ bytes: some Collection<UInt8>) -> Int {
        var dropped = 0
        for b in bytes {
            if count == capacity {
                dropped += 1
                continue
            }
            storage[(head + count) % capacity] = b
            count += 1
        }
        droppedSinceNotice += UInt64(dropped)
        droppedTotal += UInt64(dropped)
        return dropped
    }

    /// Removes and returns up to `max` bytes in order.
    mutating func pop(max: Int) -> [UInt8] {
        let n = min(max, count)
        var out = [UInt8]()
        out.reserveCapacity(n)
        for i in 0..<n { out.append(storage[(head + i) % capacity]) }
        head = (head + n) % capacity
        count -= n
        return out
    }

    /// The dropped count to announce, reset to zero.
    mutating func takeDropped() -> UInt64 {
        defer { droppedSinceNotice = 0 }
        return droppedSinceNotice
    }
}
