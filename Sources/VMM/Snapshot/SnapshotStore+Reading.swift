import Glibc

extension SnapshotStore {
    /// Reads and validates the snapshot directory `directory`.
    ///
    /// Decodes `state.vmmsnap` (every check of `SnapshotCodec.decode`), checks that the memory file
    /// exists with exactly `state.memory.size` bytes and, unless `verifyMemory` is false, that its
    /// CRC-32C matches (which reads the whole file; see `verifyMemory(_:file:progress:)`).
    /// - Returns: the state and the memory file's path, ready for `GuestMemory(mappingFile:...)`.
    public static func read(
        from directory: String, verifyMemory: Bool = true, progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> (state: MachineState, memoryFile: String) {
        let root = trimmingTrailingSlashes(directory)
        let statePath = root + "/" + stateFileName
        guard HostFile.isDirectory(root) else {
            throw .io(operation: "open snapshot directory", path: root, errno: HostFile.exists(root) ? ENOTDIR : ENOENT)
        }
        let bytes = try io { () throws(HostFileError) in try HostFile.openForReading(statePath).readAll() }
        let state: MachineState
        do {
            state = try SnapshotCodec.decode(bytes)
        } catch {
            throw .inFile(path: statePath, error)
        }
        let memoryPath = root + "/" + state.memory.fileName
        try checkMemorySize(state.memory, file: memoryPath)
        if let tags = state.tags { try checkTagFileSize(tags, file: root + "/" + tags.fileName) }
        if verifyMemory {
            try Self.verifyMemory(state.memory, file: memoryPath, progress: progress)
        }
        return (state, memoryPath)
    }

    /// Checks the memory file's CRC-32C against `memory.checksum`, reading it in chunks.
    public static func verifyMemory(
        _ memory: MemoryState, file path: String, progress: Progress = { _, _ in }
    ) throws(SnapshotError) {
        try checkMemorySize(memory, file: path)
        let file = try io { () throws(HostFileError) in try HostFile.openForReading(path) }
        var crc = CRC32C()
        var done: UInt64 = 0
        progress(0, memory.size)
        while done < memory.size {
            let count = Int(min(UInt64(chunkSize), memory.size - done))
            let chunk = try io { () throws(HostFileError) in try file.read(count) }
            guard chunk.count == count else {
                throw .memoryFileSize(path: path, found: done + UInt64(chunk.count), expected: memory.size)
            }
            crc.update(chunk)
            done += UInt64(count)
            progress(done, memory.size)
        }
        guard crc.value == memory.checksum else {
            throw .memoryChecksumMismatch(path: path, found: crc.value, expected: memory.checksum)
        }
    }

    /// The memory file exists and has exactly the recorded size.
    static func checkMemorySize(_ memory: MemoryState, file path: String) throws(SnapshotError) {
        guard HostFile.exists(path) else { throw .memoryFileMissing(path: path) }
        let size = try io { () throws(HostFileError) in try HostFile.openForReading(path).size() }
        guard size == memory.size else { throw .memoryFileSize(path: path, found: size, expected: memory.size) }
    }
}
