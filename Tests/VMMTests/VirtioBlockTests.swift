import Glibc
import Synchronization
import Testing

@testable import VMM

/// virtio-blk requests through the transport against a real temporary image: the data lands in the
/// file, and every bad request gets its status (IOERR, UNSUPP) without touching the image.
@Suite("virtio-blk (virtio 1.2 §5.2)")
struct VirtioBlockTests {
    typealias D = VirtioTestDriver
    typealias T = VirtioBlock.RequestType
    static let header = D.data
    static let payload = D.data + 0x1000
    static let status = D.data + 0x100

    /// A started driver over a fresh image of `sectors` sectors.
    static func device(
        sectors: Int = 16, readOnly: Bool = false, serial: String = "", fill: UInt8 = 0
    ) throws -> (D, TemporaryDisk) {
        let file = try TemporaryDisk(sectors: sectors, fill: fill)
        let block = try VirtioBlock(disk: DiskImage(path: file.path, readOnly: readOnly), serial: serial)
        let d = try D(block)
        d.start(features: VirtioMMIO.Feature.VIRTIO_F_VERSION_1 | VirtioMMIO.Feature.VIRTIO_F_EVENT_IDX)
        return (d, file)
    }

    /// Posts header → data (`dataWritable` says which way) → status, and returns the status byte.
    static func request(
        _ d: D, type: UInt32, sector: UInt64, data: [UInt8] = [], dataLength: UInt32? = nil, dataWritable: Bool
    ) throws -> UInt8 {
        try d.memory.write(type, at: header)
        try d.memory.write(UInt32(0), at: header + 4)
        try d.memory.write(sector, at: header + 8)
        try d.memory.write(data, at: payload)
        try d.memory.write(UInt8(0xEE), at: status)
        let length = dataLength ?? UInt32(data.count)
        try d.descriptor(0, address: header, length: 16, flags: D.next, next: 1)
        try d.descriptor(1, address: payload, length: length, flags: D.next | (dataWritable ? D.writable : 0), next: 2)
        try d.descriptor(2, address: status, length: 1, flags: D.writable)
        try d.post(0)
        return try d.memory.read(UInt8.self, at: status)
    }

