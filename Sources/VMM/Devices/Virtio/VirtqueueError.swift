/// Why a split virtqueue cannot be used any more: the driver broke a rule the device cannot work
/// around. The transport answers every case the same way the spec prescribes for an unrecoverable
/// device error (§2.1.2): it sets DEVICE_NEEDS_RESET, raises a configuration-change interrupt and
/// stops consuming the queue until the driver resets the device. Nothing is written to guest memory
/// for the offending request.
public enum VirtqueueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `avail.idx` moved more than the queue size past the last entry the device consumed (§2.7.6).
    case availIndexJump(avail: UInt16, lastSeen: UInt16, size: UInt16)
    /// A ring entry or a `next` field names a descriptor past the end of its table (§2.7.5).
    case descriptorIndexOutOfRange(index: UInt16, tableSize: UInt32)
    /// A chain visits more descriptors than its table holds, which only a loop can do (§2.7.5.2:
    /// a chain is bounded by the queue size, an indirect one by its table length).
    case chainLoop(limit: UInt32)
    /// A buffer, ring or indirect table lies (partly) outside guest RAM.
    case outsideRAM(what: String, address: UInt64, length: UInt64)
    /// A buffer's address plus length wraps, or the chain's total length exceeds what `used.len` (32 bits)
    /// can report.
    case lengthOverflow(address: UInt64, length: UInt32)
    /// An indirect descriptor inside an indirect table (§2.7.5.3.1: the driver MUST NOT).
    case nestedIndirect
    /// A descriptor with both VIRTQ_DESC_F_INDIRECT and VIRTQ_DESC_F_NEXT (§2.7.5.3.1).
    case indirectWithNext
    /// An indirect table whose length is 0, not a multiple of 16 or longer than the device accepts.
    case indirectTableLength(UInt32)
    /// A device-readable descriptor after a device-writable one (§2.7.4.2: the driver MUST place
    /// device-writable descriptors after device-readable ones).
    case readableAfterWritable
    /// A request the device cannot even answer (no device-writable byte for its status).
    case unanswerable(String)
    /// The queue was made ready with a size or ring addresses the device cannot use.
    case badQueueSetup(queue: Int, reason: String)

    public var description: String {
        switch self {
        case .availIndexJump(let avail, let lastSeen, let size):
            "avail.idx \(avail) is more than the queue size \(size) past the last entry consumed (\(lastSeen))"
        case .descriptorIndexOutOfRange(let index, let tableSize):
            "descriptor index \(index) is outside its table of \(tableSize) entries"
        case .chainLoop(let limit): "a descriptor chain runs past \(limit) descriptors (a loop)"
        case .outsideRAM(let what, let address, let length):
            "\(what) at 0x\(String(address, radix: 16)) (\(length) bytes) is outside guest RAM"
        case .lengthOverflow(let address, let length):
            "a buffer at 0x\(String(address, radix: 16)) of \(length) bytes overflows the address space or the chain's 4 GiB limit"
        case .nestedIndirect: "an indirect descriptor inside an indirect table"
        case .indirectWithNext: "an indirect descriptor with VIRTQ_DESC_F_NEXT set"
        case .indirectTableLength(let length):
            "an indirect table of \(length) bytes (must be a non-zero multiple of 16, at most \(Virtqueue.maximumIndirectEntries) entries)"
        case .readableAfterWritable: "a device-readable descriptor after a device-writable one"
        case .unanswerable(let what): "a request the device cannot answer: \(what)"
        case .badQueueSetup(let queue, let reason): "queue \(queue) cannot be made ready: \(reason)"
        }
    }
}
