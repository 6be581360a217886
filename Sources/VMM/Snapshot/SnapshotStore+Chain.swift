import Glibc
import SysRegs

/// Incremental snapshots and their chains (docs/snapshot-format.md, "Incremental snapshots").
extension SnapshotStore {
    /// One snapshot of a chain, read and checked.
    public struct ChainLayer: Sendable {
        /// The snapshot directory.
        public var directory: String
        /// Its state.
        public var state: MachineState
        /// Its memory file's path.
        public var memoryFile: String
    }

    /// How a snapshot directory is pinned by a successor: its path and checksums.
    /// - Throws: `.chain(.baseMissing)` if there is no snapshot at `directory`, or any read error.
    public static func link(to directory: String) throws(SnapshotError) -> (SnapshotLink, MachineState) {
        try link(to: directory, in: HostFileSystem())
    }

    /// `link(to:)` over the files of `files`.
    static func link(
        to directory: String, in files: any SnapshotFileSystem
    ) throws(SnapshotError) -> (SnapshotLink, MachineState) {
        let root = trimmingTrailingSlashes(directory)
        let (bytes, state) = try readStateFile(root, in: files)
        var crc = CRC32C()
        crc.update(bytes)
        let link = SnapshotLink(path: root, stateChecksum: crc.value, memoryChecksum: state.memory.checksum)
        return (link, state)
    }

    /// The `BASE` section for a snapshot that extends `base` with `pages` of guest RAM.
    /// - Throws: `.chain(.tooLong)` past `BaseReference.maximumChainLength`.
    public static func baseReference(
        extending base: SnapshotLink, of baseState: MachineState, pages: DirtyPages
    ) throws(SnapshotError) -> BaseReference {
        let chain = (baseState.base?.chain ?? []) + [base]
        guard chain.count <= BaseReference.maximumChainLength else { throw .chain(.tooLong(length: chain.count)) }
        return BaseReference(pageSize: UInt32(pages.pageSize), chain: chain, pages: pages.runs)
    }

    /// Reads the snapshot at `directory` and, if it is incremental, every snapshot it extends, checked
    /// against what it recorded: each is there (else the root is `baseMissing`, a later one a `gap`), has
    /// the recorded state and memory checksums (`baseChanged`), is of the same machine (`otherMachine`)
    /// and records the same chain below itself (`inconsistent`).
    /// - Returns: the layers, the full snapshot first and `directory`'s last.
    public static func readChain(
        from directory: String, verifyMemory: Bool = true, progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> [ChainLayer] {
        try readChain(from: directory, in: HostFileSystem(), verifyMemory: verifyMemory, progress: progress)
    }

    /// `readChain(from:verifyMemory:progress:)` over the files of `files`.
    static func readChain(
        from directory: String, in files: any SnapshotFileSystem, verifyMemory: Bool = true,
        progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> [ChainLayer] {
        let top = try read(from: directory, in: files, verifyMemory: verifyMemory, progress: progress)
        let topLayer = ChainLayer(
            directory: trimmingTrailingSlashes(directory), state: top.state, memoryFile: top.memoryFile)
        guard let reference = top.state.base else { return [topLayer] }
        let links = reference.chain
        let missing = links.filter { !files.exists($0.path + "/" + stateFileName) }
        if let first = missing.first {
            if first == links[0] { throw .chain(.baseMissing(path: first.path, neededBy: topLayer.directory)) }
            throw .chain(.gap(missing: first.path, neededBy: topLayer.directory, root: links[0].path))
        }
        var layers: [ChainLayer] = []
        for (index, link) in links.enumerated() {
            let state = try checkedLink(
                link, below: Array(links[..<index]), top: top.state, topPath: topLayer.directory, in: files)
            let memoryFile = link.path + "/" + state.memory.fileName
            try checkMemorySize(state.memory, file: memoryFile, in: files)
            if verifyMemory { try Self.verifyMemory(state.memory, file: memoryFile, in: files) }
            layers.append(ChainLayer(directory: link.path, state: state, memoryFile: memoryFile))
        }
        return layers + [topLayer]
    }

    /// Reads the snapshot `link` names and checks it against the link and the chain's top.
    private static func checkedLink(
        _ link: SnapshotLink, below: [SnapshotLink], top: MachineState, topPath: String,
        in files: any SnapshotFileSystem
    ) throws(SnapshotError) -> MachineState {
        let (found, state) = try Self.link(to: link.path, in: files)
        guard found.stateChecksum == link.stateChecksum else {
            throw .chain(
                .baseChanged(
                    path: link.path, neededBy: topPath,
                    what: "its state file has CRC-32C \(hex32(found.stateChecksum)), \(hex32(link.stateChecksum)) "
                        + "was recorded"))
        }
        guard found.memoryChecksum == link.memoryChecksum else {
            throw .chain(
                .baseChanged(
                    path: link.path, neededBy: topPath,
                    what: "its memory checksum is \(hex32(found.memoryChecksum)), \(hex32(link.memoryChecksum)) "
                        + "was recorded"))
        }
        if let difference = machineDifference(state, top) {
            throw .chain(.otherMachine(path: link.path, neededBy: topPath, what: difference))
        }
        guard (state.base?.chain ?? []) == below else {
            throw .chain(
                .inconsistent(
                    path: topPath,
                    reason: "\(link.path) records \(state.base?.chain.count ?? 0) snapshots below itself, "
                        + "\(topPath) records \(below.count)"))
        }
        return state
    }

    /// How the machine of `base` differs from that of `top` in what shares one memory image, or nil.
    static func machineDifference(_ base: MachineState, _ top: MachineState) -> String? {
        if base.memory.size != top.memory.size {
            return "\(base.memory.size >> 20) MiB of RAM, not \(top.memory.size >> 20) MiB"
        }
        if base.memory.guestAddress != top.memory.guestAddress {
            return "RAM at \(hex64(base.memory.guestAddress)), not \(hex64(top.memory.guestAddress))"
        }
        if base.config.vcpuCount != top.config.vcpuCount {
            return "\(base.config.vcpuCount) vCPUs, not \(top.config.vcpuCount)"
        }
        if base.config.nested != top.config.nested || base.config.e2h0 != top.config.e2h0 {
            return "nested \(base.config.nested) e2h0 \(base.config.e2h0), not nested \(top.config.nested) e2h0 "
                + "\(top.config.e2h0)"
        }
        return nil
    }

    /// The state file's bytes and its decoded state.
    static func readStateFile(
        _ root: String, in files: any SnapshotFileSystem = HostFileSystem()
    ) throws(SnapshotError) -> ([UInt8], MachineState) {
        let statePath = root + "/" + stateFileName
        guard files.exists(statePath) else {
            throw .io(operation: "open snapshot state", path: statePath, errno: ENOENT)
        }
        let bytes = try io { () throws(HostFileError) in try files.openForReading(statePath).readAll() }
        do {
            return (bytes, try SnapshotCodec.decode(bytes))
        } catch {
            throw .inFile(path: statePath, error)
        }
    }
}
