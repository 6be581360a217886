import Glibc

extension GuestMemory {
    /// Reads `count` bytes of `file`, from `fileOffset`, straight into guest RAM at `address`
    /// (pread(2) into the mapping): the boot loader's way in for the kernel and initrd, so the VMM never
    /// holds them in a buffer of its own. The pages touched are guest RAM the guest would touch anyway.
    /// - Throws: `GuestMemoryError.outOfRange` if the range is not inside one region, `HostFileError` if
    ///   the read fails, `GuestMemoryError.backingFile` if the file ends early.
    public func load(from file: HostFile, fileOffset: UInt64 = 0, count: Int, at address: UInt64) throws {
        let pointer = try hostPointer(address, length: count)
        markWritten(address, length: count)
        // SAFETY: hostPointer checked that [pointer, pointer + count) lies inside one live, writable mapping.
        let got = try file.read(into: UnsafeMutableRawBufferPointer(start: pointer, count: count), at: fileOffset)
        guard got == count else {
            throw GuestMemoryError.backingFile(
                path: file.path, reason: "it ended after \(got) of \(count) bytes (changed while it was read?)")
        }
    }
}
