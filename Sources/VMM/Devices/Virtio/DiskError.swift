/// Why a disk image cannot be used. Raised before the guest starts (fresh boot and restore); the
/// command line words them with its own flags.
public enum DiskError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file does not exist.
    case missing(path: String)
    /// open(2) or fstat(2) failed for another reason.
    case openFailed(path: String, errno: Int32)
    /// Not a regular file or a block device.
    case notADisk(path: String)
    /// The size is not a whole number of 512-byte sectors.
    case sizeNotSectorMultiple(path: String, size: UInt64)
    /// Another open file description holds a conflicting OFD lock: another vmmctl (or a program that
    /// locks the same way) has the image open. `heldForWriting`: the holder has it read-write.
    case locked(path: String, heldForWriting: Bool)
    /// The serial number does not fit in GET_ID's 20 bytes.
    case serialTooLong(serial: String, limit: Int)
    /// A restore found the image at another size than when the snapshot was taken.
    case sizeChanged(path: String, found: UInt64, expected: UInt64)

    public var description: String {
        switch self {
        case .missing(let path): "disk image \(path) does not exist"
        case .openFailed(let path, let errno): "disk image \(path): \(Errno.describe(errno))"
        case .notADisk(let path): "disk image \(path) is neither a regular file nor a block device"
        case .sizeNotSectorMultiple(let path, let size):
            "disk image \(path) is \(size) bytes, not a multiple of 512 (pad it, e.g. truncate -s %512 \(path))"
        case .locked(let path, let heldForWriting):
            heldForWriting
                ? "disk image \(path) is locked: another vmmctl (or another program) has it open read-write; "
                    + "stop that VM or give this one a copy"
                : "disk image \(path) is locked read-only by another vmmctl (or another program), so it cannot "
                    + "be opened read-write; open it readonly here too, or stop that VM"
        case .serialTooLong(let serial, let limit): "disk serial '\(serial)' is longer than \(limit) bytes"
        case .sizeChanged(let path, let found, let expected):
            "disk image \(path) is \(found) bytes, but the snapshot was taken with \(expected) bytes: it changed "
                + "since; restore with the image as it was"
        }
    }
}
