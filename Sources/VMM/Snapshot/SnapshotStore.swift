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
    /// memory file's name and checksum are filled in here. See `write(state:readMemory:to:progress:)`.
    /// - Returns: the state as written (with the memory file name and checksum).
    @discardableResult
    public static func write(
        state: MachineState, memory: GuestMemory, to directory: String, progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> MachineState {
        let base = state.memory.guestAddress
        let size = state.memory.size
        guard size <= UInt64(Int.max), (try? memory.region(containing: base, length: Int(size))) != nil else {
            throw .invalidState(
                "guest RAM \(hex64(base)) + \(hex64(size)) is not one region of the machine's memory")
        }
        // The memory file of a restored VM is checked around every chunk (GuestMemory+Backing.swift).
        let reader: MemoryReader = { offset, count in try memory.readCheckingBacking(at: base + offset, count: count) }
        return try write(state: state, readMemory: reader, to: directory, progress: progress)
    }

    /// Writes a snapshot to the new directory `directory`, reading guest RAM through `readMemory`.
    ///
    /// Atomic: everything goes to `<directory>.partial-<pid>` beside the target; files and directories
    /// are fsynced, then the partial directory is renamed to `directory`. An existing `directory` is
    /// refused and left untouched; on any failure the partial directory is removed, so a crash or an
    /// error leaves either a complete snapshot or nothing under the target name.
    /// - Returns: the state as written (with the memory file name and checksum).
    @discardableResult
    public static func write(
        state: MachineState, readMemory: MemoryReader, to directory: String, progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> MachineState {
        let target = trimmingTrailingSlashes(directory)
        if HostFile.exists(target) { throw .targetExists(path: target) }
        // A writer killed mid-snapshot leaves NAME.partial-PID behind: clean those up first.
        cleanLeftoverPartials(besides: target)
        let partial = "\(target).partial-\(getpid())"
        try io { () throws(HostFileError) in try HostFile.makeDirectory(partial) }
        do {
            let written = try writeFiles(state: state, readMemory: readMemory, into: partial, progress: progress)
            try io { () throws(HostFileError) in try HostFile.syncDirectory(partial) }
            try publish(partial, as: target)
            return written
        } catch {
            removePartial(partial)
            throw error
        }
    }

    /// Writes `memory.bin` (checksummed on the way) and then `state.vmmsnap` into `directory`.
    private static func writeFiles(
        state: MachineState, readMemory: MemoryReader, into directory: String, progress: Progress
    ) throws(SnapshotError) -> MachineState {
        var written = state
        written.memory.fileName = memoryFileName
        written.memory.checksum = try writeMemory(
            size: state.memory.size, readMemory: readMemory, to: directory + "/" + memoryFileName,
            progress: progress)
        let bytes = SnapshotCodec.encode(written)
        try io { () throws(HostFileError) in
            let file = try HostFile.create(directory + "/" + stateFileName)
            try file.write(bytes)
            try file.sync()
        }
        return written
    }

    /// Streams guest RAM to `path` in chunks; returns its CRC-32C.
    private static func writeMemory(
        size: UInt64, readMemory: MemoryReader, to path: String, progress: Progress
    ) throws(SnapshotError) -> UInt32 {
        let file = try io { () throws(HostFileError) in try HostFile.create(path) }
        var crc = CRC32C()
        var done: UInt64 = 0
        progress(0, size)
        while done < size {
            let count = Int(min(UInt64(chunkSize), size - done))
            let chunk: [UInt8]
            do {
                chunk = try readMemory(done, count)
            } catch {
                throw .memorySource("\(count) bytes at offset \(done): \(error)")
            }
            guard chunk.count == count else {
                throw .memorySource("asked for \(count) bytes at offset \(done), got \(chunk.count)")
            }
            crc.update(chunk)
            try io { () throws(HostFileError) in try file.write(chunk) }
            done += UInt64(count)
            progress(done, size)
        }
        try io { () throws(HostFileError) in try file.sync() }
        return crc.value
    }

    /// Renames the finished partial directory to the target and makes the rename durable.
    private static func publish(_ partial: String, as target: String) throws(SnapshotError) {
        // Checked again: the target may have appeared while we wrote. rename(2) would replace an empty
        // directory and fails on a non-empty one, so an earlier snapshot is never damaged either way.
        if HostFile.exists(target) { throw .targetExists(path: target) }
        do {
            try HostFile.rename(partial, to: target)
        } catch {
            if error.errno == ENOTEMPTY || error.errno == EEXIST { throw .targetExists(path: target) }
            throw .io(operation: error.operation, path: error.path, errno: error.errno)
        }
        try io { () throws(HostFileError) in try HostFile.syncDirectory(parentDirectory(of: target)) }
    }

    /// Removes exactly what a failed write may have created, never anything else.
    private static func removePartial(_ partial: String) {
        HostFile.removeFile(partial + "/" + memoryFileName)
        HostFile.removeFile(partial + "/" + stateFileName)
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
