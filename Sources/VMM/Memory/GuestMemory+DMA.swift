import Glibc

/// Device access to guest RAM (virtio DMA): range checks for guest-supplied buffers and host
/// `iovec`s over them, so a disk read lands in guest RAM with one `preadv` and no copy.
extension GuestMemory {
    /// Whether `[address, address + length)` lies inside one region of guest RAM.
    public func containsRange(_ address: UInt64, length: UInt64) -> Bool {
        guard length <= UInt64(Int.max) else { return false }
        return regions.contains { $0.contains(address, length: Int(length)) }
    }

    /// Runs `body` with host `iovec`s for guest ranges `buffers`, each checked to lie inside guest RAM.
    /// The iovecs are valid only during `body` (the mapping lives as long as this object).
    ///
    /// Unless `intoGuest` is false (the device only reads them, as a disk write does), the ranges are
    /// marked written in the dirty tracker: the device writes guest RAM behind KVM's back.
    /// - Throws: `GuestMemoryError.outOfRange` for a range outside guest RAM.
    func withIOVecs<R>(
        _ buffers: [(address: UInt64, length: Int)], intoGuest: Bool = true, _ body: ([iovec]) throws -> R
    ) throws -> R {
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        for buffer in buffers where buffer.length > 0 {
            let pointer = try hostPointer(buffer.address, length: buffer.length)
            vectors.append(iovec(iov_base: pointer, iov_len: buffer.length))
            if intoGuest { markWritten(buffer.address, length: buffer.length) }
        }
        return try body(vectors)
    }
}
