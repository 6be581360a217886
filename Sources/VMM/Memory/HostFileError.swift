/// A failed host file operation: what was attempted, on which path, and errno.
public struct HostFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operation, as a verb phrase: "open", "write", "fsync", "rename to /x".
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// The errno as text: "No such file or directory (ENOENT)".
    public var reason: String { Errno.describe(errno) }

    public var description: String { "\(operation) \(path): \(reason)" }
}