    @Test("a write lands in the file, a read brings it back, the used length counts data + status")
    func writeAndRead() throws {
        let (d, file) = try Self.device()
        let data = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_OUT, sector: 3, data: data, dataWritable: false) == 0)
        #expect(Array(file.contents()[1536..<2560]) == data)
        #expect(try d.usedElement(0).length == 1)
        try d.memory.write([UInt8](repeating: 0, count: 1024), at: Self.payload)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_IN, sector: 3, dataLength: 1024, dataWritable: true) == 0)
        #expect(try d.memory.read(at: Self.payload, count: 1024) == data)
        #expect(try d.usedElement(1) == (0, 1025))
        #expect(try d.usedIndex() == 2)
        #expect(d.levels.first == true && d.read(.InterruptStatus) == VirtioMMIO.Interrupt.usedBuffer)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_FLUSH, sector: 0, dataLength: 0, dataWritable: false) == 0)
    }

    @Test("sectors beyond the end, partial sectors and data the wrong way are IOERR; the image is untouched")
    func ioErrors() throws {
        let (d, file) = try Self.device(fill: 0x5A)
        let before = file.contents()
        let sector = [UInt8](repeating: 1, count: 512)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_OUT, sector: 16, data: sector, dataWritable: false) == 1)
        #expect(
            try Self.request(d, type: T.VIRTIO_BLK_T_OUT, sector: 15, data: sector + sector, dataWritable: false) == 1)
        #expect(
            try Self.request(d, type: T.VIRTIO_BLK_T_OUT, sector: UInt64.max / 256, data: sector, dataWritable: false)
                == 1)
        #expect(
            try Self.request(d, type: T.VIRTIO_BLK_T_OUT, sector: 0, data: Array(sector[0..<100]), dataWritable: false)
                == 1)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_OUT, sector: 0, data: sector, dataWritable: true) == 1)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_IN, sector: 0, data: sector, dataWritable: false) == 1)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_IN, sector: 16, dataLength: 512, dataWritable: true) == 1)
        #expect(file.contents() == before)
        #expect(!d.needsReset)
        #expect(d.warnings.contains { $0.contains("beyond the end") })
    }

    @Test("an unknown request type is UNSUPP; GET_ID returns the serial in 20 bytes")
    func unsupportedAndID() throws {
        let (d, _) = try Self.device(serial: "disk-0042")
        #expect(try Self.request(d, type: 99, sector: 0, dataLength: 0, dataWritable: false) == 2)
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_GET_ID, sector: 0, dataLength: 20, dataWritable: true) == 0)
        #expect(
            try d.memory.read(at: Self.payload, count: 20) == Array("disk-0042".utf8) + [UInt8](repeating: 0, count: 11)
        )
        #expect(try d.usedElement(1).length == 21)
    }

    @Test("a read-only disk offers VIRTIO_BLK_F_RO, refuses writes with IOERR and still reads")
    func readOnly() throws {
        let (d, file) = try Self.device(readOnly: true, fill: 9)
        d.write(.DeviceFeaturesSel, 0)
        #expect(UInt64(d.read(.DeviceFeatures)) & VirtioBlock.Feature.VIRTIO_BLK_F_RO != 0)
        #expect(UInt64(d.read(.DeviceFeatures)) & VirtioBlock.Feature.VIRTIO_BLK_F_WRITE_ZEROES == 0)
        #expect(
            try Self.request(
                d, type: T.VIRTIO_BLK_T_OUT, sector: 0, data: [UInt8](repeating: 1, count: 512), dataWritable: false)
                == 1)
        #expect(file.contents().allSatisfy { $0 == 9 })
        #expect(try Self.request(d, type: T.VIRTIO_BLK_T_IN, sector: 0, dataLength: 512, dataWritable: true) == 0)
        #expect(try d.memory.read(at: Self.payload, count: 512).allSatisfy { $0 == 9 })
    }

    @Test("write-zeroes zeroes the range; discard only when offered")
    func zeroing() throws {
        let (d, file) = try Self.device(fill: 0xFF)
        var segment: [UInt8] = []
        for (value, size) in [(UInt64(2), 8), (4, 4), (0, 4)] {
            segment += (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        #expect(
            try Self.request(d, type: T.VIRTIO_BLK_T_WRITE_ZEROES, sector: 0, data: segment, dataWritable: false) == 0)
        let bytes = file.contents()
        #expect(bytes[1024..<3072].allSatisfy { $0 == 0 })
        #expect(bytes[0..<1024].allSatisfy { $0 == 0xFF } && bytes[3072...].allSatisfy { $0 == 0xFF })
        let block = try #require(d.transport.backend as? VirtioBlock)
        let expected: UInt8 = block.disk.canPunchHoles ? 0 : 2
        #expect(
            try Self.request(d, type: T.VIRTIO_BLK_T_DISCARD, sector: 0, data: segment, dataWritable: false) == expected
        )
    }

    @Test("a request without a status byte cannot be answered: DEVICE_NEEDS_RESET")
    func noStatusByte() throws {
        let (d, _) = try Self.device()
        try d.memory.write(T.VIRTIO_BLK_T_IN, at: Self.header)
        try d.descriptor(0, address: Self.header, length: 16)
        try d.post(0)
        #expect(d.needsReset)
        #expect(d.read(.InterruptStatus) & VirtioMMIO.Interrupt.configChange != 0)
    }

    @Test("the configuration space reports the capacity in sectors and blk_size 512")
    func configSpace() throws {
        let (d, _) = try Self.device(sectors: 40)
        #expect(d.transport.mmioRead(offset: 0x100, size: 8) == 40)
        #expect(d.transport.mmioRead(offset: 0x100 + 20, size: 4) == 512)
        #expect(d.read(.MagicValue) == 0x7472_6976 && d.read(.Version) == 2 && d.read(.DeviceID) == 2)
    }
}

