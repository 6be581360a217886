/// What a restore needs to rebuild a block device: the image's path, how it was opened, its serial
/// and its size (a restore refuses an image that is missing or changed size, naming it).
extension VirtioBlock {
    public struct State: Hashable, Sendable {
        public static let currentVersion: UInt32 = 1
        public var path: String
        public var readOnly: Bool
        public var serial: String
        public var size: UInt64
    }

    public var state: State { State(path: disk.path, readOnly: disk.readOnly, serial: serial, size: disk.size) }

    /// Reopens the image of `state` with the same lock and checks its size.
    public convenience init(restoring state: State) throws(DiskError) {
        let disk = try DiskImage(path: state.path, readOnly: state.readOnly)
        guard disk.size == state.size else {
            throw .sizeChanged(path: state.path, found: disk.size, expected: state.size)
        }
        try self.init(disk: disk, serial: state.serial)
    }
}

extension VirtioBlock.State {
    /// Version u32, path, read-only flag, serial, size u64.
    func encoded() -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u32(Self.currentVersion)
        out.string(path)
        out.bool(readOnly)
        out.string(serial)
        out.u64(size)
        return out.bytes
    }

    init(decoding bytes: [UInt8]) throws(DeviceStateError) {
        var r = SnapshotByteReader(bytes, context: "virtio-blk state", endIsTruncation: false)
        let version: UInt32
        do { version = try r.u32("version") } catch { throw .invalid(device: "virtio-blk", reason: "\(error)") }
        guard version == Self.currentVersion else {
            throw .unsupportedVersion(device: "virtio-blk", found: version, supported: Self.currentVersion)
        }
        do throws(SnapshotError) {
            self.init(
                path: try r.string("path"), readOnly: try r.bool("read-only"), serial: try r.string("serial"),
                size: try r.u64("size"))
            guard r.isAtEnd else { throw r.malformed("\(r.remaining) unexpected bytes") }
        } catch {
            throw .invalid(device: "virtio-blk", reason: "\(error)")
        }
    }
}
