import Synchronization

/// One split virtqueue (virtio 1.2 §2.7) as the device sees it: where the driver put its three
/// areas, how big the queue is, and the device's own positions in the rings.
///
/// Layout in guest memory (§2.7.2): the descriptor table (16 bytes per entry: addr u64, len u32,
/// flags u16, next u16), the driver area or available ring (flags u16, idx u16, ring[size] u16,
/// used_event u16) and the device area or used ring (flags u16, idx u16, ring[size] of {id u32,
/// len u32}, avail_event u16). All little-endian (§2.7: modern devices).
///
/// Everything read from guest memory is hostile input: every index is range-checked, every chain
/// is bounded, every buffer is checked to lie inside guest RAM before a device touches it.
public struct Virtqueue: Hashable, Sendable {
    /// QueueNumMax: the largest queue the device offers (a power of 2, §2.7).
    public static let maximumSize: UInt16 = 256
    /// The longest indirect table accepted. The spec bounds an indirect chain only by its table
    /// length; this keeps a hostile table from making one request walk megabytes of descriptors.
    public static let maximumIndirectEntries: UInt32 = 1024

    static let VIRTQ_DESC_F_NEXT: UInt16 = 1
    static let VIRTQ_DESC_F_WRITE: UInt16 = 2
    static let VIRTQ_DESC_F_INDIRECT: UInt16 = 4
    static let VIRTQ_AVAIL_F_NO_INTERRUPT: UInt16 = 1

    /// QueueNum, as the driver set it.
    public var size: UInt16 = Virtqueue.maximumSize
    /// QueueReady.
    public var ready = false
    /// QueueDesc: the descriptor table.
    public var descriptorTable: UInt64 = 0
    /// QueueDriver: the available ring.
    public var driverArea: UInt64 = 0
    /// QueueDevice: the used ring.
    public var deviceArea: UInt64 = 0
    /// The next available-ring entry the device will consume.
    public var lastAvailIndex: UInt16 = 0
    /// The device's used.idx (the next used-ring slot it fills).
    public var usedIndex: UInt16 = 0

    public init() {}

    /// Checks what the driver set before the queue goes live: a power-of-2 size up to the maximum,
    /// the alignments of §2.7 (descriptor table 16, available ring 2, used ring 4), and all three
    /// areas inside guest RAM.
    func validate(queue: Int, memory: GuestMemory) throws(VirtqueueError) {
        func bad(_ reason: String) -> VirtqueueError { .badQueueSetup(queue: queue, reason: reason) }
        guard size > 0, size <= Self.maximumSize, size & (size - 1) == 0 else {
            throw bad("QueueNum \(size) is not a power of 2 between 1 and \(Self.maximumSize)")
        }
        let n = UInt64(size)
        let areas: [(String, UInt64, UInt64, UInt64)] = [
            ("the descriptor table", descriptorTable, 16 * n, 16),
            ("the available ring", driverArea, 6 + 2 * n, 2),
            ("the used ring", deviceArea, 6 + 8 * n, 4),
        ]
        for (what, address, length, alignment) in areas {
            guard address % alignment == 0 else {
                throw bad("\(what) at 0x\(String(address, radix: 16)) is not \(alignment)-byte aligned")
            }
            guard memory.containsRange(address, length: length) else {
                throw .outsideRAM(what: what, address: address, length: length)
            }
        }
    }

    /// Takes the next request the driver made available, or nil when there is none.
    /// Throws (and consumes nothing) when the ring or the chain breaks the rules.
    public mutating func popChain(_ memory: GuestMemory) throws(VirtqueueError) -> DescriptorChain? {
        let availIndex = try read(UInt16.self, at: driverArea + 2, memory, "the available ring")
        let pending = availIndex &- lastAvailIndex
        guard pending != 0 else { return nil }
        guard pending <= size else {
            throw .availIndexJump(avail: availIndex, lastSeen: lastAvailIndex, size: size)
        }
        // The driver wrote the ring entry and descriptors before avail.idx (§2.7.13.3, its write
        // barrier); order our reads of them after our read of idx.
        atomicMemoryFence(ordering: .acquiring)
        let slot = driverArea + 4 + 2 * UInt64(lastAvailIndex % size)
        let head = try read(UInt16.self, at: slot, memory, "the available ring")
        let chain = try walk(head: head, memory)
        lastAvailIndex &+= 1
        return chain
    }

