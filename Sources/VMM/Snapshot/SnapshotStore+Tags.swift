import Glibc

/// The MTE tag file of a snapshot directory (`tags.bin`, TagState): written beside the memory file
/// inside the same atomic directory write, checked for size and CRC-32C before a restore uses it.
extension SnapshotStore {
    /// A state with `tags` needs the packed tags, of exactly the size its coverage gives; a state
    /// without needs none. Checked before anything is written.
    static func checkTagsToWrite(_ state: TagState?, _ tags: [UInt8]?) throws(SnapshotError) {
        switch (state, tags) {
        case (nil, nil): return
        case (nil, .some):
            throw .invalidState("allocation tags given for a machine state without MTE")
        case (.some, nil):
            throw .invalidState("the machine state has MTE but no allocation tags were given")
        case (.some(let state), .some(let tags)):
            guard UInt64(tags.count) == state.fileSize else {
                throw .invalidState(
                    "\(tags.count) bytes of packed tags for \(state.size) bytes of RAM (needs \(state.fileSize))")
            }
        }
    }

    /// Writes `tags` to the tag file and records its name and checksum in `state`.
    static func writeTags(
        _ tags: [UInt8]?, of state: inout MachineState, into directory: String
    )
        throws(SnapshotError)
    {
        guard let tags, state.tags != nil else { return }
        var crc = CRC32C()
        crc.update(tags)
        try io { () throws(HostFileError) in
            let file = try HostFile.create(directory + "/" + TagState.defaultFileName)
            try file.write(tags)
            try file.sync()
        }
        state.tags?.fileName = TagState.defaultFileName
        state.tags?.checksum = crc.value
    }

    /// The path of the tag file of the snapshot whose memory file is `memoryFile` (both live in the
    /// snapshot directory).
    public static func tagFilePath(_ tags: TagState, besideMemoryFile memoryFile: String) -> String {
        parentDirectory(of: memoryFile) + "/" + tags.fileName
    }

    /// Reads the tag file at `path` and checks it against `tags`: exactly `tags.fileSize` bytes with
    /// the recorded CRC-32C. The whole file is read (half a byte per granule: 32 MiB for 1 GiB of RAM),
    /// since restore writes every tag back anyway.
    /// - Returns: the packed tags.
    public static func readTags(_ tags: TagState, file path: String) throws(SnapshotError) -> [UInt8] {
        try checkTagFileSize(tags, file: path)
        let bytes = try io { () throws(HostFileError) in try HostFile.openForReading(path).read(Int(tags.fileSize)) }
        guard UInt64(bytes.count) == tags.fileSize else {
            throw .tagFileSize(path: path, found: UInt64(bytes.count), expected: tags.fileSize)
        }
        var crc = CRC32C()
        crc.update(bytes)
        guard crc.value == tags.checksum else {
            throw .tagChecksumMismatch(path: path, found: crc.value, expected: tags.checksum)
        }
        return bytes
    }

    /// The tag file exists and has exactly the recorded size (the cheap check `read(from:)` makes).
    static func checkTagFileSize(
        _ tags: TagState, file path: String, in files: any SnapshotFileSystem = HostFileSystem()
    ) throws(SnapshotError) {
        guard files.exists(path) else { throw .tagFileMissing(path: path) }
        let size = try io { () throws(HostFileError) in try files.openForReading(path).size() }
        guard size == tags.fileSize else { throw .tagFileSize(path: path, found: size, expected: tags.fileSize) }
    }
}
