import SysRegs

/// Errors of guest memory: bad layouts, host allocation failures and out-of-range accesses.
public enum GuestMemoryError: Error, Equatable, CustomStringConvertible {
    /// An access of `length` bytes at guest physical `address` is not inside one region.
    case outOfRange(address: UInt64, length: Int)
    /// A region is empty, not page-aligned, or wraps around the address space.
    case invalidRegion(guestAddress: UInt64, size: Int, reason: String)
    /// Two regions overlap.
    case overlap(UInt64, UInt64)
    /// mmap failed.
    case allocationFailed(size: Int, errno: Int32)
    /// A memory file could not be mapped as guest RAM.
    case backingFile(path: String, reason: String)
    /// Guest RAM cannot be filled on demand (no /dev/userfaultfd, or no permission for it).
    case lazyLoadingUnavailable(String)
    /// The memory file behind guest RAM became shorter than the RAM while the VM ran: the mapped
    /// pages beyond its end are gone (or, filled on demand, can no longer be loaded).
    case backingTruncated(path: String, mappedBytes: UInt64, fileBytes: UInt64, lazilyLoaded: Bool)
    /// The memory file behind guest RAM was written to while the VM ran (its mtime moved): pages the
    /// guest has not yet copied may hold the new bytes.
    case backingModified(path: String)

    public var description: String {
        switch self {
        case .outOfRange(let address, let length):
            return "guest memory: \(length) bytes at \(hexShort(address)) are outside guest RAM"
        case .invalidRegion(let guestAddress, let size, let reason):
            return "guest memory: region \(hexShort(guestAddress))+\(hexShort(size)): \(reason)"
        case .overlap(let a, let b):
            return "guest memory: regions at \(hexShort(a)) and \(hexShort(b)) overlap"
        case .allocationFailed(let size, let errno):
            return "guest memory: mmap of \(hexShort(size)) bytes: \(Errno.describe(errno))"
        case .backingFile(let path, let reason):
            return "guest memory: memory file \(path): \(reason)"
        case .lazyLoadingUnavailable(let reason):
            return "guest memory: cannot fill RAM on demand with userfaultfd: \(reason)"
        case .backingTruncated(let path, let mapped, let file, let lazilyLoaded):
            let lost = lazilyLoaded ? "the guest's RAM beyond \(file) not yet loaded" : "the guest's RAM beyond \(file)"
            return "guest memory: memory file \(path) was truncated from \(mapped) to \(file) bytes while the VM ran; "
                + "\(lost) is gone; restore from an intact snapshot"
        case .backingModified(let path):
            return "guest memory: memory file \(path) was modified while the VM ran; guest RAM pages not yet "
                + "copied from it may hold the new bytes; restore from an intact snapshot"
        }
    }
}
