import Glibc

/// Writing a paused machine's snapshot, full or incremental (docs/snapshot-format.md, "Incremental
/// snapshots").
extension Machine {
    /// Captures the paused machine and writes it to the new directory `directory`: in full, or with
    /// `base` only the pages written since that snapshot (which must be `latestSnapshotLink`). The dirty
    /// pages are committed (`snapshotCommitted`) only once the snapshot is on disk, so a failed snapshot
    /// loses none of them and the next one still has them.
    /// - Returns: the state as written.
    @discardableResult
    public func writeSnapshot(
        to directory: String, base: String? = nil, progress: SnapshotStore.Progress = { _, _ in }
    ) throws -> MachineState {
        // The boot files must be wholly in: which pages are present decides what the snapshot writes.
        guestMemory.finishLoading()
        var state = try captureState()
        PhaseTrace.mark("capture vCPU, GIC and device state")
        let pages = try collectDirtyPages()
        PhaseTrace.mark("collect dirty pages (KVM_GET_DIRTY_LOG)")
        if let base { state.base = try incrementalBase(base, of: state, pages: pages, writing: directory) }
        let tags = try captureTags()
        PhaseTrace.mark("base reference, MTE tags")
        let written = try SnapshotStore.write(
            state: state, memory: guestMemory, tags: tags, to: directory, progress: progress, notice: warn)
        PhaseTrace.mark("write memory and state files, fsync, rename")
        let (link, _) = try SnapshotStore.link(to: directory)
        snapshotCommitted(link, pages: pages)
        PhaseTrace.mark("commit (re-read state file, clear dirty bits)")
        return written
    }

    /// The `BASE` section for an incremental snapshot of `pages` on top of the snapshot at `base`,
    /// which must be the one the dirty tracking counts from (the last snapshot this VM took or was
    /// restored from), identified by its checksums so a replaced or changed base is refused.
    func incrementalBase(
        _ base: String, of state: MachineState, pages: DirtyPages, writing directory: String
    ) throws(SnapshotError) -> BaseReference {
        let root = SnapshotStore.trimmingTrailingSlashes(base)
        guard HostFile.exists(root + "/" + SnapshotStore.stateFileName) else {
            throw .chain(.baseMissing(path: root, neededBy: directory))
        }
        let (link, baseState) = try SnapshotStore.link(to: root)
        let latest = latestSnapshotLink
        guard let latest, latest.stateChecksum == link.stateChecksum, latest.memoryChecksum == link.memoryChecksum
        else {
            throw .chain(.notTheLatest(path: root, latest: latest?.path))
        }
        if let difference = SnapshotStore.machineDifference(baseState, state) {
            throw .chain(.otherMachine(path: root, neededBy: directory, what: difference))
        }
        return try SnapshotStore.baseReference(extending: link, of: baseState, pages: pages)
    }
}
