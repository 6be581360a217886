import Glibc

extension GuestMemory {
    /// Guest RAM in a fresh anonymous mapping, filled from a memory file before this returns: what an
    /// MTE restore needs. KVM accepts only memory that can hold allocation tags for an MTE VM
    /// (anonymous or memfd pages; a file mapping is refused: KVM_SET_USER_MEMORY_REGION fails or the
    /// guest's first access to it does), so the private file mapping of a plain restore cannot be used.
    ///
    /// Eager rather than through a `UserfaultPager`: the tags are written back with
    /// KVM_ARM_MTE_COPY_TAGS right after the memory is registered, which touches every page anyway
    /// (it pins each page to set its tags), so a lazy fill would only move the same copying into page
    /// faults. Restore time grows with guest RAM (docs/performance.md, "MTE").
    /// - Throws: as `init(mappingFile:guestAddress:size:copyingUpFront:)`, and `.backingFile` if a read fails.
    public convenience init(copyingFile path: String, guestAddress: UInt64, size: Int) throws {
        let file = try Self.openMemoryFile(path, size: size)
        try self.init(guestAddress: guestAddress, size: size)
        let region = regions[0]
        let chunk = 4 << 20
        var done = 0
        while done < size {
            let count = min(chunk, size - done)
            // SAFETY: [hostAddress + done, + count) lies inside the anonymous mapping just made, which
            // self owns; pread writes at most `count` bytes there.
            let got = pread(
                file.descriptor, UnsafeMutableRawPointer(bitPattern: region.hostAddress + UInt(done)), count,
                off_t(done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                let reason = got == 0 ? "it ended at byte \(done)" : String(cString: strerror(errno))
                throw GuestMemoryError.backingFile(path: path, reason: reason)
            }
            done += got
        }
    }
}
