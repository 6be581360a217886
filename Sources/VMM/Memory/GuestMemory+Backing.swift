import Glibc

/// The memory file behind restored guest RAM, as it was when it was mapped: the open descriptor
/// (kept so it can be fstat'ed: a path could name another file by now), its identity, size and
/// modification time.
struct MemoryBacking {
    let file: HostFile
    let device: UInt64
    let inode: UInt64
    /// Bytes of guest RAM mapped from the file (its size at map time, checked by `openMemoryFile`).
    let size: UInt64
    let modified: timespec
    /// Filled on demand by a `UserfaultPager` (anonymous memory) rather than mapped from the file.
    let lazilyLoaded: Bool

    init(file: HostFile, size: Int, lazilyLoaded: Bool) throws(GuestMemoryError) {
        let info: stat
        do { info = try file.status() } catch { throw .backingFile(path: file.path, reason: "\(error)") }
        self.file = file
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
        self.size = UInt64(size)
        self.modified = info.st_mtim
        self.lazilyLoaded = lazilyLoaded
    }
}

extension GuestMemory {
    /// The memory file guest RAM comes from (a restored snapshot's `memory.bin`), or nil for fresh RAM.
    public var backingPath: String? { backing?.file.path }

    /// Checks that the memory file behind guest RAM still holds what was mapped: not shorter than the
    /// RAM, not written to since. Fresh (anonymous) RAM always passes.
    ///
    /// A file *replaced* at its path (a new file renamed over it) passes, rightly: the mapping and the
    /// descriptor refer to the old inode, which the kernel keeps, with its pages and size, until both
    /// are gone; the guest keeps its RAM and the new file is never read. Only changes to that inode
    /// itself (truncation, writes) reach the guest.
    /// - Throws: `GuestMemoryError.backingTruncated` naming the file and both sizes,
    ///   `.backingModified`, or `.backingFile` if fstat fails.
    public func checkBacking() throws(GuestMemoryError) {
        guard let backing else { return }
        let now: stat
        do { now = try backing.file.status() } catch { throw .backingFile(path: backing.file.path, reason: "\(error)") }
        let size = UInt64(max(now.st_size, 0))
        if size < backing.size {
            throw .backingTruncated(
                path: backing.file.path, mappedBytes: backing.size, fileBytes: size,
                lazilyLoaded: backing.lazilyLoaded)
        }
        if now.st_mtim.tv_sec != backing.modified.tv_sec || now.st_mtim.tv_nsec != backing.modified.tv_nsec {
            throw .backingModified(path: backing.file.path)
        }
    }

    /// Copies `count` bytes out of guest memory for a snapshot, with the memory file checked before
    /// and after.
    ///
    /// Before: a truncated file would make the copy fault (SIGBUS for a mapped file, a stalled pager
    /// for a lazily loaded one). After: a file truncated, or rewritten in place, while the copy ran may
    /// have handed it new bytes. The window between the first check and the copy remains (a truncation
    /// exactly then is a SIGBUS, which `MappingFaultGuard` reports by name); a change after the second
    /// check is harmless to what was copied.
    public func readCheckingBacking(at address: UInt64, count: Int) throws -> [UInt8] {
        try checkBacking()
        let bytes = try read(at: address, count: count)
        try checkBacking()
        return bytes
    }

    /// Hands `count` bytes of guest memory at `address` to `body` in place (no copy), with the memory
    /// file checked before and after, as `readCheckingBacking(at:count:)` does.
    public func withCheckedBytes(
        at address: UInt64, count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try checkBacking()
        let pointer = try hostPointer(address, length: count)
        // SAFETY: hostPointer checked that [pointer, pointer + count) lies inside one live mapping; the
        // buffer does not escape `body`.
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
        try checkBacking()
    }

    /// The memory file's problem behind a failed KVM_RUN, if that is what it was. A guest access to
    /// a page of a file-backed mapping past the file's end cannot be resolved, and KVM answers EFAULT
    /// (the lab shows it on kernel 7.2.13); the plain error would not say which file or why.
    public func backingProblem(explainingRunFailure error: any Error) -> GuestMemoryError? {
        guard (error as? KVMError)?.errno == EFAULT else { return nil }
        do { try checkBacking() } catch { return error }
        return nil
    }
}
