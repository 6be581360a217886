import Glibc

/// Positioned I/O straight between a file and a caller's buffer (guest RAM, for the kernel and initrd
/// loader and the sparse memory file), and the file's holes. No Swift array sits between the two: a
/// distribution kernel read through an array leaves tens of MiB in the malloc heap after it is freed.
extension HostFile {
    /// Reads `buffer.count` bytes at `offset` into `buffer`, continuing after short reads and EINTR.
    /// Returns how many bytes were read: fewer only at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(HostFileError) -> Int {
        var done = 0
        while done < buffer.count {
            // SAFETY: [done, count) lies inside `buffer`, which the caller guarantees is writable.
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if got < 0 {
                if errno == EINTR { continue }
                throw HostFileError(operation: "read", path: path, errno: errno)
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    /// Writes all of `buffer` at `offset`, continuing after short writes and EINTR.
    public func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(HostFileError) {
        var done = 0
        while done < buffer.count {
            // SAFETY: [done, count) lies inside `buffer`, which the caller guarantees is readable.
            let written = pwrite(
                descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if written < 0 {
                if errno == EINTR { continue }
                throw HostFileError(operation: "write", path: path, errno: errno)
            }
            done += written
        }
    }

    /// Sets the file's size; growing it leaves a hole (reads as zeros, occupies nothing on a filesystem
    /// with sparse files).
    public func truncate(to size: UInt64) throws(HostFileError) {
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw HostFileError(operation: "truncate", path: path, errno: errno)
        }
    }

    /// The data extents of the file between `start` and `end`, found with lseek SEEK_DATA/SEEK_HOLE
    /// (Linux 3.1). A filesystem without hole support reports the whole file as data, which is
    /// correct, only not sparse. Returns nil when the filesystem refuses SEEK_DATA (EINVAL).
    public func dataExtents(from start: UInt64 = 0, to end: UInt64) throws(HostFileError) -> [Range<UInt64>]? {
        var extents: [Range<UInt64>] = []
        var position = start
        while position < end {
            let data = lseek(descriptor, off_t(position), HostFile.seekData)
            if data < 0 {
                if errno == ENXIO { break }  // no data at or after `position`
                if errno == EINVAL { return nil }
                throw HostFileError(operation: "lseek SEEK_DATA", path: path, errno: errno)
            }
            if UInt64(data) >= end { break }
            let hole = lseek(descriptor, off_t(data), HostFile.seekHole)
            guard hole >= 0 else { throw HostFileError(operation: "lseek SEEK_HOLE", path: path, errno: errno) }
            extents.append(UInt64(data)..<min(UInt64(hole), end))
            position = UInt64(hole)
        }
        return extents
    }

    /// Blocks the file occupies on disk, in bytes (st_blocks is in 512-byte units).
    public func allocatedBytes() throws(HostFileError) -> UInt64 {
        UInt64(max(try status().st_blocks, 0)) * 512
    }

    /// lseek whence values (Linux include/uapi/linux/fs.h); Glibc hides them behind _GNU_SOURCE.
    static let seekData: Int32 = 3
    static let seekHole: Int32 = 4
}
