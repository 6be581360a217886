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
        try read(from: directory, in: HostFileSystem(), verifyMemory: verifyMemory, progress: progress)
    }

    /// `read(from:verifyMemory:progress:)` over the files of `files` (the host's, or an in-memory
    /// directory's in the fuzz target).
    static func read(
        from directory: String, in files: any SnapshotFileSystem, verifyMemory: Bool = true,
        progress: Progress = { _, _ in }
    ) throws(SnapshotError) -> (state: MachineState, memoryFile: String) {
        let root = trimmingTrailingSlashes(directory)
        let statePath = root + "/" + stateFileName
        guard files.isDirectory(root) else {
            throw .io(operation: "open snapshot directory", path: root, errno: files.exists(root) ? ENOTDIR : ENOENT)
        }
        let bytes = try io { () throws(HostFileError) in try files.openForReading(statePath).readAll() }
        let state: MachineState
        do {
            state = try SnapshotCodec.decode(bytes)
        } catch {
            throw .inFile(path: statePath, error)
        }
        let memoryPath = root + "/" + state.memory.fileName
        try checkMemorySize(state.memory, file: memoryPath, in: files)
        if let tags = state.tags { try checkTagFileSize(tags, file: root + "/" + tags.fileName, in: files) }
        if verifyMemory {
            try Self.verifyMemory(state.memory, file: memoryPath, in: files, progress: progress)
        }
        return (state, memoryPath)
    }

    /// Checks the memory file's CRC-32C against `memory.checksum`: the CRC of the logical image, holes
    /// read as zeros. Only the file's data extents are read (SEEK_DATA/SEEK_HOLE); the holes enter the
    /// CRC as zeros without being read, so verifying a sparse file costs what it stores. A filesystem
    /// without SEEK_DATA has the whole file read.
    public static func verifyMemory(
        _ memory: MemoryState, file path: String, progress: Progress = { _, _ in }
    ) throws(SnapshotError) {
        try verifyMemory(memory, file: path, in: HostFileSystem(), progress: progress)
    }

    /// `verifyMemory(_:file:progress:)` over the files of `files`.
    static func verifyMemory(
        _ memory: MemoryState, file path: String, in files: any SnapshotFileSystem, progress: Progress = { _, _ in }
    ) throws(SnapshotError) {
        try checkMemorySize(memory, file: path, in: files)
        let file = try io { () throws(HostFileError) in try files.openForReading(path) }
        let extents =
            try io { () throws(HostFileError) in try file.dataExtents(from: 0, to: memory.size) }
            ?? [0..<memory.size]
        var crc = CRC32C()
        var covered: UInt64 = 0
        // No chunk is longer than the image: a small snapshot does not allocate (and zero) 4 MiB to be
        // verified (the SnapshotDirectory fuzz target ran at ~900 executions/s because of it).
        var chunk = [UInt8](repeating: 0, count: Int(min(UInt64(chunkSize), memory.size)))
        progress(0, memory.size)
        for extent in extents {
            crc.appendZeros(extent.lowerBound - covered)
            var offset = extent.lowerBound
            while offset < extent.upperBound {
                let count = Int(min(UInt64(chunkSize), extent.upperBound - offset))
                let read = chunk.withUnsafeMutableBytes { buffer in
                    Result { () throws(HostFileError) in
                        try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]), at: offset)
                    }
                }
                let got = try io { () throws(HostFileError) in try read.get() }
                guard got == count else {
                    throw .memoryFileSize(path: path, found: offset + UInt64(got), expected: memory.size)
                }
                crc.update(chunk[..<count])
                offset += UInt64(count)
                progress(offset, memory.size)
            }
            covered = extent.upperBound
        }
        crc.appendZeros(memory.size - covered)
        progress(memory.size, memory.size)
        guard crc.value == memory.checksum else {
            throw .memoryChecksumMismatch(path: path, found: crc.value, expected: memory.checksum)
        }
    }

    /// The memory file exists and has exactly the recorded size.
    static func checkMemorySize(
        _ memory: MemoryState, file path: String, in files: any SnapshotFileSystem = HostFileSystem()
    ) throws(SnapshotError) {
        guard files.exists(path) else { throw .memoryFileMissing(path: path) }
        let size = try io { () throws(HostFileError) in try files.openForReading(path).size() }
        guard size == memory.size else { throw .memoryFileSize(path: path, found: size, expected: memory.size) }
    }
}
