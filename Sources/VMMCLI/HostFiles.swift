import Glibc
import VMM

/// The user's files as the commands name them: `HostFile` does the I/O; this adds what the file is
/// ("kernel image", "initrd") to every error, so the message says which argument to fix.
enum HostFiles {
    /// Reads a whole regular file.
    static func read(_ path: String, what: String) throws(CLIError) -> [UInt8] {
        let regular: Bool
        let file: HostFile
        do {
            file = try HostFile.openForReading(path)
            regular = try file.isRegularFile()
        } catch {
            throw CLIError("cannot \(error.operation) \(what) '\(path)': \(error.reason)")
        }
        guard regular else { throw CLIError("\(what) '\(path)' is not a regular file") }
        do { return try file.readAll() } catch {
            throw CLIError("cannot read \(what) '\(path)': \(error.reason)")
        }
    }

    /// Checks that a file the machine will read later can be opened and is a regular file.
    static func checkReadable(_ path: String, what: String) throws(CLIError) {
        let regular: Bool
        do {
            regular = try HostFile.openForReading(path).isRegularFile()
        } catch {
            throw CLIError("cannot \(error.operation) \(what) '\(path)': \(error.reason)")
        }
        guard regular else { throw CLIError("\(what) '\(path)' is not a regular file") }
    }

    /// Writes a file atomically: a temporary file in the same directory, fsync'd, then renamed over
    /// `path`, so a reader never sees a partial file and a failure leaves any earlier file intact.
    static func writeAtomically(_ bytes: [UInt8], to path: String, what: String) throws(CLIError) {
        let tmp = path + ".tmp-\(getpid())"
        do throws(HostFileError) {
            let file = try HostFile.create(tmp)
            do throws(HostFileError) {
                try file.write(bytes)
                try file.sync()
                file.close()
                try HostFile.rename(tmp, to: path)
            } catch {
                HostFile.removeFile(tmp)
                throw error
            }
        } catch {
            throw CLIError("cannot write \(what) '\(path)': \(error.operation) failed: \(error.reason)")
        }
    }
}