    /// Follows a chain from `head` through the descriptor table and at most one indirect table.
    /// Bounded: at most `size` descriptors in the queue's table and at most the indirect table's
    /// entries in it, so a loop ends in `.chainLoop` rather than a hang.
    func walk(head: UInt16, _ memory: GuestMemory) throws(VirtqueueError) -> DescriptorChain {
        var chain = DescriptorChain(head: head)
        var table = descriptorTable
        var tableSize = UInt32(size)
        var index = head
        var visited: UInt32 = 0
        var indirect = false
        var total: UInt64 = 0
        while true {
            guard UInt32(index) < tableSize else {
                throw .descriptorIndexOutOfRange(index: index, tableSize: tableSize)
            }
            guard visited < tableSize else { throw .chainLoop(limit: tableSize) }
            visited += 1
            let entry = table + 16 * UInt64(index)
            let what = indirect ? "an indirect descriptor" : "a descriptor"
            let address = try read(UInt64.self, at: entry, memory, what)
            let length = try read(UInt32.self, at: entry + 8, memory, what)
            let flags = try read(UInt16.self, at: entry + 12, memory, what)
            let next = try read(UInt16.self, at: entry + 14, memory, what)
            if flags & Self.VIRTQ_DESC_F_INDIRECT != 0 {
                guard !indirect else { throw .nestedIndirect }
                guard flags & Self.VIRTQ_DESC_F_NEXT == 0 else { throw .indirectWithNext }
                guard length > 0, length % 16 == 0, length / 16 <= Self.maximumIndirectEntries else {
                    throw .indirectTableLength(length)
                }
                guard memory.containsRange(address, length: UInt64(length)) else {
                    throw .outsideRAM(what: "an indirect table", address: address, length: UInt64(length))
                }
                (table, tableSize, index, visited, indirect) = (address, length / 16, 0, 0, true)
                continue
            }
            try Self.check(address: address, length: length, memory)
            total += UInt64(length)
            guard total <= UInt64(UInt32.max) else { throw .lengthOverflow(address: address, length: length) }
            let buffer = GuestBuffer(address: address, length: length)
            if flags & Self.VIRTQ_DESC_F_WRITE != 0 {
                chain.writable.append(buffer)
            } else {
                guard chain.writable.isEmpty else { throw .readableAfterWritable }
                chain.readable.append(buffer)
            }
            guard flags & Self.VIRTQ_DESC_F_NEXT != 0 else { return chain }
            index = next
        }
    }

    static func check(address: UInt64, length: UInt32, _ memory: GuestMemory) throws(VirtqueueError) {
        guard !address.addingReportingOverflow(UInt64(length)).overflow else {
            throw .lengthOverflow(address: address, length: length)
        }
        guard length == 0 || memory.containsRange(address, length: UInt64(length)) else {
            throw .outsideRAM(what: "a buffer", address: address, length: UInt64(length))
        }
    }

    /// Returns a request to the driver: `written` bytes were written into its device-writable buffers.
    public mutating func pushUsed(head: UInt16, written: UInt32, _ memory: GuestMemory) throws(VirtqueueError) {
        let slot = deviceArea + 4 + 8 * UInt64(usedIndex % size)
        try write(UInt32(head), at: slot, memory)
        try write(written, at: slot + 4, memory)
        // The element and the data it describes before the index the driver polls (§2.7.8).
        atomicMemoryFence(ordering: .releasing)
        usedIndex &+= 1
        try write(usedIndex, at: deviceArea + 2, memory)
    }

    /// With EVENT_IDX, tells the driver to notify once it makes entry `lastAvailIndex` available
    /// (avail_event, §2.7.10), then reports whether more arrived meanwhile (so the caller goes on
    /// instead of waiting for a notification that the driver may have decided not to send).
    public func publishAvailEvent(_ memory: GuestMemory) throws(VirtqueueError) -> Bool {
        try write(lastAvailIndex, at: deviceArea + 4 + 8 * UInt64(size), memory)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return try read(UInt16.self, at: driverArea + 2, memory, "the available ring") != lastAvailIndex
    }

    /// Whether the driver wants an interrupt for the used entries from `oldUsed` to `usedIndex`:
    /// with EVENT_IDX when they cross used_event (§2.7.10: vring_need_event), otherwise unless the
    /// driver set VIRTQ_AVAIL_F_NO_INTERRUPT (§2.7.7).
    public func needsInterrupt(
        since oldUsed: UInt16, eventIndex: Bool, _ memory: GuestMemory
    ) throws(VirtqueueError)
        -> Bool
    {
        guard oldUsed != usedIndex else { return false }
        // Our used.idx store before the driver's used_event / flags load.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if eventIndex {
            let usedEvent = try read(UInt16.self, at: driverArea + 4 + 2 * UInt64(size), memory, "used_event")
            return usedIndex &- usedEvent &- 1 < usedIndex &- oldUsed
        }
        let flags = try read(UInt16.self, at: driverArea, memory, "the available ring")
        return flags & Self.VIRTQ_AVAIL_F_NO_INTERRUPT == 0
    }

    private func read<T: FixedWidthInteger>(
        _ type: T.Type, at address: UInt64, _ memory: GuestMemory, _ what: String
    ) throws(VirtqueueError) -> T {
        do { return try memory.read(type, at: address) } catch {
            throw .outsideRAM(what: what, address: address, length: UInt64(MemoryLayout<T>.size))
        }
    }

    private func write<T: FixedWidthInteger>(
        _ value: T, at address: UInt64, _ memory: GuestMemory
    )
        throws(VirtqueueError)
    {
        do { try memory.write(value, at: address) } catch {
            throw .outsideRAM(what: "the used ring", address: address, length: UInt64(MemoryLayout<T>.size))
        }
    }
}