@Suite("Disk images: open, size and OFD locks")
struct DiskImageTests {
    @Test("missing, odd-sized and locked images are refused, naming the file")
    func refusals() throws {
        #expect(throws: DiskError.missing(path: "/nonexistent/vmmctl.img")) {
            try DiskImage(path: "/nonexistent/vmmctl.img", readOnly: false)
        }
        let file = try TemporaryDisk(sectors: 2)
        let fd = open(file.path, O_WRONLY)
        _ = write(fd, "x", 1)
        ftruncate(fd, 1000)
        close(fd)
        #expect(throws: DiskError.sizeNotSectorMultiple(path: file.path, size: 1000)) {
            try DiskImage(path: file.path, readOnly: false)
        }
    }

    @Test("a read-write open excludes any other; read-only opens share")
    func locks() throws {
        let file = try TemporaryDisk(sectors: 2)
        do {
            let first = try DiskImage(path: file.path, readOnly: false)
            #expect(throws: DiskError.locked(path: file.path, heldForWriting: true)) {
                try DiskImage(path: file.path, readOnly: false)
            }
            #expect(throws: DiskError.locked(path: file.path, heldForWriting: true)) {
                try DiskImage(path: file.path, readOnly: true)
            }
            _ = first
        }
        let a = try DiskImage(path: file.path, readOnly: true)
        let b = try DiskImage(path: file.path, readOnly: true)
        #expect(throws: DiskError.locked(path: file.path, heldForWriting: false)) {
            try DiskImage(path: file.path, readOnly: false)
        }
        _ = (a, b)
        #expect(DiskError.locked(path: "d.img", heldForWriting: true).description.contains("d.img"))
    }
}

@Suite("virtio-mmio transport and state")
struct VirtioTransportTests {
    typealias D = VirtioTestDriver

