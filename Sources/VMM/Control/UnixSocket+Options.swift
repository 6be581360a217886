import Glibc

/// Timeouts and peer credentials: what lets the control server bound a silent client and refuse an
/// impostor (docs/reliability.md, "Who may connect").
extension UnixSocket {
    /// The credentials of the process at the other end, as the kernel recorded them at connect().
    public struct Peer: Equatable, Sendable {
        public let pid: Int32
        public let uid: UInt32
        public let gid: UInt32
    }

    /// The peer's pid, uid and gid (socket(7) SO_PEERCRED: `struct ucred`, three 32-bit fields in the
    /// order pid, uid, gid). Nil if the kernel will not say.
    public func peer() -> Peer? {
        var raw: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: raw))
        // SAFETY: `raw` is 12 bytes, the size of struct ucred, and `length` says so.
        let rc = withUnsafeMutablePointer(to: &raw) { getsockopt(fd, SOL_SOCKET, SO_PEERCRED, $0, &length) }
        guard rc == 0, length == MemoryLayout.size(ofValue: raw) else { return nil }
        return Peer(pid: raw.0, uid: raw.1, gid: raw.2)
    }

    /// Bounds how long one receive or send may block (SO_RCVTIMEO, SO_SNDTIMEO); 0 means forever.
    /// A timed-out call fails like a closed peer, so a silent or stuck peer costs at most this long.
    public func setTimeouts(receive: Double, send: Double) {
        for (option, seconds) in [(SO_RCVTIMEO, receive), (SO_SNDTIMEO, send)] {
            var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
            _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Whether a peer with `peer` uid may talk to a process running as `own`: the same user, or root
    /// (who could read the VM's memory anyway). Anyone else is refused on both ends.
    public static func mayTalk(peer: UInt32, own: UInt32) -> Bool { peer == own || peer == 0 }

    /// Wakes a thread blocked in accept() or recv() on this socket (they then fail), without closing
    /// the fd under it.
    func shutdownBoth() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}
