import Glibc

/// Dirty tracking of guest RAM (docs/snapshot-format.md, "Incremental snapshots"): KVM logs the
/// guest's own stores (KVM_MEM_LOG_DIRTY_PAGES), the VMM marks its own writes here.
extension GuestMemory {
    /// Starts tracking the region at `guestAddress` with a fresh, clean tracker in host pages, and
    /// returns it. Call before any device thread writes guest RAM.
    @discardableResult
    public func startDirtyTracking(of region: Region) -> DirtyTracker {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let tracker = DirtyTracker(guestAddress: region.guestAddress, size: UInt64(region.size), pageSize: page)
        dirtyTracker = tracker
        return tracker
    }

    /// Records that the VMM wrote guest `[address, address + length)` (a no-op without a tracker).
    func markWritten(_ address: UInt64, length: Int) {
        dirtyTracker?.mark(address, length: length)
    }
}
