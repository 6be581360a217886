import Synchronization

/// Guest RAM's dirty log: KVM logs the guest's stores to the RAM slot, the VMM's own writes are marked
/// in the same `DirtyTracker` (GuestMemory+Dirty.swift), and a snapshot collects both.
struct DirtyLogSlot: Sendable {
    /// The memory slot of guest RAM.
    let slot: UInt32
    /// Whether KVM_CLEAR_DIRTY_LOG re-protects (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 enabled).
    let manualProtect: Bool
    /// The pages written since the latest snapshot.
    let tracker: DirtyTracker
    /// Whether KVM logs the guest's stores to the slot. Not for an MTE VM: KVM refuses
    /// KVM_ARM_MTE_COPY_TAGS into the guest with EBUSY while any slot logs dirty pages (the lab's MTE
    /// restore found this), so there every page counts as dirty and an incremental snapshot holds all
    /// of RAM: correct, as large as a full one.
    let kvmLogs: Bool
}

/// The snapshot the tracker's current generation starts at: the last one this machine took, or the one
/// it was restored from.
final class LatestSnapshotBox: Sendable {
    private let link = Mutex<SnapshotLink?>(nil)
    var value: SnapshotLink? {
        get { link.withLock { $0 } }
        set { link.withLock { $0 = newValue } }
    }
}

extension Machine {
    /// Maps guest RAM (one region) with KVM_MEM_LOG_DIRTY_PAGES, manual re-protection where offered,
    /// and starts its tracker.
    ///
    /// The cost: KVM maps a logged slot at stage 2 in host pages only (no block mappings) and
    /// write-protects it again after each log read, so the guest takes one permission fault per page
    /// on its first write after each snapshot (docs/performance.md, "Dirty logging").
    ///
    /// An MTE VM (`mte`) is mapped without KVM's log (`DirtyLogSlot.kvmLogs`); its tracker still runs.
    static func mapLoggingDirtyPages(_ memory: GuestMemory, vm: VirtualMachine, mte: Bool) throws -> DirtyLogSlot {
        let kvmLogs = !mte
        let manual = kvmLogs ? try vm.enableManualDirtyLogProtect() : false
        let slots = try vm.map(memory, logDirtyPages: kvmLogs)
        let tracker = memory.startDirtyTracking(of: memory.regions[0])
        return DirtyLogSlot(slot: slots[0], manualProtect: manual, tracker: tracker, kvmLogs: kvmLogs)
    }

    /// The tracker of guest RAM's dirty pages (for live migration and the snapshot writer).
    public var dirtyTracker: DirtyTracker { dirtyLog.tracker }

    /// Folds KVM's dirty log into the tracker and returns the pages written since the latest snapshot.
    /// Call while paused, so the set is complete. The corresponding ioctls are `KVM_GET_DIRTY_LOG` and
    /// `KVM_CLEAR_DIRTY_LOG`.
    public func collectDirtyPages() throws(MachineError) -> DirtyPages {
        let tracker = dirtyLog.tracker
        guard dirtyLog.kvmLogs else {
            tracker.markAll()
            return tracker.pending()
        }
        do {
            let bitmap = try vm.collectDirtyLog(
                slot: dirtyLog.slot, words: tracker.bitmapWords, pages: tracker.pageCount,
                manualProtect: dirtyLog.manualProtect)
            tracker.merge(bitmap)
        } catch {
            throw .kvm(error)
        }
        return tracker.pending()
    }

    /// Records that `link` now holds everything up to `pages`: those bits are cleared and the next
    /// generation starts at `link`.
    public func snapshotCommitted(_ link: SnapshotLink, pages: DirtyPages) {
        dirtyLog.tracker.commit(pages)
        latestSnapshot.value = link
    }

    /// The snapshot the dirty pages are counted from, if any.
    public var latestSnapshotLink: SnapshotLink? { latestSnapshot.value }

    /// Marks this restored machine as starting at `link` (its memory is exactly that snapshot's).
    public func restored(from link: SnapshotLink) {
        latestSnapshot.value = link
    }
}
