import CKVM
import Glibc
import Synchronization

/// Fills an anonymous guest RAM mapping from a snapshot's memory file on demand, through a
/// userfaultfd (Documentation/admin-guide/mm/userfaultfd.rst): the first touch of a missing page, by
/// a vCPU inside KVM or by vmmctl itself, blocks in the kernel until this pager's thread has copied
/// the page in with UFFDIO_COPY.
///
/// Why not a private mapping of the file, as plain guests use: there, a guest's first write to a
/// page is a copy-on-write that swaps the host page under KVM, and under a guest hypervisor KVM
/// answers that by unmapping every shadow stage 2 whole (docs/snapshot-format.md). UFFDIO_COPY
/// instead installs a page where none was, which needs no invalidation; so restore time stays flat
/// for nested guests too.
///
/// The same pager streams a fresh boot's kernel and initrd in (`GuestMemory.stream`): there it also
/// sweeps, copying the whole range in block by block whenever no fault is waiting, and once all of it
/// is in it unregisters the range and ends, so guest RAM no longer depends on the file. The first
/// KVM_RUN then waits for no copy; a vCPU touching a page before the sweep reaches it waits for that
/// block only.
///
/// The pager's thread touches only the file and its own buffer, never guest RAM, so it cannot fault
/// on the range it serves.
final class UserfaultPager: @unchecked Sendable {
    // @unchecked: every stored property is set in init and only read afterwards, except `thread`,
    // which `stop()` and `finish()` touch only with `threadLock` held.

    /// Pages are copied in blocks of this size (aligned, clipped to the region), so that a guest
    /// touching memory sequentially takes one fault per block rather than per page.
    static let blockSize = 64 * 1024

    private let uffd: Int32
    /// The memory file; kept open (and alive) for `pread` until `stop()`.
    private let file: HostFile
    private let stopPipe: (read: Int32, write: Int32)
    private let base: UInt
    private let size: Int
    private let page: Int
    /// Bytes of the range that come from the file; the rest (of the last page) is zero.
    private let contentLength: Int
    /// Whether the thread copies the whole range in by itself (and then ends).
    private let sweeps: Bool
    /// What the file is ("memory file", "kernel image") and what to do if it is cut short, for errors.
    private let what: String
    private let remedy: String
    private var thread: pthread_t?
    /// Held by `stop()` and `finish()` for their whole join: a snapshot and the start-up's release can
    /// both wait for the sweep, and a thread must be joined once.
    private let threadLock = Mutex(())
    /// Told, from the pager thread, about an error it cannot recover from (the faulting access then
    /// stays blocked), so that a stalled guest does not go unexplained.
    private let onFailure: @Sendable (String) -> Void

    /// Registers `[base, base + size)` (an anonymous mapping with no pages yet) and starts serving
    /// its faults from `file`, whose byte `i` becomes guest RAM byte `i` up to `contentLength` (all of
    /// `size` if nil; past it, zeros). With `sweeping`, the thread also copies the whole range in and
    /// then unregisters it and ends (`finish()` waits for that). The thread holds the pager until
    /// `stop()` or `finish()`, one of which the owner of the mapping must call before unmapping it.
    init(
        base: UInt, size: Int, page: Int, file: HostFile, contentLength: Int? = nil, sweeping: Bool = false,
        what: String = "memory file", remedy: String = "restore from an intact snapshot",
        onFailure: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(GuestMemoryError) {
        self.base = base
        self.size = size
        self.page = page
        self.contentLength = min(contentLength ?? size, size)
        sweeps = sweeping
        self.what = what
        self.remedy = remedy
        self.onFailure = onFailure
        self.file = file
        let device = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC)
        guard device >= 0 else {
            throw .lazyLoadingUnavailable("open /dev/userfaultfd: \(Errno.describe(errno))")
        }
        defer { close(device) }  // only the userfaultfd it creates is kept
        do {
            uffd = try KVMCall.perform(KVMIoctl.userfaultfdNew.on(nil), fd: device, .value(O_CLOEXEC | O_NONBLOCK))
        } catch {
            throw .lazyLoadingUnavailable("\(error)")
        }
        var fds: [Int32] = [-1, -1]
        do {
            var api = ckvm_uffdio_api(api: CKVM_UFFD_API, features: 0, ioctls: 0)
            try KVMCall.perform(KVMIoctl.uffdioAPI.on(nil), fd: uffd, pointingTo: &api)
            var register = ckvm_uffdio_register(
                range: ckvm_uffdio_range(start: UInt64(base), len: UInt64(size)),
                mode: CKVM_UFFDIO_REGISTER_MODE_MISSING, ioctls: 0)
            try KVMCall.perform(KVMIoctl.uffdioRegister.on("guest RAM"), fd: uffd, pointingTo: &register)
            guard pipe(&fds) == 0 else { throw KVMError.system(call: "pipe", target: "memory pager", errno: errno) }
        } catch {
            close(uffd)
            throw .lazyLoadingUnavailable("\(error)")
        }
        stopPipe = (fds[0], fds[1])
        do {
            thread = try Threads.spawn({ [self] in serve() }, what: "memory pager")
        } catch {
            closeAll()
            throw .lazyLoadingUnavailable("\(error)")
        }
    }

