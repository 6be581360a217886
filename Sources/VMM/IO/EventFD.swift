import CKVM
import Glibc

/// An eventfd(2): a 64-bit counter in the kernel that one side adds to and the other reads and resets.
///
/// This is how work leaves the vCPU thread: KVM signals an ioeventfd when the guest writes a device's
/// doorbell (no exit to userspace), the `IOThread` wakes on it, and a device signals an irqfd to
/// inject an interrupt without a `KVM_IRQ_LINE` ioctl from whichever thread it runs on.
///
/// The fd is non-blocking (`drain` never waits) and close-on-exec (a console helper we exec must not
/// inherit doorbells of guest devices). Reads and writes of an eventfd are atomic in the kernel, so
/// the type is safe to share between threads; it owns the fd and closes it in `deinit`. Anything that
/// hands the fd to the kernel (`IOThread`, KVM registrations) keeps the `EventFD` alive meanwhile, so
/// the number cannot be closed and reused under it.
public final class EventFD: Sendable {
    /// A name for messages, such as `virtio-blk queue 0 notify`.
    public let name: String
    /// The eventfd.
    let fd: Int32

    /// Creates an eventfd with counter 0.
    /// - Throws: `KVMError.system` naming `eventfd` and the errno (EMFILE, ENFILE, ENOMEM).
    public init(name: String) throws(KVMError) {
        let fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else { throw KVMError.system(call: "eventfd", target: name, errno: errno) }
        self.name = name
        self.fd = fd
    }

    deinit { close(fd) }

    /// Adds `count` (1 unless told) to the counter, waking whoever waits on the fd.
    ///
    /// EAGAIN means the counter is already at its maximum (2^64 - 2): the reader has not run for an
    /// astronomically long time but is certain to see the fd readable, so nothing is lost by not
    /// adding more, and that is not an error.
    /// - Throws: `KVMError.system` naming `write` and the errno.
    public func signal(_ count: UInt64 = 1) throws(KVMError) {
        var value = count
        while true {
            // SAFETY: writes exactly the 8 bytes of `value`, which lives across the call.
            let n = write(fd, &value, MemoryLayout<UInt64>.size)
            if n == MemoryLayout<UInt64>.size { return }
            let error = n < 0 ? errno : EIO
            if error == EINTR { continue }
            if error == EAGAIN { return }
            throw KVMError.system(call: "write", target: "eventfd \(name)", errno: error)
        }
    }

    /// Reads the counter and resets it to 0: how many signals arrived since the last drain (several
    /// signals coalesce into one count). 0 when none arrived (EAGAIN on the non-blocking fd).
    /// - Throws: `KVMError.system` naming `read` and the errno.
    public func drain() throws(KVMError) -> UInt64 {
        var value: UInt64 = 0
        while true {
            // SAFETY: an eventfd read transfers exactly 8 bytes into `value`, which lives across the call.
            let n = read(fd, &value, MemoryLayout<UInt64>.size)
            if n == MemoryLayout<UInt64>.size { return value }
            let error = n < 0 ? errno : EIO
            if error == EINTR { continue }
            if error == EAGAIN { return 0 }
            throw KVMError.system(call: "read", target: "eventfd \(name)", errno: error)
        }
    }
}
