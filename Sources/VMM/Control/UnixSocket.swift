import Glibc

/// A connected or listening AF_UNIX stream socket: the control channel between a running `vmmctl run`
/// and the `vmmctl` commands that steer it.
public final class UnixSocket: @unchecked Sendable {
    // @unchecked: the fd is used by one thread at a time (the server loop or one client command).
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Errors name the socket path and what to do.
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    static func address(_ path: String) throws(Error) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw Error(description: "control socket path '\(path)' must be 1 to \(capacity - 1) bytes long")
        }
        // SAFETY: copies at most capacity-1 bytes into sun_path, leaving the NUL the zeroed struct has.
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return addr
    }

    private static func withAddress<T>(
        _ addr: inout sockaddr_un, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T
    ) -> T {
        // SAFETY: sockaddr_un is layout-compatible with the sockaddr prefix the socket calls read.
        withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Listens at `path` with mode 0600. A stale socket file (nobody accepting) is replaced; a live
    /// one is refused, naming the path, so two VMs never share a control socket.
    public static func listen(at path: String) throws(Error) -> UnixSocket {
        var addr = try address(path)
        if (try? rawConnect(to: path)) != nil {
            throw Error(
                description: "another vmmctl is already serving '\(path)'; give this VM its own with --api-socket PATH")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Error(description: "socket(AF_UNIX): \(String(cString: strerror(errno)))") }
        let s = UnixSocket(fd: fd)
        // Only the owner may steer the VM: the socket file is made 0600 between bind and listen, and a
        // connect before listen is refused (ECONNREFUSED), so there is no window with a wider mode. Not
        // umask(0177) around bind: the umask is process-wide, and another thread's mkdir would get it.
        // The authority is SO_PEERCRED on both ends (ControlServer, connect); the mode is the first wall.
        let rc = withAddress(&addr) { bind(fd, $0, $1) }
        guard rc == 0, chmod(path, 0o600) == 0, Glibc.listen(fd, 32) == 0 else {
            throw Error(description: "cannot listen on control socket '\(path)': \(String(cString: strerror(errno)))")
        }
        return s
    }

    /// Connects to a VM's control socket served by this user or root (SO_PEERCRED).
    public static func connect(to path: String) throws(Error) -> UnixSocket {
        let s = try rawConnect(to: path)
        // Whoever created the socket file could be an impostor: talk only to our own user or root.
        guard let peer = s.peer(), mayTalk(peer: peer.uid, own: getuid()) else {
            let who = s.peer().map { "uid \($0.uid), pid \($0.pid)" } ?? "an unknown user"
            throw Error(
                description: "the control socket '\(path)' is served by \(who), not by you (uid \(getuid())); "
                    + "refusing to talk to it. Remove it if it is not yours, or pass --api-socket PATH")
        }
        return s
    }

    /// Connects without asking who serves the socket (listen's check for a live server).
    static func rawConnect(to path: String) throws(Error) -> UnixSocket {
        var addr = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Error(description: "socket(AF_UNIX): \(String(cString: strerror(errno)))") }
        let s = UnixSocket(fd: fd)
        guard withAddress(&addr, { Glibc.connect(fd, $0, $1) }) == 0 else {
            throw Error(
                description: "cannot reach a running vmmctl at '\(path)': \(String(cString: strerror(errno)))"
                    + " (is `vmmctl run` running? is --api-socket the same?)")
        }
        return s
    }

    /// Waits for the next client; the errno of a failed accept() otherwise (EINTR is retried).
    func accept() -> Result<UnixSocket, AcceptFailure> {
        while true {
            let c = Glibc.accept(fd, nil, nil)
            if c >= 0 {
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                return .success(UnixSocket(fd: c))
            }
            if errno == EINTR { continue }
            return .failure(AcceptFailure(errno: errno))
        }
    }

    /// A failed accept(), by errno.
    public struct AcceptFailure: Swift.Error, Equatable, CustomStringConvertible {
        public let errno: Int32
        public var description: String { "accept: \(String(cString: strerror(errno)))" }
    }

    /// Writes all bytes (false if the peer went away).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            // SAFETY: sends from the array's own storage, within its bounds.
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Reads up to `max` bytes; empty at end of stream.
    func receive(max: Int = 65536) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            // SAFETY: receives into the buffer's own storage, within its bounds.
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(buffer[0..<n]) : []
        }
    }
}
