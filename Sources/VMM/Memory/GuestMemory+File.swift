import Glibc

extension GuestMemory {
    /// Guest RAM backed by a private mapping of a memory file (a snapshot's `memory.bin`), so restore
    /// maps rather than copies and its time does not grow with the guest's RAM.
    ///
    /// The mapping is `MAP_PRIVATE` with `PROT_READ | PROT_WRITE`: pages are read from the file on first
    /// touch and copied on the guest's first write, so the file is never modified. Do not modify the
    /// file while the memory is alive: pages not yet written by the guest may show such changes.
    ///
    /// With `copyingUpFront` every page is copied into private memory before this returns
    /// (`MADV_POPULATE_WRITE`), so the guest never takes a copy-on-write fault later. A nested guest
    /// needs that: each copy-on-write replaces a host page under KVM, and KVM cannot tell which of a
    /// guest hypervisor's shadow stage-2 entries map it, so it unmaps every shadow stage 2 whole (the
    /// full IPA range, per L2 MMU). Page by page that kept a restored L2 guest from ever running.
    /// Restore time then grows with guest memory, at memory-copy speed.
    ///
    /// - Parameters:
    ///   - path: the file; its size must be exactly `size`.
    ///   - guestAddress: the first guest physical address; page-aligned.
    ///   - size: bytes; a multiple of the host page size.
    ///   - copyingUpFront: copy every page now instead of on the guest's first write.
    /// - Throws: `GuestMemoryError.invalidRegion` for a bad layout, `.backingFile` if the file cannot be
    ///   opened or has another size, `.allocationFailed` if mmap fails.
    public convenience init(
        mappingFile path: String, guestAddress: UInt64, size: Int, copyingUpFront: Bool = false
    ) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        try Self.validate([(guestAddress, size)], page: page)
        let file = try Self.openMemoryFile(path, size: size)
        let backing = try MemoryBacking(file: file, size: size, lazilyLoaded: false)
        // SAFETY: a fresh private mapping of `size` bytes of a file exactly that long, owned by the
        // returned object and unmapped in its deinit. Should the file be truncated later, touching a
        // page past its new end raises SIGBUS: `MappingFaultGuard` (registered below) turns that into
        // a message naming the file, and `checkBacking()` lets callers find out before they touch it.
        // The descriptor stays open (in `backing`) only so that `checkBacking()` can fstat it.
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, file.descriptor, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw GuestMemoryError.allocationFailed(size: size, errno: errno)
        }
        let start = UInt(bitPattern: pointer)
        let slot = MappingFaultGuard.register(start: start, size: size, path: path)
        if copyingUpFront { Self.breakCopyOnWrite(pointer, size: size, page: page) }
        self.init(adopting: [Region(guestAddress: guestAddress, size: size, hostAddress: start)])
        self.backing = backing
        self.faultGuardSlot = slot
    }

    /// Opens a memory file for reading and checks that it holds exactly `size` bytes of guest RAM.
    static func openMemoryFile(_ path: String, size: Int) throws(GuestMemoryError) -> HostFile {
        let file: HostFile
        let fileSize: UInt64
        do {
            file = try HostFile.openForReading(path)
            fileSize = try file.size()
        } catch {
            throw .backingFile(path: path, reason: "\(error)")
        }
        guard fileSize == UInt64(size) else {
            throw .backingFile(path: path, reason: "it has \(fileSize) bytes, guest RAM needs \(size)")
        }
        return file
    }

    /// `MADV_POPULATE_WRITE` (Linux 5.14): fault every page in writable, which for a private file
    /// mapping copies it. Not in every libc's headers, hence the number.
    static let madvisePopulateWrite: Int32 = 23

    /// Makes every page of a private mapping the process's own copy. Falls back to writing one byte
    /// per page (its own value) on kernels without MADV_POPULATE_WRITE.
    static func breakCopyOnWrite(_ pointer: UnsafeMutableRawPointer, size: Int, page: Int) {
        // SAFETY: [pointer, pointer + size) is the mapping just created, readable and writable.
        if madvise(pointer, size, madvisePopulateWrite) == 0 { return }
        for offset in stride(from: 0, to: size, by: page) {
            let byte = pointer.load(fromByteOffset: offset, as: UInt8.self)
            pointer.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        }
    }
}

extension GuestMemory {
    /// Guest RAM that starts empty and is filled from a memory file page block by page block as it is
    /// first touched (a `UserfaultPager`), so restore time does not grow with guest memory and no page
    /// is ever copied on write. This is how nested guests are restored; see `UserfaultPager` for why.
    ///
    /// - Throws: `GuestMemoryError.lazyLoadingUnavailable` when the host has no usable userfaultfd
    ///   (Linux before 6.1, or /dev/userfaultfd not accessible): the caller can fall back to
    ///   `init(mappingFile:guestAddress:size:copyingUpFront:)`. Other cases as that initialiser.
    public convenience init(
        lazilyLoading path: String, guestAddress: UInt64, size: Int,
        onFailure: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        try Self.validate([(guestAddress, size)], page: page)
        let file = try Self.openMemoryFile(path, size: size)
        let backing = try MemoryBacking(file: file, size: size, lazilyLoaded: true)
        // SAFETY: a fresh private anonymous mapping of `size` bytes, owned by the returned object and
        // unmapped in its deinit (or below, if the pager cannot start).
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw GuestMemoryError.allocationFailed(size: size, errno: errno)
        }
        let region = Region(guestAddress: guestAddress, size: size, hostAddress: UInt(bitPattern: pointer))
        let pager: UserfaultPager
        do {
            pager = try UserfaultPager(
                base: region.hostAddress, size: size, page: page, file: file, onFailure: onFailure)
        } catch {
            munmap(pointer, size)
            throw error
        }
        self.init(adopting: [region])
        self.pager = pager
        self.backing = backing
    }
}
