import Glibc

/// One virtio-blk request, split into its parts (§5.2.6).
struct BlockRequest {
    var type: UInt32
    var sector: UInt64
    /// Device-readable bytes after the header (write data, discard segments).
    var readableData: [GuestBuffer]
    var readableDataLength: UInt64
    /// Device-writable bytes before the status byte (read data, the ID).
    var writableData: [GuestBuffer]
    var writableDataLength: UInt64

    init(header: [UInt8], chain: DescriptorChain) {
        func le<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(header[at + $1]) << (8 * $1) }
        }
        type = le(0, UInt32.self)
        sector = le(8, UInt64.self)
        readableDataLength = chain.readableLength - 16
        readableData = chain.readable.slice(from: 16, count: readableDataLength)
        writableDataLength = chain.writableLength - 1
        writableData = chain.writable.slice(from: 0, count: writableDataLength)
    }
}

extension VirtioBlock {
    typealias Outcome = (status: UInt8, written: UInt32)

    /// Runs `request`: the status byte and how many data bytes it wrote into the guest.
    func execute(_ request: BlockRequest, _ memory: GuestMemory, _ warn: (String, String) -> Void) -> Outcome {
        let ioerr: Outcome = (Status.VIRTIO_BLK_S_IOERR, 0)
        func refuse(_ key: String, _ text: String) -> Outcome {
            warn(key, text)
            return ioerr
        }
        switch request.type {
        case RequestType.VIRTIO_BLK_T_IN:
            guard request.readableDataLength == 0 else {
                return refuse("in readable", "a read request with device-readable data buffers (IOERR)")
            }
            return transfer(request, isWrite: false, memory, refuse)
        case RequestType.VIRTIO_BLK_T_OUT:
            guard !disk.readOnly else { return refuse("ro", "a write to the read-only disk \(disk.path) (IOERR)") }
            guard request.writableDataLength == 0 else {
                return refuse("out writable", "a write request with device-writable data buffers (IOERR)")
            }
            return transfer(request, isWrite: true, memory, refuse)
        case RequestType.VIRTIO_BLK_T_FLUSH:
            return disk.flush() == 0 ? (Status.VIRTIO_BLK_S_OK, 0) : ioerr
        case RequestType.VIRTIO_BLK_T_GET_ID:
            var id = Array(serial.utf8)
            id += [UInt8](repeating: 0, count: Self.idBytes - id.count)
            let fits = Int(min(request.writableDataLength, UInt64(Self.idBytes)))
            guard let n = memory.scatter(Array(id.prefix(fits)), into: request.writableData) else { return ioerr }
            return (Status.VIRTIO_BLK_S_OK, UInt32(n))
        case RequestType.VIRTIO_BLK_T_DISCARD, RequestType.VIRTIO_BLK_T_WRITE_ZEROES:
            return zeroing(request, memory, refuse)
        default:
            warn("type \(request.type)", "request type \(request.type) is not supported (UNSUPP)")
            return (Status.VIRTIO_BLK_S_UNSUPP, 0)
        }
    }

    /// The byte range of `count` bytes from `sector`, if it is whole sectors inside the disk.
    func byteRange(sector: UInt64, count: UInt64) -> Range<UInt64>? {
        let (start, overflow) = sector.multipliedReportingOverflow(by: Self.sectorSize)
        guard !overflow, count % Self.sectorSize == 0, start <= disk.size, count <= disk.size - start else {
            return nil
        }
        return start..<start + count
    }

    private func transfer(
        _ request: BlockRequest, isWrite: Bool, _ memory: GuestMemory, _ refuse: (String, String) -> Outcome
    ) -> Outcome {
        let count = isWrite ? request.readableDataLength : request.writableDataLength
        let buffers = isWrite ? request.readableData : request.writableData
        guard count % Self.sectorSize == 0 else {
            return refuse(
                "partial sector", "a \(isWrite ? "write" : "read") of \(count) bytes, not whole sectors (IOERR)")
        }
        guard let range = byteRange(sector: request.sector, count: count) else {
            return refuse(
                "beyond end",
                "sectors \(request.sector)+\(count / Self.sectorSize) are beyond the end of \(disk.path) "
                    + "(\(disk.size / Self.sectorSize) sectors) (IOERR)")
        }
        let result = try? memory.withIOVecs(GuestMemory.ranges(buffers), intoGuest: !isWrite) { vectors in
            isWrite ? disk.write(at: range.lowerBound, from: vectors) : disk.read(at: range.lowerBound, into: vectors)
        }
        guard result == 0 else {
            return refuse(
                "host io",
                "\(isWrite ? "writing" : "reading") \(disk.path) failed: \(Errno.describe(result ?? EFAULT)) (IOERR)")
        }
        return (Status.VIRTIO_BLK_S_OK, isWrite ? 0 : UInt32(count))
    }

    /// Discard and write-zeroes: one segment (sector u64, num_sectors u32, flags u32; flag bit 0 is
    /// "unmap", §5.2.6) as max_discard_seg / max_write_zeroes_seg say.
    private func zeroing(
        _ request: BlockRequest, _ memory: GuestMemory, _ refuse: (String, String) -> Outcome
    ) -> Outcome {
        let discard = request.type == RequestType.VIRTIO_BLK_T_DISCARD
        let offered = discard ? Feature.VIRTIO_BLK_F_DISCARD : Feature.VIRTIO_BLK_F_WRITE_ZEROES
        guard features & offered != 0 else {
            _ = refuse("zeroing \(discard)", "\(discard ? "discard" : "write-zeroes") is not offered here (UNSUPP)")
            return (Status.VIRTIO_BLK_S_UNSUPP, 0)
        }
        guard request.readableDataLength == 16, let segment = memory.gather(request.readableData, count: 16) else {
            return refuse("segments", "a discard/write-zeroes request needs exactly one 16-byte segment (IOERR)")
        }
        func le(_ at: Int, _ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(segment[at + $1]) << (8 * $1) } }
        let (sector, sectors, flags) = (le(0, 8), le(8, 4), le(12, 4))
        guard flags & ~1 == 0, !(discard && flags != 0) else {
            _ = refuse("flags", "discard/write-zeroes flags 0x\(String(flags, radix: 16)) are not supported (UNSUPP)")
            return (Status.VIRTIO_BLK_S_UNSUPP, 0)
        }
        guard sectors <= UInt64(Self.maximumZeroingSectors),
            let range = byteRange(sector: sector, count: sectors * Self.sectorSize)
        else {
            return refuse(
                "zero beyond end",
                "discard/write-zeroes of sectors \(sector)+\(sectors) beyond the end or limit (IOERR)")
        }
        let length = UInt64(range.count)
        let status =
            discard
            ? disk.punchHole(at: range.lowerBound, length: length)
            : disk.writeZeroes(at: range.lowerBound, length: length, unmap: flags & 1 != 0)
        return status == 0 ? (Status.VIRTIO_BLK_S_OK, 0) : (Status.VIRTIO_BLK_S_IOERR, 0)
    }
}
