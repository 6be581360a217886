import Glibc
import Testing

@testable import VMM

/// Boot files streamed into guest RAM by a sweeping `UserfaultPager` (`GuestMemory.stream`).
@Suite struct GuestMemoryStreamingTests {
    let base: UInt64 = 0x4000_0000
    static let userfaultfdUsable = access("/dev/userfaultfd", R_OK | W_OK) == 0

    /// A file whose size is no multiple of the page or of the pager's block, in a directory of its own.
    func makeFile(size: Int) throws -> (directory: String, path: String, bytes: [UInt8]) {
        let directory = try SnapshotFixtures.temporaryDirectory()
        let path = directory + "/Image"
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 >> 12) &+ $0 &* 7 &+ 1) }
        let file = try HostFile.create(path)
        try file.write(bytes)
        file.close()
        return (directory, path, bytes)
    }

    /// Touched before the sweep reaches it, a page comes from the file at once; a write after that
    /// touch is kept (the sweep never replaces a present page); once finished, every byte of the range
    /// is the file's, the rest of the last page and all around it zero, and every page present.
    @Test(.enabled(if: userfaultfdUsable, "/dev/userfaultfd is absent or not accessible (Linux 6.1+, root)"))
    func aStreamedFileIsWhollyInOnceFinishedAndTouchedPagesComeFirst() throws {
        let size = 3 << 20 + 123
        let (directory, path, bytes) = try makeFile(size: size)
        defer {
            HostFile.removeFile(path)
            _ = HostFile.removeDirectory(directory)
        }
        let memory = try GuestMemory(guestAddress: base, size: 8 << 20)
        let at = base + (1 << 20)
        try memory.stream(
            from: try HostFile.openForReading(path), count: size, at: at, what: "kernel image", onFailure: { _ in })
        #expect(memory.streams.count == 1)
        // Near the end, where the sweep gets last: served by a fault.
        #expect(try memory.read(at: at + UInt64(size - 40), count: 40) == Array(bytes[(size - 40)...]))
        let written = at + 0x1_0008
        let readBack = try memory.read(at: written, count: 4)
        #expect(readBack == Array(bytes[0x1_0008..<0x1_000c]))
        try memory.write([0xEE, 0xEE, 0xEE, 0xEE], at: written)
        memory.finishLoading()

        var expected = bytes
        expected.replaceSubrange(0x1_0008..<0x1_000c, with: [0xEE, 0xEE, 0xEE, 0xEE])
        #expect(try memory.read(at: at, count: size) == expected)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = (size + page - 1) / page * page
        #expect(try memory.read(at: at + UInt64(size), count: length - size).allSatisfy { $0 == 0 })
        #expect(try memory.read(at: base, count: 1 << 20).allSatisfy { $0 == 0 })
        let host = memory.regions[0].hostAddress + (1 << 20)
        let present = try #require(GuestMemory.presentRanges(start: host, size: length))
        #expect(present == [0..<UInt64(length)])
        // The pager let go of the file: the RAM no longer changes with it.
        #expect(truncate(path, 0) == 0)
        #expect(try memory.read(at: at, count: size) == expected)
    }

    /// Where a page-aligned start is missing, the caller is told to read the file instead.
    @Test func anUnalignedStartIsNotStreamed() throws {
        let (directory, path, _) = try makeFile(size: 5000)
        defer {
            HostFile.removeFile(path)
            _ = HostFile.removeDirectory(directory)
        }
        let memory = try GuestMemory(guestAddress: base, size: 1 << 20)
        #expect {
            try memory.stream(
                from: try HostFile.openForReading(path), count: 5000, at: base + 0x10, what: "initrd",
                onFailure: { _ in })
        } throws: { error in
            guard case GuestMemoryError.lazyLoadingUnavailable(let why) = error else { return false }
            return why.contains("initrd") && why.contains("page-aligned")
        }
        #expect(memory.streams.isEmpty)
    }
}
