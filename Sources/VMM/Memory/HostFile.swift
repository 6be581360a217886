import Glibc

/// An open host file descriptor with whole-buffer reads and writes, for guest memory files and
/// snapshot files. Owns the descriptor and closes it in `deinit` (or earlier with `close()`).
///
/// It lives beside `GuestMemory` because it is the only other place that hands host buffers to the
/// kernel; everything above it deals in Swift arrays.
public final class HostFile {
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close() }

    /// Creates a new file; fails with EEXIST rather than truncate an existing one.
    public static func create(_ path: String, mode: mode_t = 0o644) throws(HostFileError) -> HostFile {
        let fd = retrying { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw HostFileError(operation: "create", path: path, errno: errno) }
        return HostFile(path: path, fd: fd)
    }

    /// Opens an existing file for reading.
    public static func openForReading(_ path: String) throws(HostFileError) -> HostFile {
        let fd = retrying { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw HostFileError(operation: "open", path: path, errno: errno) }
        return HostFile(path: path, fd: fd)
    }

    /// The descriptor, for `mmap`; valid until `close()`.
    var descriptor: Int32 { fd }

    /// The file's size in bytes.
    public func size() throws(HostFileError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HostFileError(operation: "stat", path: path, errno: errno) }
        return UInt64(info.st_size)
    }

    /// The file's metadata (fstat): identity, size, modification time.
    public func status() throws(HostFileError) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HostFileError(operation: "stat", path: path, errno: errno) }
        return info
    }

    /// Whether this is a regular file (not a directory, device or pipe).
    public func isRegularFile() throws(HostFileError) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HostFileError(operation: "stat", path: path, errno: errno) }
        return info.st_mode & S_IFMT == S_IFREG
    }

    /// Writes all of `bytes`, continuing after short writes and EINTR.
    public func write(_ bytes: [UInt8]) throws(HostFileError) {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                // SAFETY: the range [done, count) lies inside `buffer`, which is valid for this closure.
                Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw HostFileError(operation: "write", path: path, errno: errno)
            }
            done += written
        }
    }

    /// Reads up to `count` bytes; fewer only at end of file.
    public func read(_ count: Int) throws(HostFileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                // SAFETY: the range [done, count) lies inside `buffer`, which is valid for this closure.
                Glibc.read(fd, buffer.baseAddress! + done, buffer.count - done)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw HostFileError(operation: "read", path: path, errno: errno)
            }
            if got == 0 { break }
            done += got
        }
        bytes.removeLast(count - done)
        return bytes
    }

    /// Reads the whole file, in chunks that start at 16 KiB and double up to 1 MiB: the few kB of a
    /// /proc file (whose size stat does not know) then cost a 16 KiB buffer, not a zeroed 1 MiB one.
    /// That mattered: `vmmctl run` reads /proc/self/maps just before the first KVM_RUN, and glibc
    /// serves a 1 MiB request from a heap top that large rather than with a mapping of its own, so the
    /// zeroed buffer stayed resident as free heap for the whole run (docs/performance.md).
    public func readAll() throws(HostFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunkSize = 16 << 10
        while true {
            let chunk = try read(chunkSize)
            bytes += chunk
            if chunk.count < chunkSize { return bytes }
            chunkSize = min(chunkSize * 2, 1 << 20)
        }
    }

    /// Flushes the file's data and metadata to stable storage.
    public func sync() throws(HostFileError) {
        guard Self.retrying({ fsync(fd) }) == 0 else {
            throw HostFileError(operation: "fsync", path: path, errno: errno)
        }
    }

    /// Closes the descriptor now; later calls do nothing.
    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    /// Flushes a directory's entries (new files, renames) to stable storage.
    public static func syncDirectory(_ path: String) throws(HostFileError) {
        let fd = retrying { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw HostFileError(operation: "open directory", path: path, errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard retrying({ fsync(fd) }) == 0 else {
            throw HostFileError(operation: "fsync directory", path: path, errno: errno)
        }
    }

    /// Whether anything (file, directory, dangling symlink) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Creates a directory; fails if anything exists at `path`.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(HostFileError) {
        guard mkdir(path, mode) == 0 else { throw HostFileError(operation: "mkdir", path: path, errno: errno) }
    }

    /// Renames `path` to `newPath`. A directory replaces only an empty directory (rename(2)).
    public static func rename(_ path: String, to newPath: String) throws(HostFileError) {
        guard Glibc.rename(path, newPath) == 0 else {
            throw HostFileError(operation: "rename to \(newPath)", path: path, errno: errno)
        }
    }

    /// Removes a file; a missing file is not an error.
    public static func removeFile(_ path: String) {
        _ = unlink(path)
    }

    /// Removes an empty directory; returns whether it is gone.
    @discardableResult
    public static func removeDirectory(_ path: String) -> Bool {
        rmdir(path) == 0 || errno == ENOENT
    }

    private static func retrying(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}
