/// The files of snapshot directories as the snapshot reader sees them: whether a path exists or is a
/// directory, and reading a file opened by path. The reader's checks (`SnapshotStore.read(from:in:)`,
/// `readChain(from:in:)`) run over this, so the real file system (`HostFileSystem`) and an in-memory
/// directory (the SnapshotDirectory fuzz target's) go through the same code; file I/O cost ~1 ms per
/// input and held that target to under 1 000 executions/s.
protocol SnapshotFileSystem {
    func exists(_ path: String) -> Bool
    func isDirectory(_ path: String) -> Bool
    func openForReading(_ path: String) throws(HostFileError) -> any SnapshotReadableFile
}

/// A file of a snapshot directory, open for reading (`HostFile` is one).
protocol SnapshotReadableFile {
    func size() throws(HostFileError) -> UInt64
    func readAll() throws(HostFileError) -> [UInt8]
    func read(_ count: Int) throws(HostFileError) -> [UInt8]
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(HostFileError) -> Int
    /// The data extents of `[start, end)`, sorted and disjoint, the rest reading as zeros; nil when the
    /// file system cannot tell (then the whole range is read).
    func dataExtents(from start: UInt64, to end: UInt64) throws(HostFileError) -> [Range<UInt64>]?
}

extension HostFile: SnapshotReadableFile {}

/// The host's file system, what every real read of a snapshot uses.
struct HostFileSystem: SnapshotFileSystem {
    func exists(_ path: String) -> Bool { HostFile.exists(path) }
    func isDirectory(_ path: String) -> Bool { HostFile.isDirectory(path) }
    func openForReading(_ path: String) throws(HostFileError) -> any SnapshotReadableFile {
        try HostFile.openForReading(path)
    }
}
