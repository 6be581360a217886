import Glibc

/// Incremental snapshot layers over restored RAM (docs/snapshot-format.md, "Incremental snapshots").
extension GuestMemory {
    /// Copies `ranges` (byte offsets into the region at `guestAddress`) of the memory file at `path`
    /// into guest RAM, in order. The file is mapped read-only for the copy, so no buffer of the VMM's own
    /// holds the pages and a hole reads as zeros (a page that became all zero). The copy goes through
    /// the host mapping, so it works for every restore backing: a private file mapping (the pages are
    /// copied on write), RAM filled on demand (the pager fills each page from the base first), an
    /// anonymous copy (MTE). It is not marked in the dirty tracker: the pages are the snapshot's.
    /// - Throws: `GuestMemoryError.backingFile` if the file cannot be opened, has another size or cannot
    ///   be mapped; `.outOfRange` for a range outside the region.
    public func applyOverlay(_ path: String, guestAddress: UInt64, size: Int, ranges: [Range<UInt64>]) throws {
        let region = try region(containing: guestAddress, length: size)
        for range in ranges where range.upperBound > UInt64(size) || range.isEmpty {
            throw GuestMemoryError.outOfRange(address: guestAddress &+ range.lowerBound, length: range.count)
        }
        guard !ranges.isEmpty else { return }
        let file = try Self.openMemoryFile(path, size: size)
        // SAFETY: a fresh read-only shared mapping of a file exactly `size` bytes long, unmapped below;
        // only read from, inside the bounds checked above.
        let source = mmap(nil, size, PROT_READ, MAP_SHARED | MAP_NORESERVE, file.descriptor, 0)
        guard let source, source != MAP_FAILED else {
            throw GuestMemoryError.backingFile(path: path, reason: "mmap: \(String(cString: strerror(errno)))")
        }
        defer { munmap(source, size) }
        let slot = MappingFaultGuard.register(start: UInt(bitPattern: source), size: size, path: path)
        defer { if let slot { MappingFaultGuard.unregister(slot) } }
        let offset = UInt(guestAddress - region.guestAddress)
        for range in ranges {
            // SAFETY: the target lies inside the region's live mapping (range checked against `size`, the
            // region holds [guestAddress, guestAddress + size)); the source inside the file mapping.
            let target = UnsafeMutableRawPointer(bitPattern: region.hostAddress + offset + UInt(range.lowerBound))!
            target.copyMemory(from: source + Int(range.lowerBound), byteCount: range.count)
        }
    }
}