    /// Waits until a sweeping pager has copied the whole range in (or failed, which `onFailure` was
    /// told), then closes its descriptors. Idempotent, and safe from several threads at once.
    func finish() {
        guard sweeps else { return stop() }
        threadLock.withLock { _ in
            guard let thread else { return }
            Threads.join(thread)
            self.thread = nil
            closeAll()
        }
    }

    /// Ends the pager thread and closes its descriptors. Call before unmapping the region. Idempotent.
    func stop() {
        threadLock.withLock { _ in
            guard let thread else { return }
            var byte: UInt8 = 1
            _ = write(stopPipe.write, &byte, 1)
            Threads.join(thread)
            self.thread = nil
            closeAll()
        }
    }

    private func closeAll() {
        for fd in [uffd, stopPipe.read, stopPipe.write] where fd >= 0 { close(fd) }
        file.close()
    }

    /// The thread: wait for a fault message or the stop byte, copy the block in, repeat.
    private func serve() {
        // Signals are for the vCPU threads (kicks) and vmmctl's signal thread (SIGINT, SIGTERM): a
        // process-directed SIGINT must never land here, where nothing handles it.
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        var buffer = [UInt8](repeating: 0, count: Self.blockSize)
        var fds = [
            pollfd(fd: uffd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0),
        ]
        var swept = sweeps ? 0 : size
        while true {
            // While sweeping, poll only looks: a waiting fault goes first, else the next block.
            let ready = poll(&fds, 2, swept < size ? 0 : -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { return }
            if ready == 0 {
                if let error = sweep(at: swept, &buffer) {
                    fail("copying \(what) \(file.path) in at offset \(swept): \(error)")
                    return
                }
                swept += Self.blockSize
                if swept >= size { return endSweep() }
                continue
            }
            var message = ckvm_uffd_msg()
            let n = read(uffd, &message, MemoryLayout<ckvm_uffd_msg>.size)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard n == MemoryLayout<ckvm_uffd_msg>.size else {
                fail("reading the userfaultfd: \(n < 0 ? Errno.describe(errno) : "short read of \(n) bytes")")
                return
            }
            guard message.event == CKVM_UFFD_EVENT_PAGEFAULT else { continue }
            if let error = fill(UInt(message.pagefault_address), &buffer) {
                fail("filling guest RAM at host address 0x\(String(message.pagefault_address, radix: 16)): \(error)")
                return
            }
        }
    }

    /// Copies in the block at `offset` of the range, page by page where part of it is in already (a
    /// fault was served there, or the guest wrote to such a page since: UFFDIO_COPY never replaces a
    /// page). Returns an error message, or nil.
    private func sweep(at offset: Int, _ buffer: inout [UInt8]) -> String? {
        let start = base + UInt(offset)
        let length = min(Self.blockSize, size - offset)
        switch copy(start, length, &buffer) {
        case .done: return nil
        case .failed(let why): return why
        case .exists:
            for pageStart in stride(from: start, to: start + UInt(length), by: page) {
                if case .failed(let why) = copy(pageStart, page, &buffer) { return why }
            }
            return nil
        }
    }

    /// All of the range is in: it no longer needs the pager (UFFDIO_UNREGISTER also wakes any fault
    /// still queued for it, whose page is now present).
    private func endSweep() {
        var range = ckvm_uffdio_range(start: UInt64(base), len: UInt64(size))
        do { try KVMCall.perform(KVMIoctl.uffdioUnregister.on(what), fd: uffd, pointingTo: &range) } catch {
            fail("unregistering \(what) after copying it in: \(error)")
        }
    }

    private func fail(_ why: String) {
        onFailure("guest memory pager stopped: \(why); the guest will stall on the next page it has not touched yet")
    }

    /// Copies in the block holding `address` (or, if part of that block is already present, just the
    /// page). Returns an error message, or nil.
    private func fill(_ address: UInt, _ buffer: inout [UInt8]) -> String? {
        let pageStart = address & ~UInt(page - 1)
        let blockStart = max(base, address & ~UInt(Self.blockSize - 1))
        let blockEnd = min(base + UInt(size), blockStart + UInt(Self.blockSize))
        switch copy(blockStart, Int(blockEnd - blockStart), &buffer) {
        case .done: return nil
        case .failed(let why): return why
        case .exists:
            // Another fault filled part of the block already: fill only the faulting page.
            switch copy(pageStart, page, &buffer) {
            case .done: return nil
            case .failed(let why): return why
            case .exists:
                // Filled meanwhile; the faulting thread may still be waiting for a wake-up.
                var range = ckvm_uffdio_range(start: UInt64(pageStart), len: UInt64(page))
                do { try KVMCall.perform(KVMIoctl.uffdioWake.on(nil), fd: uffd, pointingTo: &range) } catch {
                    return "\(error)"
                }
                return nil
            }
        }
    }

    private enum CopyOutcome { case done, exists, failed(String) }

    /// Why the file ended before `offset`: it held `contentLength` bytes when the pager started, so a
    /// short read means it was truncated since.
    private func endOfFile(at offset: off_t) -> String {
        let now = (try? file.size()).map { "\($0) bytes" } ?? "unknown size"
        return "\(what) \(file.path) ends before offset \(offset): it was truncated from \(contentLength) bytes "
            + "to \(now) while the VM ran, so guest RAM past its end cannot be loaded; \(remedy)"
    }

    /// Reads `length` bytes for `[start, start + length)` from the file and installs them.
    private func copy(_ start: UInt, _ length: Int, _ buffer: inout [UInt8]) -> CopyOutcome {
        let offset = off_t(start - base)
        let fromFile = max(0, min(length, contentLength - Int(offset)))
        var done = 0
        while done < fromFile {
            // SAFETY: reads into the buffer's own storage; fromFile <= length <= blockSize == buffer.count.
            let n = buffer.withUnsafeMutableBytes {
                pread(file.descriptor, $0.baseAddress! + done, fromFile - done, offset + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let at = offset + off_t(done)
                return .failed(n < 0 ? "reading \(file.path) at \(at): \(Errno.describe(errno))" : endOfFile(at: at))
            }
            done += n
        }
        if fromFile < length {
            // SAFETY: [fromFile, length) lies inside the buffer (length <= buffer.count).
            buffer.withUnsafeMutableBytes { _ = memset($0.baseAddress! + fromFile, 0, length - fromFile) }
        }
        while true {
            do {
                try buffer.withUnsafeMutableBytes { bytes in
                    // SAFETY: src points at `length` initialised bytes of the buffer, valid for the call.
                    var request = ckvm_uffdio_copy(
                        dst: UInt64(start), src: UInt64(UInt(bitPattern: bytes.baseAddress!)), len: UInt64(length),
                        mode: 0, copy: 0)
                    try KVMCall.perform(KVMIoctl.uffdioCopy.on(nil), fd: uffd, pointingTo: &request)
                }
                return .done
            } catch KVMError.ioctl(_, errno: let code) where code == EEXIST {
                return .exists
            } catch KVMError.ioctl(_, errno: let code) where code == EAGAIN {
                continue
            } catch {
                return .failed("\(error)")
            }
        }
    }
}
