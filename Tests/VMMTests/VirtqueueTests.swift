import Testing

@testable import VMM

/// The split virtqueue and its chain walker against hand-built descriptor tables, including every
/// kind of hostile chain: each gets its exact error and the device stops with DEVICE_NEEDS_RESET
/// and a configuration-change interrupt, writing nothing for the bad request.
@Suite("Split virtqueue (virtio 1.2 §2.7)")
struct VirtqueueTests {
    typealias D = VirtioTestDriver

    /// A queue of `size` over the driver's rings.
    static func queue(size: UInt16 = 8) -> Virtqueue {
        var q = Virtqueue()
        q.size = size
        q.descriptorTable = D.descriptors
        q.driverArea = D.avail
        q.deviceArea = D.used
        q.ready = true
        return q
    }

    static func walk(_ driver: D, head: UInt16 = 0, size: UInt16 = 8) throws(VirtqueueError) -> DescriptorChain {
        try queue(size: size).walk(head: head, driver.memory)
    }

    @Test("a direct chain: readable buffers then writable ones, in order")
    func directChain() throws {
        let d = try D(VirtioEntropy())
        try d.descriptor(0, address: D.data, length: 16, flags: D.next, next: 3)
        try d.descriptor(3, address: D.data + 0x100, length: 512, flags: D.next | D.writable, next: 5)
        try d.descriptor(5, address: D.data + 0x400, length: 1, flags: D.writable)
        let chain = try Self.walk(d)
        #expect(chain.readable == [GuestBuffer(address: D.data, length: 16)])
        #expect(
            chain.writable == [
                GuestBuffer(address: D.data + 0x100, length: 512), GuestBuffer(address: D.data + 0x400, length: 1),
            ])
    }

    @Test("an indirect table is followed, bounded by its own length")
    func indirectChain() throws {
        let d = try D(VirtioEntropy())
        let table = D.data + 0x8000
        try d.descriptor(0, address: table, length: 32, flags: D.indirect)
        try d.descriptor(0, address: D.data, length: 16, flags: D.next, next: 1, table: table)
        try d.descriptor(1, address: D.data + 0x200, length: 4, flags: D.writable, table: table)
        let chain = try Self.walk(d)
        #expect(chain.readable.count == 1 && chain.writable == [GuestBuffer(address: D.data + 0x200, length: 4)])
    }

    @Test("a looping chain ends after queue-size descriptors")
    func loop() throws {
        let d = try D(VirtioEntropy())
        try d.descriptor(0, address: D.data, length: 16, flags: D.next, next: 1)
        try d.descriptor(1, address: D.data, length: 16, flags: D.next, next: 0)
        #expect(throws: VirtqueueError.chainLoop(limit: 8)) { try Self.walk(d) }
    }

    @Test("a looping indirect table ends after its own entries")
    func indirectLoop() throws {
        let d = try D(VirtioEntropy())
        let table = D.data + 0x8000
        try d.descriptor(0, address: table, length: 48, flags: D.indirect)
        for i in 0..<3 {
            try d.descriptor(i, address: D.data, length: 8, flags: D.next, next: UInt16((i + 1) % 3), table: table)
        }
        #expect(throws: VirtqueueError.chainLoop(limit: 3)) { try Self.walk(d) }
    }

    @Test("a next index past the table, and a head past the queue, are refused")
    func indexOutOfRange() throws {
        let d = try D(VirtioEntropy())
        try d.descriptor(0, address: D.data, length: 16, flags: D.next, next: 8)
        #expect(throws: VirtqueueError.descriptorIndexOutOfRange(index: 8, tableSize: 8)) { try Self.walk(d) }
        #expect(throws: VirtqueueError.descriptorIndexOutOfRange(index: 9, tableSize: 8)) {
            try Self.walk(d, head: 9)
        }
    }

    @Test("buffers outside guest RAM, or straddling its end, are refused")
    func outsideRAM() throws {
        let d = try D(VirtioEntropy())
        try d.descriptor(0, address: 0x1000, length: 16)
        #expect(throws: VirtqueueError.outsideRAM(what: "a buffer", address: 0x1000, length: 16)) { try Self.walk(d) }
        let end = D.ramBase + UInt64(D.ramSize)
        try d.descriptor(0, address: end - 8, length: 16, flags: D.writable)
        #expect(throws: VirtqueueError.outsideRAM(what: "a buffer", address: end - 8, length: 16)) { try Self.walk(d) }
        try d.descriptor(0, address: 0x10_0000_0000, length: 64, flags: D.indirect)
        #expect(throws: VirtqueueError.outsideRAM(what: "an indirect table", address: 0x10_0000_0000, length: 64)) {
            try Self.walk(d)
        }
    }

    @Test("a length that wraps the address space, or a chain over 4 GiB, overflows")
    func lengthOverflow() throws {
        let d = try D(VirtioEntropy())
        try d.descriptor(0, address: UInt64.max - 0xFFF, length: 0x2000)
        #expect(throws: VirtqueueError.lengthOverflow(address: UInt64.max - 0xFFF, length: 0x2000)) {
            try Self.walk(d)
        }
    }

    @Test("indirect inside indirect, indirect with NEXT, and bad indirect lengths are refused")
    func indirectRules() throws {
        let d = try D(VirtioEntropy())
        let table = D.data + 0x8000
        try d.descriptor(0, address: table, length: 16, flags: D.indirect)
        try d.descriptor(0, address: table, length: 16, flags: D.indirect, table: table)
        #expect(throws: VirtqueueError.nestedIndirect) { try Self.walk(d) }
        try d.descriptor(0, address: table, length: 16, flags: D.indirect | D.next, next: 1)
        #expect(throws: VirtqueueError.indirectWithNext) { try Self.walk(d) }
        for length: UInt32 in [0, 24, 16 * (Virtqueue.maximumIndirectEntries + 1)] {
            try d.descriptor(0, address: table, length: length, flags: D.indirect)
            #expect(throws: VirtqueueError.indirectTableLength(length)) { try Self.walk(d) }
        }
    }

    @Test("a device-readable buffer after a device-writable one is refused")
    func readableAfterWritable() throws {
        let d = try D(VirtioEntropy())
        try d.descriptor(0, address: D.data, length: 16, flags: D.next | D.writable, next: 1)
        try d.descriptor(1, address: D.data, length: 16)
        #expect(throws: VirtqueueError.readableAfterWritable) { try Self.walk(d) }
    }

    @Test("avail.idx more than the queue size ahead is refused without consuming anything")
    func availJump() throws {
        let d = try D(VirtioEntropy())
        var q = Self.queue()
        try d.memory.write(UInt16(9), at: D.avail + 2)
        #expect(throws: VirtqueueError.availIndexJump(avail: 9, lastSeen: 0, size: 8)) { try q.popChain(d.memory) }
        #expect(q.lastAvailIndex == 0)
    }

    @Test("EVENT_IDX: avail_event is published and interrupts follow used_event (vring_need_event)")
    func eventIndex() throws {
        let d = try D(VirtioEntropy())
        var q = Self.queue()
        q.lastAvailIndex = 5
        q.usedIndex = 5
        #expect(try q.publishAvailEvent(d.memory) == true)  // avail.idx is 0, not 5: more work
        #expect(try d.memory.read(UInt16.self, at: D.used + 4 + 8 * 8) == 5)
        try d.memory.write(UInt16(5), at: D.avail + 4 + 2 * 8)  // used_event = 5
        #expect(try q.needsInterrupt(since: 5, eventIndex: true, d.memory) == false)  // nothing new
        q.usedIndex = 6
        #expect(try q.needsInterrupt(since: 5, eventIndex: true, d.memory) == true)  // crossed 5
        try d.memory.write(UInt16(7), at: D.avail + 4 + 2 * 8)  // used_event = 7
        #expect(try q.needsInterrupt(since: 5, eventIndex: true, d.memory) == false)
        // Without EVENT_IDX, VIRTQ_AVAIL_F_NO_INTERRUPT decides.
        try d.memory.write(UInt16(1), at: D.avail)
        #expect(try q.needsInterrupt(since: 5, eventIndex: false, d.memory) == false)
        try d.memory.write(UInt16(0), at: D.avail)
        #expect(try q.needsInterrupt(since: 5, eventIndex: false, d.memory) == true)
    }

    @Test("a hostile chain through the transport: DEVICE_NEEDS_RESET, config interrupt, nothing written")
    func hostileThroughTransport() throws {
        let d = try D(VirtioEntropy())
        d.start()
        try d.descriptor(0, address: D.data, length: 64, flags: D.writable | D.next, next: 1)
        try d.descriptor(1, address: D.data + 64, length: 64, flags: D.writable | D.next, next: 0)
        try d.post(0)
        #expect(d.needsReset)
        #expect(d.read(.InterruptStatus) == VirtioMMIO.Interrupt.configChange)
        #expect(d.levels == [true])
        #expect(try d.usedIndex() == 0)
        #expect(try d.memory.read(at: D.data, count: 128) == [UInt8](repeating: 0, count: 128))
        #expect(d.warnings.count == 1 && d.warnings[0].contains("loop"))
        // Further kicks are ignored until reset, and the warning is not repeated for nothing.
        try d.post(0)
        #expect(try d.usedIndex() == 0)
        // Reset clears it; the driver can start over.
        d.write(.Status, 0)
        #expect(d.status == 0 && d.levels == [true, false])
    }

    @Test("QueueNum not a power of 2, above QueueNumMax, or rings outside RAM: the queue stays not ready")
    func badQueueSetup() throws {
        for (size, descriptors) in [
            (UInt32(6), D.descriptors), (512, D.descriptors), (8, 0x1000), (8, D.descriptors + 8),
        ] {
            let d = try D(VirtioEntropy())
            d.write(.QueueSel, 0)
            #expect(d.read(.QueueNumMax) == UInt32(Virtqueue.maximumSize))
            d.write(.QueueNum, size)
            d.write(.QueueDescLow, UInt32(truncatingIfNeeded: descriptors))
            d.write(.QueueDriverLow, UInt32(truncatingIfNeeded: D.avail))
            d.write(.QueueDeviceLow, UInt32(truncatingIfNeeded: D.used))
            d.write(.QueueReady, 1)
            #expect(d.read(.QueueReady) == 0)
            #expect(d.needsReset)
            #expect(d.levels.isEmpty)  // not DRIVER_OK yet: no interrupt
        }
    }

    @Test("warnings are rate-limited per kind")
    func rateLimit() {
        var w = GuestWarnings()
        let admitted = (0..<100).compactMap { _ in w.admit("k", "x") }
        #expect(admitted == ["x", "x", "x (further warnings of this kind suppressed)"])
        for i in 0..<100 { _ = w.admit("key \(i)", "y") }
        #expect(w.admit("another", "z") == nil)
    }
}
