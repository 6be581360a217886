import Glibc
import SysRegs

/// Snapshot directories: `state.vmmsnap` (the encoded `MachineState`) and `memory.bin` (guest RAM,
/// byte for byte), written atomically and validated on read (docs/snapshot-format.md, "Directory").
public enum SnapshotStore {
    /// The state file inside a snapshot directory.
    public static let stateFileName = "state.vmmsnap"
    /// The memory file this build writes.
    public static let memoryFileName = "memory.bin"
    /// Guest RAM is streamed in chunks of this many bytes; `progress` is called once per chunk.
    public static let chunkSize = 4 << 20

    /// Reads guest RAM for the memory file: `count` bytes starting `offset` bytes into the region.
    public typealias MemoryReader = (_ offset: UInt64, _ count: Int) throws -> [UInt8]
    /// Progress of the memory file: bytes done so far and the total.
    public typealias Progress = (_ bytesDone: UInt64, _ bytesTotal: UInt64) -> Void

    /// Writes a snapshot of `state` and the guest RAM in `memory` to the new directory `directory`.
    ///
    /// The RAM written is the region at `state.memory.guestAddress` of `state.memory.size` bytes; the
    /// memory file's name and checksum are filled in here. Only what the guest may have touched is read
    /// (`GuestMemory.possiblyNonZeroRanges`), and only pages that are not all zero are written: the file
    /// is sparse. `notice` hears when the filesystem could not keep the holes (the snapshot is still
    /// complete, it only takes the full size on disk). See `write(state:readMemory:to:progress:)`.
    /// `tags` are the packed allocation tags (`TagPacking`) of an MTE machine, whose `state.tags` is set;
    /// nil for any other.
    /// - Returns: the state as written (with the memory file name and checksum).
    @discardableResult
    public static func write(
        state: MachineState, memory: GuestMemory, tags: [UInt8]? = nil, to directory: String,
        progress: Progress = { _, _ in }, notice: (String) -> Void = { _ in }
    ) throws(SnapshotError) -> MachineState {
        let base = state.memory.guestAddress
        let size = state.memory.size
        guard size <= UInt64(Int.max), let region = try? memory.region(containing: base, length: Int(size)) else {
            throw .invalidState(
                "guest RAM \(hex64(base)) + \(hex64(size)) is not one region of the machine's memory")
        }
        // Checked up front as well as around each chunk: a truncated memory file also shortens its data
        // extents, and the pages past its end would simply not be candidates.
        do { try memory.checkBacking() } catch { throw .memorySource("\(error)") }
        let start = base - region.guestAddress
        // An incremental snapshot holds exactly its dirty pages (state.base.pages; SnapshotStore+Chain.swift).
        let ranges = state.base.map { reference in
            reference.byteRanges.map { ($0.lowerBound + start)..<($0.upperBound + start) }
        }
        let candidates = (ranges ?? memory.possiblyNonZeroRanges(of: region)).compactMap { range -> Range<UInt64>? in
            let clipped = range.clamped(to: start..<(start + size))
            return clipped.isEmpty ? nil : (clipped.lowerBound - start)..<(clipped.upperBound - start)
        }
        // The memory file of a restored VM is checked around every chunk (GuestMemory+Backing.swift).
        let source = MemorySource(candidates: candidates) { offset, count, body in
            try memory.withCheckedBytes(at: base + offset, count: count, body)
        }
        return try write(
            state: state, source: source, tags: tags, to: directory, progress: progress, notice: notice)
    }

