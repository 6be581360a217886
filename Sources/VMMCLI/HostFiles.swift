import Glibc

/// Reading and writing the user's files, with errors that name the file and the reason.
enum HostFiles {
    /// Reads a whole file. `what` names it in errors ("kernel image", "initrd").
    static func read(_ path: String, what: String) throws(CLIError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError("cannot open \(what) '\(path)': \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CLIError("cannot stat \(what) '\(path)': \(errnoText())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw CLIError("\(what) '\(path)' is not a regular file") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            // SAFETY: reads into the array's own storage, within its bounds.
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw CLIError("cannot read \(what) '\(path)': \(n < 0 ? errnoText() : "file shrank while reading")")
            }
            done += n
        }
        return bytes
    }

    /// Writes a file atomically: a temporary file in the same directory, fsync'd, then renamed over
    /// `path`, so a reader never sees a partial file and a failure leaves any earlier file intact.
    static func writeAtomically(_ bytes: [UInt8], to path: String, what: String) throws(CLIError) {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot create \(what) '\(tmp)': \(errnoText())") }
        var done = 0
        while done < bytes.count {
            // SAFETY: writes from the array's own storage, within its bounds.
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = errnoText()
                close(fd)
                unlink(tmp)
                throw CLIError("cannot write \(what) '\(path)': \(reason)")
            }
            done += n
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(tmp, path) == 0 else {
            let reason = errnoText()
            unlink(tmp)
            throw CLIError("cannot write \(what) '\(path)': \(reason)")
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
