import Glibc

/// The memory file written sparse (docs/snapshot-format.md, "Memory file"): only pages that may hold
/// something and are not all zero are written; everything else stays a hole.
extension SnapshotStore {
    /// Where the bytes of guest RAM come from while the memory file is written.
    struct MemorySource {
        /// Ranges of the image (offsets, sorted, disjoint) outside which it is zero for certain.
        var candidates: [Range<UInt64>]
        /// Hands `count` bytes at `offset` of the image to `body`, valid only during the call.
        var withBytes: (_ offset: UInt64, _ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    }

    /// What writing the memory file did.
    public struct MemoryFileReport: Hashable, Sendable {
        /// The CRC-32C of the logical image (holes read as zeros).
        public var checksum: UInt32
        /// Bytes written (the rest are holes).
        public var storedBytes: UInt64
        /// Bytes the file occupies on disk once written (st_blocks).
        public var allocatedBytes: UInt64
        /// The logical size.
        public var size: UInt64

        /// Whether the filesystem kept the holes: it allocated little more than what was stored (a
        /// filesystem without sparse files allocates the whole size when the file is extended).
        public var isSparse: Bool { allocatedBytes <= storedBytes + storedBytes / 4 + (1 << 20) }
    }

    /// The granule of the all-zero test and of the holes: 4 KiB, the smallest page any host uses.
    static let zeroGranule = 4096

    /// Writes the memory file at `path`: extends it to `size` (a hole), then writes each run of pages
    /// of `source.candidates` that are not all zero at its offset. The checksum is computed over the
    /// logical image in order, the holes fed as zeros (`CRC32C.appendZeros`), so it equals the CRC of
    /// the file read from start to end and does not depend on how the filesystem stores it.
    static func writeSparseMemory(
        size: UInt64, source: MemorySource, to path: String, progress: Progress
    ) throws(SnapshotError) -> MemoryFileReport {
        let file = try io { () throws(HostFileError) in
            let file = try HostFile.create(path)
            try file.truncate(to: size)
            return file
        }
        reached(.memoryFileCreated)
        var crc = CRC32C()
        var covered: UInt64 = 0
        var stored: UInt64 = 0
        progress(0, size)
        for run in source.candidates where run.lowerBound < size {
            var offset = run.lowerBound
            let end = min(run.upperBound, size)
            while offset < end {
                let count = Int(min(UInt64(chunkSize), end - offset))
                let chunkStart = offset
                do {
                    try source.withBytes(chunkStart, count) { buffer in
                        for extent in nonZeroExtents(buffer) {
                            crc.appendZeros(chunkStart + UInt64(extent.lowerBound) - covered)
                            let bytes = UnsafeRawBufferPointer(rebasing: buffer[extent])
                            crc.update(bytes)
                            try file.write(bytes, at: chunkStart + UInt64(extent.lowerBound))
                            covered = chunkStart + UInt64(extent.upperBound)
                            stored += UInt64(extent.count)
                            reached(.memoryWritten(storedBytes: stored))
                        }
                    }
                } catch let error as HostFileError {
                    throw .io(operation: error.operation, path: error.path, errno: error.errno)
                } catch let error as SnapshotError {
                    throw error
                } catch {
                    throw .memorySource("\(count) bytes at offset \(chunkStart): \(error)")
                }
                offset += UInt64(count)
                progress(offset, size)
            }
        }
        crc.appendZeros(size - covered)
        progress(size, size)
        try io { () throws(HostFileError) in try file.sync() }
        reached(.memoryFileSynced)
        let allocated = try io { () throws(HostFileError) in try file.allocatedBytes() }
        return MemoryFileReport(checksum: crc.value, storedBytes: stored, allocatedBytes: allocated, size: size)
    }

    /// The runs of `buffer` (byte offsets, whole granules but for a short last one) that are not all
    /// zero, adjacent non-zero granules merged.
    static func nonZeroExtents(_ buffer: UnsafeRawBufferPointer) -> [Range<Int>] {
        var extents: [Range<Int>] = []
        var start: Int?
        var position = 0
        while position < buffer.count {
            let next = min(position + zeroGranule, buffer.count)
            let zero = isZero(UnsafeRawBufferPointer(rebasing: buffer[position..<next]))
            if !zero, start == nil { start = position }
            if zero, let s = start {
                extents.append(s..<position)
                start = nil
            }
            position = next
        }
        if let s = start { extents.append(s..<buffer.count) }
        return extents
    }

    /// Whether every byte is zero: eight bytes at a time, then the tail.
    static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let words = bytes.count / 8
        var accumulated: UInt64 = 0
        for i in 0..<words {
            accumulated |= bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            if i & 63 == 63 && accumulated != 0 { return false }
        }
        for i in (words * 8)..<bytes.count { accumulated |= UInt64(bytes[i]) }
        return accumulated == 0
    }
}
