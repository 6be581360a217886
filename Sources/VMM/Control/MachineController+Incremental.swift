import Glibc

extension MachineController {
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
        let latest = machine.latestSnapshotLink
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
