import CKVM
import Glibc

/// An open raw disk image (a regular file or a block device) with its OFD lock: the host side of
/// a virtio-blk device. Owns the fd and closes it (dropping the lock) in deinit.
///
/// The lock is an open file description lock (fcntl F_OFD_SETLK, a write lock for read-write use and
/// a read lock for read-only use, over the whole file): it belongs to this open, not to the process,
/// so it is not lost when any other fd of the same file is closed, and a second vmmctl gets a clear
/// refusal before its guest starts instead of two VMs corrupting one filesystem.
public final class DiskImage: @unchecked Sendable {
    // @unchecked: the fd and the facts read at open are immutable; pread/pwrite at explicit offsets
    // are safe from any thread, and the owning device serialises requests anyway.

    /// Linux fcntl commands for OFD locks (include/uapi/asm-generic/fcntl.h).
    static let F_OFD_GETLK: Int32 = 36
    static let F_OFD_SETLK: Int32 = 37
    /// fallocate(2) modes (include/uapi/linux/falloc.h).
    static let FALLOC_FL_KEEP_SIZE: Int32 = 0x01
    static let FALLOC_FL_PUNCH_HOLE: Int32 = 0x02
    static let FALLOC_FL_ZERO_RANGE: Int32 = 0x10

    public let path: String
    public let readOnly: Bool
    /// Size in bytes (a multiple of 512).
    public let size: UInt64
    /// Whether the backing frees ranges (FALLOC_FL_PUNCH_HOLE): what discard needs.
    public let canPunchHoles: Bool
    let fd: Int32

    /// Opens and locks `path`.
    /// - Throws: `DiskError` naming the file: missing, not a disk, size not a multiple of 512, locked.
    public init(path: String, readOnly: Bool) throws(DiskError) {
        let fd = open(path, (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC)
        guard fd >= 0 else {
            throw errno == ENOENT ? .missing(path: path) : .openFailed(path: path, errno: errno)
        }
        do {
            size = try Self.size(of: fd, path: path)
            try Self.lock(fd, path: path, forWriting: !readOnly)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.path = path
        self.readOnly = readOnly
        canPunchHoles = !readOnly && Self.probePunchHole(fd, at: size)
    }

    deinit { close(fd) }

    private static func size(of fd: Int32, path: String) throws(DiskError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .openFailed(path: path, errno: errno) }
        let size: UInt64
        switch info.st_mode & S_IFMT {
        case S_IFREG: size = UInt64(info.st_size)
        case S_IFBLK:
            // A block device's size, as BLKGETSIZE64 reports it: lseek to its end gives the same.
            let end = lseek(fd, 0, SEEK_END)
            guard end >= 0 else { throw .openFailed(path: path, errno: errno) }
            size = UInt64(end)
        default: throw .notADisk(path: path)
        }
        guard size % 512 == 0 else { throw .sizeNotSectorMultiple(path: path, size: size) }
        return size
    }

    private static func lock(_ fd: Int32, path: String, forWriting: Bool) throws(DiskError) {
        var request = flock()
        request.l_type = Int16(forWriting ? F_WRLCK : F_RDLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0  // the whole file, however it grows
        // SAFETY: `request` is a live struct flock for the duration of each call; OFD locks need l_pid 0.
        guard fcntl(fd, F_OFD_SETLK, &request) != 0 else { return }
        let error = errno
        guard error == EAGAIN || error == EACCES else { throw .openFailed(path: path, errno: error) }
        var probe = flock()
        probe.l_type = Int16(F_WRLCK)
        probe.l_whence = Int16(SEEK_SET)
        let holderWrites = fcntl(fd, F_OFD_GETLK, &probe) == 0 ? probe.l_type == Int16(F_WRLCK) : true
        throw .locked(path: path, heldForWriting: holderWrites)
    }

    /// Punching a hole past the end of the file changes nothing, but a backing that cannot punch holes
    /// (EOPNOTSUPP) says so: this is how discard support is found without touching data.
    private static func probePunchHole(_ fd: Int32, at end: UInt64) -> Bool {
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(end), 4096) == 0
    }

    /// Reads at `offset` into the host ranges `vectors` (guest RAM), all of them.
    /// - Returns: 0 or the errno (EIO when the file ended early: it shrank under us).
    func read(at offset: UInt64, into vectors: [iovec]) -> Int32 {
        transfer(offset, vectors) { fd, base, count, at in pread(fd, base, count, at) }
    }

    /// Writes the host ranges `vectors` at `offset`. Returns 0 or the errno.
    func write(at offset: UInt64, from vectors: [iovec]) -> Int32 {
        transfer(offset, vectors) { fd, base, count, at in pwrite(fd, base, count, at) }
    }

    /// One iovec after another, retrying short transfers and EINTR. A single preadv/pwritev would save
    /// syscalls only for multi-segment requests; each segment is usually one or more pages already.
    private func transfer(
        _ offset: UInt64, _ vectors: [iovec],
        _ call: (Int32, UnsafeMutableRawPointer, Int, off_t) -> Int
    ) -> Int32 {
        var position = offset
        for vector in vectors {
            guard let base = vector.iov_base else { continue }
            var done = 0
            while done < vector.iov_len {
                // SAFETY: `base` points at `iov_len` bytes of live guest RAM (GuestMemory.withIOVecs).
                let n = call(fd, base + done, vector.iov_len - done, off_t(position))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }
                done += n
                position += UInt64(n)
            }
        }
        return 0
    }

    /// Makes everything written so far durable on the host's disk (a guest flush). Returns 0 or the errno.
    func flush() -> Int32 {
        while fdatasync(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return 0
    }

    /// Frees `[offset, offset + length)` (reads then return zeros). Returns 0 or the errno.
    func punchHole(at offset: UInt64, length: UInt64) -> Int32 {
        fallocate(fd, Self.FALLOC_FL_PUNCH_HOLE | Self.FALLOC_FL_KEEP_SIZE, off_t(offset), off_t(length)) == 0
            ? 0 : errno
    }

    /// Zeroes `[offset, offset + length)`: FALLOC_FL_ZERO_RANGE (or a punched hole when `unmap` allows
    /// it) where the backing has them, otherwise by writing zeros. Returns 0 or the errno.
    func writeZeroes(at offset: UInt64, length: UInt64, unmap: Bool) -> Int32 {
        if unmap && canPunchHoles && punchHole(at: offset, length: length) == 0 { return 0 }
        if fallocate(fd, Self.FALLOC_FL_ZERO_RANGE | Self.FALLOC_FL_KEEP_SIZE, off_t(offset), off_t(length)) == 0 {
            return 0
        }
        var zeros = [UInt8](repeating: 0, count: 64 << 10)
        var position = offset
        let end = offset + length
        while position < end {
            let count = Int(min(UInt64(zeros.count), end - position))
            let status = zeros.withUnsafeMutableBytes { bytes in
                transfer(position, [iovec(iov_base: bytes.baseAddress, iov_len: count)]) { fd, base, n, at in
                    pwrite(fd, base, n, at)
                }
            }
            if status != 0 { return status }
            position += UInt64(count)
        }
        return 0
    }
}
