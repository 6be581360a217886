import Glibc
import Testing

@testable import VMM

/// A hand-rolled virtio driver for host tests: guest RAM in an anonymous mapping, one queue's rings
/// at fixed addresses, descriptors written by hand (so tests can write bad ones), and the transport
/// driven through its registers exactly as a guest would.
final class VirtioTestDriver {
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize = 4 << 20
    static let descriptors: UInt64 = ramBase
    static let avail: UInt64 = ramBase + 0x1000
    static let used: UInt64 = ramBase + 0x2000
    /// Data buffers go from here.
    static let data: UInt64 = ramBase + 0x10000

    let memory: GuestMemory
    let transport: VirtioMMIOTransport
    var warnings: [String] = []
    var levels: [Bool] = []
    var queueSize: UInt16 = 8
    var availIndex: UInt16 = 0

    init(_ backend: any VirtioBackend) throws {
        memory = try GuestMemory(guestAddress: Self.ramBase, size: Self.ramSize)
        transport = VirtioMMIOTransport(backend: backend)
        transport.memory = memory
        transport.warn = { [unowned self] in warnings.append($0) }
        transport.onInterrupt = { [unowned self] in levels.append($0) }
    }

    func write(_ register: VirtioMMIO.Register, _ value: UInt32) {
        transport.mmioWrite(offset: register.rawValue, size: 4, value: UInt64(value))
    }

    func read(_ register: VirtioMMIO.Register) -> UInt32 {
        UInt32(transport.mmioRead(offset: register.rawValue, size: 4))
    }

    var status: UInt32 { read(.Status) }

    /// The driver side of §3.1.1: ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue 0, DRIVER_OK.
    func start(features: UInt64 = VirtioMMIO.Feature.VIRTIO_F_VERSION_1, size: UInt16 = 8) {
        queueSize = size
        write(.Status, VirtioMMIO.Status.ACKNOWLEDGE | VirtioMMIO.Status.DRIVER)
        write(.DriverFeaturesSel, 0)
        write(.DriverFeatures, UInt32(truncatingIfNeeded: features))
        write(.DriverFeaturesSel, 1)
        write(.DriverFeatures, UInt32(truncatingIfNeeded: features >> 32))
        write(.Status, VirtioMMIO.Status.ACKNOWLEDGE | VirtioMMIO.Status.DRIVER | VirtioMMIO.Status.FEATURES_OK)
        write(.QueueSel, 0)
        write(.QueueNum, UInt32(size))
        write(.QueueDescLow, UInt32(truncatingIfNeeded: Self.descriptors))
        write(.QueueDriverLow, UInt32(truncatingIfNeeded: Self.avail))
        write(.QueueDeviceLow, UInt32(truncatingIfNeeded: Self.used))
        write(.QueueReady, 1)
        write(
            .Status,
            VirtioMMIO.Status.ACKNOWLEDGE | VirtioMMIO.Status.DRIVER | VirtioMMIO.Status.FEATURES_OK
                | VirtioMMIO.Status.DRIVER_OK)
    }

    /// Writes descriptor `index` of the table at `table`.
    func descriptor(
        _ index: Int, address: UInt64, length: UInt32, flags: UInt16 = 0, next: UInt16 = 0,
        table: UInt64 = VirtioTestDriver.descriptors
    ) throws {
        let entry = table + 16 * UInt64(index)
        try memory.write(address, at: entry)
        try memory.write(length, at: entry + 8)
        try memory.write(flags, at: entry + 12)
        try memory.write(next, at: entry + 14)
    }

    /// Makes `head` available and notifies queue 0.
    func post(_ head: UInt16) throws {
        try memory.write(head, at: Self.avail + 4 + 2 * UInt64(availIndex % queueSize))
        availIndex &+= 1
        try memory.write(availIndex, at: Self.avail + 2)
        transport.notify(queue: 0)
    }

    /// used.idx as the device left it.
    func usedIndex() throws -> UInt16 { try memory.read(UInt16.self, at: Self.used + 2) }

    /// Used element `slot`: (id, len).
    func usedElement(_ slot: Int) throws -> (id: UInt32, length: UInt32) {
        let at = Self.used + 4 + 8 * UInt64(slot)
        return (try memory.read(UInt32.self, at: at), try memory.read(UInt32.self, at: at + 4))
    }

    var needsReset: Bool { status & VirtioMMIO.Status.DEVICE_NEEDS_RESET != 0 }

    static let next = Virtqueue.VIRTQ_DESC_F_NEXT
    static let writable = Virtqueue.VIRTQ_DESC_F_WRITE
    static let indirect = Virtqueue.VIRTQ_DESC_F_INDIRECT
}

/// A scratch disk image in a temporary directory, removed at deinit.
final class TemporaryDisk {
    let path: String

    init(sectors: Int, fill: UInt8 = 0) throws {
        var template = Array("/tmp/vmmctl-disk-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = [UInt8](repeating: fill, count: sectors * 512)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    deinit { unlink(path) }

    func contents() -> [UInt8] {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: Int(lseek(fd, 0, SEEK_END)))
        _ = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return out
    }
}