    /// Writes a snapshot to the new directory `directory`, reading guest RAM through `readMemory`
    /// (all of it: the reader says nothing about which parts are untouched; all-zero pages still become
    /// holes).
    ///
    /// Atomic: everything goes to `<directory>.partial-<pid>` beside the target; files and directories
    /// are fsynced, then the partial directory is renamed to `directory`. An existing `directory` is
    /// refused and left untouched; on any failure the partial directory is removed, so a crash or an
    /// error leaves either a complete snapshot or nothing under the target name.
    /// - Returns: the state as written (with the memory file name and checksum).
    @discardableResult
    public static func write(
        state: MachineState, readMemory: MemoryReader, tags: [UInt8]? = nil, to directory: String,
        progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> MachineState {
        let result = withoutActuallyEscaping(readMemory) { reader in
            let source = MemorySource(candidates: [0..<state.memory.size]) { offset, count, body in
                let chunk = try reader(offset, count)
                guard chunk.count == count else {
                    throw SnapshotError.memorySource(
                        "asked for \(count) bytes at offset \(offset), got \(chunk.count)")
                }
                try chunk.withUnsafeBytes(body)
            }
            return Result { () throws(SnapshotError) in
                try write(
                    state: state, source: source, tags: tags, to: directory, progress: progress,
                    notice: { _ in })
            }
        }
        return try result.get()
    }

    static func write(
        state: MachineState, source: MemorySource, tags: [UInt8]?, to directory: String, progress: Progress,
        notice: (String) -> Void
    ) throws(SnapshotError) -> MachineState {
        try checkTagsToWrite(state.tags, tags)
        let target = trimmingTrailingSlashes(directory)
        if HostFile.exists(target) { throw .targetExists(path: target) }
        // A writer killed mid-snapshot leaves NAME.partial-PID behind: clean those up first, and say which
        // could not be (they hold something a snapshot does not write, so they are not ours to remove).
        for kept in cleanLeftoverPartials(besides: target) {
            notice(
                "left \(kept) alone: it looks like the partial directory of a snapshot writer that is gone, "
                    + "but it holds files a snapshot does not write; remove it if it is not yours")
        }
        let partial = "\(target).partial-\(getpid())"
        try io { () throws(HostFileError) in try HostFile.makeDirectory(partial) }
        reached(.partialDirectoryCreated)
        do {
            let (written, report) = try writeFiles(
                state: state, source: source, into: partial, progress: progress,
                beforeState: { state throws(SnapshotError) in try writeTags(tags, of: &state, into: partial) })
            try io { () throws(HostFileError) in try HostFile.syncDirectory(partial) }
            reached(.partialDirectorySynced)
            try publish(partial, as: target)
            if !report.isSparse {
                notice(
                    "the filesystem of \(target) did not keep the memory file's holes: it occupies "
                        + "\(report.allocatedBytes >> 20) MiB on disk for \(report.storedBytes >> 20) MiB of data "
                        + "(the snapshot is complete; a filesystem with sparse files, such as ext4, xfs, btrfs "
                        + "or tmpfs, stores only the data)")
            }
            return written
        } catch {
            removePartial(partial)
            throw error
        }
    }

    /// Writes `memory.bin` (sparse, checksummed on the way) and then `state.vmmsnap` into `directory`.
    private static func writeFiles(
        state: MachineState, source: MemorySource, into directory: String, progress: Progress,
        beforeState: (inout MachineState) throws(SnapshotError) -> Void
    ) throws(SnapshotError) -> (MachineState, MemoryFileReport) {
        var written = state
        written.memory.fileName = memoryFileName
        let report = try writeSparseMemory(
            size: state.memory.size, source: source, to: directory + "/" + memoryFileName, progress: progress)
        written.memory.checksum = report.checksum
        try beforeState(&written)
        let bytes = SnapshotCodec.encode(written)
        let file = try io { () throws(HostFileError) in try HostFile.create(directory + "/" + stateFileName) }
        reached(.stateFileCreated)
        try io { () throws(HostFileError) in try file.write(bytes) }
        reached(.stateFileWritten)
        try io { () throws(HostFileError) in try file.sync() }
        reached(.stateFileSynced)
        return (written, report)
    }

    /// Renames the finished partial directory to the target and makes the rename durable.
    private static func publish(_ partial: String, as target: String) throws(SnapshotError) {
        // Checked again: the target may have appeared while we wrote. rename(2) would replace an empty
        // directory and fails on a non-empty one, so an earlier snapshot is never damaged either way.
        if HostFile.exists(target) { throw .targetExists(path: target) }
        do {
            try HostFile.rename(partial, to: target)
            reached(.renamed)
        } catch {
            if error.errno == ENOTEMPTY || error.errno == EEXIST { throw .targetExists(path: target) }
            throw .io(operation: error.operation, path: error.path, errno: error.errno)
        }
        try io { () throws(HostFileError) in try HostFile.syncDirectory(parentDirectory(of: target)) }
        reached(.published)
    }

    /// Removes exactly what a failed write may have created, never anything else.
    private static func removePartial(_ partial: String) {
        HostFile.removeFile(partial + "/" + memoryFileName)
        HostFile.removeFile(partial + "/" + stateFileName)
        HostFile.removeFile(partial + "/" + TagState.defaultFileName)
        HostFile.removeDirectory(partial)
    }

    /// Runs a host file operation, turning its error into `SnapshotError.io`.
    static func io<T>(_ body: () throws(HostFileError) -> T) throws(SnapshotError) -> T {
        do {
            return try body()
        } catch {
            throw .io(operation: error.operation, path: error.path, errno: error.errno)
        }
    }

    static func trimmingTrailingSlashes(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Whether `name` names a file directly inside the snapshot directory (no separators, not `.`/`..`).
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }
}
