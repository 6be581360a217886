/// virtio-blk (virtio 1.2 §5.2) over a raw image: read, write, flush, GET_ID, discard and
/// write-zeroes, with one request queue. Requests are served synchronously (the I/O thread calls
/// in under the device lock), so a completed request is on the image, and after a flush on the
/// host's disk.
public final class VirtioBlock: VirtioSnapshotBackend {
    /// Feature bits (§5.2.3).
    public enum Feature {
        public static let VIRTIO_BLK_F_SEG_MAX: UInt64 = 1 << 2
        public static let VIRTIO_BLK_F_RO: UInt64 = 1 << 5
        public static let VIRTIO_BLK_F_BLK_SIZE: UInt64 = 1 << 6
        public static let VIRTIO_BLK_F_FLUSH: UInt64 = 1 << 9
        public static let VIRTIO_BLK_F_DISCARD: UInt64 = 1 << 13
        public static let VIRTIO_BLK_F_WRITE_ZEROES: UInt64 = 1 << 14
    }

    /// Request types (§5.2.6).
    public enum RequestType {
        public static let VIRTIO_BLK_T_IN: UInt32 = 0
        public static let VIRTIO_BLK_T_OUT: UInt32 = 1
        public static let VIRTIO_BLK_T_FLUSH: UInt32 = 4
        public static let VIRTIO_BLK_T_GET_ID: UInt32 = 8
        public static let VIRTIO_BLK_T_DISCARD: UInt32 = 11
        public static let VIRTIO_BLK_T_WRITE_ZEROES: UInt32 = 13
    }

    /// Request status values (§5.2.6).
    public enum Status {
        public static let VIRTIO_BLK_S_OK: UInt8 = 0
        public static let VIRTIO_BLK_S_IOERR: UInt8 = 1
        public static let VIRTIO_BLK_S_UNSUPP: UInt8 = 2
    }

    public static let sectorSize: UInt64 = 512
    /// GET_ID answers with at most this many bytes (§5.2.6: VIRTIO_BLK_ID_BYTES).
    public static let idBytes = 20
    /// The most sectors one discard or write-zeroes segment may cover (max_discard_sectors).
    public static let maximumZeroingSectors: UInt32 = 0x3F_FFFF

    public let disk: DiskImage
    public let serial: String

    /// A block device over `disk`; `serial` (up to 20 bytes) is what GET_ID reports.
    public init(disk: DiskImage, serial: String = "") throws(DiskError) {
        guard serial.utf8.count <= Self.idBytes else { throw .serialTooLong(serial: serial, limit: Self.idBytes) }
        self.disk = disk
        self.serial = serial
    }

    public var deviceID: UInt32 { VirtioMMIO.DeviceID.block }
    public var name: String { "virtio-blk" }
    public var queueCount: Int { 1 }

    /// Discard only where holes can be punched; write-zeroes always (by writing zeros if need be);
    /// neither on a read-only disk, which offers RO instead.
    public var features: UInt64 {
        var bits = Feature.VIRTIO_BLK_F_SEG_MAX | Feature.VIRTIO_BLK_F_BLK_SIZE | Feature.VIRTIO_BLK_F_FLUSH
        if disk.readOnly {
            bits |= Feature.VIRTIO_BLK_F_RO
        } else {
            bits |= Feature.VIRTIO_BLK_F_WRITE_ZEROES
            if disk.canPunchHoles { bits |= Feature.VIRTIO_BLK_F_DISCARD }
        }
        return bits
    }

    /// struct virtio_blk_config (§5.2.4) up to write_zeroes_may_unmap: capacity in 512-byte sectors,
    /// seg_max (queue size - 2: header and status take two descriptors), blk_size 512, one segment
    /// per discard and write-zeroes request.
    public var configSpace: [UInt8] {
        var c = SnapshotByteWriter()
        c.u64(disk.size / Self.sectorSize)  // capacity
        c.u32(0)  // size_max (not offered)
        c.u32(UInt32(Virtqueue.maximumSize) - 2)  // seg_max
        c.u32(0)  // geometry
        c.u32(UInt32(Self.sectorSize))  // blk_size
        c.u64(0)  // topology
        c.u8(0)  // writeback
        c.u8(0)  // unused0
        c.u16(1)  // num_queues
        c.u32(Self.maximumZeroingSectors)  // max_discard_sectors
        c.u32(1)  // max_discard_seg
        c.u32(8)  // discard_sector_alignment: 4 KiB
        c.u32(Self.maximumZeroingSectors)  // max_write_zeroes_sectors
        c.u32(1)  // max_write_zeroes_seg
        c.u8(disk.canPunchHoles ? 1 : 0)  // write_zeroes_may_unmap
        c.raw([0, 0, 0])
        return c.bytes
    }

    /// A request is a 16-byte device-readable header (type u32, reserved u32, sector u64), its data,
    /// and a device-writable status byte, the last byte of the chain (§5.2.6). A chain without a
    /// header or a status byte cannot be answered: the device needs a reset. Everything else the
    /// status reports: UNSUPP for a type or flag the device does not offer, IOERR for data in the
    /// wrong direction, a length that is not whole sectors, sectors beyond the end, a write to a
    /// read-only disk, or a failed host call.
    public func serve(
        _ chain: DescriptorChain, queue: Int, memory: GuestMemory, warn: (String, String) -> Void
    ) throws(VirtqueueError) -> UInt32 {
        guard chain.writableLength >= 1 else { throw .unanswerable("a virtio-blk request without a status byte") }
        guard chain.readableLength >= 16, let header = memory.gather(chain.readable, count: 16) else {
            throw .unanswerable("a virtio-blk request without its 16-byte header")
        }
        let request = BlockRequest(header: header, chain: chain)
        let (status, data) = execute(request, memory, warn)
        let statusAddress = chain.writable.slice(from: chain.writableLength - 1, count: 1)[0].address
        do { try memory.write(status, at: statusAddress) } catch {
            throw .outsideRAM(what: "a status byte", address: statusAddress, length: 1)
        }
        return data + 1
    }

    public func backendState() -> [UInt8] { state.encoded() }
}