    @Test("FEATURES_OK sticks only with VIRTIO_F_VERSION_1 and offered bits")
    func featureNegotiation() throws {
        let d = try D(VirtioEntropy())
        d.write(.Status, 3)
        d.write(.DriverFeaturesSel, 0)
        d.write(.DriverFeatures, 0)
        d.write(.Status, 3 | VirtioMMIO.Status.FEATURES_OK)
        #expect(d.status == 3)  // refused: no VERSION_1
        d.write(.DriverFeaturesSel, 1)
        d.write(.DriverFeatures, 1 | 2)  // VERSION_1 and an unoffered bit 33
        d.write(.Status, 3 | VirtioMMIO.Status.FEATURES_OK)
        #expect(d.status == 3)
        d.write(.DriverFeatures, 1)
        d.write(.Status, 3 | VirtioMMIO.Status.FEATURES_OK)
        #expect(d.status == 3 | VirtioMMIO.Status.FEATURES_OK)
        d.write(.DeviceFeaturesSel, 1)
        #expect(d.read(.DeviceFeatures) == 1)
        d.write(.DeviceFeaturesSel, 0)
        #expect(
            UInt64(d.read(.DeviceFeatures)) == VirtioMMIO.Feature.VIRTIO_F_EVENT_IDX
                | VirtioMMIO.Feature.VIRTIO_F_INDIRECT_DESC)
    }

    @Test("virtio-rng fills the writable buffers, and InterruptACK lowers the line")
    func entropy() throws {
        let d = try D(VirtioEntropy())
        d.start()
        try d.descriptor(0, address: D.data, length: 256, flags: D.writable)
        try d.post(0)
        #expect(try d.usedElement(0) == (0, 256))
        #expect(try d.memory.read(at: D.data, count: 256) != [UInt8](repeating: 0, count: 256))
        #expect(d.levels == [true])
        d.write(.InterruptACK, VirtioMMIO.Interrupt.usedBuffer)
        #expect(d.levels == [true, false] && d.read(.InterruptStatus) == 0)
    }

    @Test("the device state round-trips, and a restored device carries on from the saved indices")
    func stateRoundTrip() throws {
        let file = try TemporaryDisk(sectors: 8)
        let device = VirtioMMIODevice(
            slot: 2, layout: .standard,
            backend: try VirtioBlock(disk: DiskImage(path: file.path, readOnly: false), serial: "s1"))
        device.transport.status = 0xF
        device.transport.driverFeatures = 0x1_2000_0000
        device.transport.interruptStatus = 1
        device.transport.configGeneration = 3
        device.transport.queues[0].ready = true
        device.transport.queues[0].size = 64
        device.transport.queues[0].descriptorTable = 0x4000_0000
        device.transport.queues[0].lastAvailIndex = 77
        device.transport.queues[0].usedIndex = 76
        let saved = device.saveState()
        #expect(saved.kind == VirtioMMIODevice.kind.tag && saved.instance == 2)
        let decoded = try VirtioMMIODevice.State(decoding: saved.payload, version: saved.version)
        #expect(decoded == device.state)
        #expect(throws: DeviceStateError.unsupportedVersion(device: "virtio-mmio", found: 2, supported: 1)) {
            try VirtioMMIODevice.State(decoding: saved.payload, version: 2)
        }
        // A restore while the saving device still holds the image is refused: the lock.
        #expect(throws: MachineError.self) {
            _ = try MachineDevices.restored([saved], layout: .standard, console: { _ in })
        }
        withExtendedLifetime(device) {}
    }

    @Test("restore refuses an image that changed size or is missing, naming it")
    func restoreChecksImage() throws {
        var saved: DeviceState
        var path: String
        let file = try TemporaryDisk(sectors: 8)
        path = file.path
        do {
            let device = VirtioMMIODevice(
                slot: 0, layout: .standard, backend: try VirtioBlock(disk: DiskImage(path: path, readOnly: false)))
            saved = device.saveState()
        }
        do {
            let restored = try MachineDevices.restored([saved], layout: .standard, console: { _ in })
            let device = try #require(restored.last as? VirtioMMIODevice)
            try device.restoreState(saved)
            #expect(device.state == (try VirtioMMIODevice.State(decoding: saved.payload, version: 1)))
        }
        truncate(path, 8192)
        do {
            _ = try MachineDevices.restored([saved], layout: .standard, console: { _ in })
            Issue.record("a changed image was accepted")
        } catch .disk(let error) {
            #expect(error == .sizeChanged(path: path, found: 8192, expected: 4096))
        } catch {
            Issue.record("\(error)")
        }
        unlink(path)
        do {
            _ = try MachineDevices.restored([saved], layout: .standard, console: { _ in })
            Issue.record("a missing image was accepted")
        } catch .disk(let error) {
            #expect(error == .missing(path: path))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("attached through the hub: one doorbell per queue on QueueNotify, held off while the machine is paused")
    func doorbellsThroughHub() throws {
        let memory = try GuestMemory(guestAddress: D.ramBase, size: D.ramSize)
        let device = VirtioMMIODevice(slot: 1, layout: .standard, backend: VirtioEntropy())
        let hub = try DeviceHub([device])
        let rung = Mutex<[(Doorbell, @Sendable () -> Void)]>([])
        let paused = Atomic<Bool>(false)
        var context = DeviceContext(
            memory: memory, warn: { _ in }, interrupt: { _ in InterruptLine { _ in } },
            doorbell: { (doorbell, handler) throws(MachineError) in rung.withLock { $0.append((doorbell, handler)) } })
        context.holdDoorbells = { paused.load(ordering: .relaxed) }
        try hub.attach(context)
        let (doorbell, handler) = try #require(rung.withLock { $0.first })
        #expect(doorbell.address == 0x0A00_0200 + 0x50 && doorbell.length == 4 && doorbell.datamatch == 0)
        // Bring the device up through the hub (as vCPUs would), post one request.
        let base: UInt64 = 0x0A00_0200
        func w(_ r: VirtioMMIO.Register, _ v: UInt32) {
            _ = hub.access(address: base + r.rawValue, size: 4, isWrite: true, value: UInt64(v))
        }
        w(.Status, 3)
        w(.DriverFeaturesSel, 1)
        w(.DriverFeatures, 1)
        w(.Status, 11)
        w(.QueueNum, 8)
        w(.QueueDescLow, UInt32(D.descriptors & 0xFFFF_FFFF))
        w(.QueueDriverLow, UInt32(D.avail & 0xFFFF_FFFF))
        w(.QueueDeviceLow, UInt32(D.used & 0xFFFF_FFFF))
        w(.QueueReady, 1)
        w(.Status, 15)
        try memory.write(D.data, at: D.descriptors)
        try memory.write(UInt32(32), at: D.descriptors + 8)
        try memory.write(D.writable, at: D.descriptors + 12)
        try memory.write(UInt16(1), at: D.avail + 2)
        paused.store(true, ordering: .relaxed)
        handler()
        #expect(try memory.read(UInt16.self, at: D.used + 2) == 0)  // held off
        paused.store(false, ordering: .relaxed)
        handler()
        #expect(try memory.read(UInt16.self, at: D.used + 2) == 1)
        #expect(try memory.read(UInt32.self, at: D.used + 8) == 32)
    }
}
