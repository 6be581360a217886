/// A range of guest-physical memory named by one descriptor.
public struct GuestBuffer: Hashable, Sendable {
    public var address: UInt64
    public var length: UInt32

    public init(address: UInt64, length: UInt32) {
        self.address = address
        self.length = length
    }
}

/// One request as the driver posted it: the head index (what goes back in the used ring) and its
/// buffers, device-readable ones first (§2.7.4.2). Every buffer was checked to lie inside guest RAM
/// and the totals fit in 32 bits (`Virtqueue.walk`), so a device can trust the lengths it finds here.
public struct DescriptorChain: Hashable, Sendable {
    public var head: UInt16
    public var readable: [GuestBuffer] = []
    public var writable: [GuestBuffer] = []

    public init(head: UInt16, readable: [GuestBuffer] = [], writable: [GuestBuffer] = []) {
        self.head = head
        self.readable = readable
        self.writable = writable
    }

    /// Total bytes the device may read.
    public var readableLength: UInt64 { readable.reduce(0) { $0 + UInt64($1.length) } }
    /// Total bytes the device may write.
    public var writableLength: UInt64 { writable.reduce(0) { $0 + UInt64($1.length) } }
}

extension [GuestBuffer] {
    /// The buffers covering bytes `[offset, offset + count)` of this sequence taken as one byte stream
    /// (a request's data after its header, say). The range must lie within the total length.
    func slice(from offset: UInt64, count: UInt64) -> [GuestBuffer] {
        var out: [GuestBuffer] = []
        var skip = offset
        var left = count
        for buffer in self where left > 0 {
            let length = UInt64(buffer.length)
            if skip >= length {
                skip -= length
                continue
            }
            let take = Swift.min(length - skip, left)
            out.append(GuestBuffer(address: buffer.address + skip, length: UInt32(take)))
            left -= take
            skip = 0
        }
        return out
    }
}
