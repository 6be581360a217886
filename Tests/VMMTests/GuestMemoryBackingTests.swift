import Foundation
import Glibc
import Testing

@testable import VMM

/// The memory file behind restored guest RAM changing under it: truncated (reported by name, never a
/// silent SIGBUS), replaced (harmless), rewritten in place (reported). Plain Linux: runs on any host.
@Suite struct GuestMemoryBackingTests {
    static let base: UInt64 = 0x4000_0000
    static let size = 0x4_0000

    static func pattern(_ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 ^ ($0 >> 9)) } }

    /// A memory file of `size` pattern bytes in a fresh directory, with an mtime in the past (so that a
    /// write in the test moves it even on a coarse clock).
    static func makeFile(size: Int = size) throws -> (directory: String, path: String) {
        let directory = try SnapshotFixtures.temporaryDirectory()
        let path = directory + "/memory.bin"
        try Data(pattern(size)).write(to: URL(fileURLWithPath: path))
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        return (directory, path)
    }

    /// The initialiser restore uses for a plain guest.
    static func restoredMemory(_ path: String) throws -> GuestMemory {
        try GuestMemory(mappingFile: path, guestAddress: base, size: size)
    }

    @Test func anIntactFilePasses() throws {
        let (directory, path) = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memory = try Self.restoredMemory(path)
        try memory.checkBacking()
        #expect(memory.backingPath == path)
        #expect(try memory.readCheckingBacking(at: Self.base, count: Self.size) == Self.pattern(Self.size))
        // Guest writes stay in private pages: the file does not change, the check still passes.
        try memory.write([1, 2, 3], at: Self.base)
        try memory.checkBacking()
    }

    @Test func freshRAMHasNoBackingToCheck() throws {
        let memory = try GuestMemory(guestAddress: Self.base, size: Self.size)
        try memory.checkBacking()
        #expect(memory.backingPath == nil)
    }

    @Test func aTruncatedFileIsReportedByPathAndSizes() throws {
        let (directory, path) = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memory = try Self.restoredMemory(path)
        #expect(truncate(path, 0x1_0000) == 0)
        let expected = GuestMemoryError.backingTruncated(
            path: path, mappedBytes: UInt64(Self.size), fileBytes: 0x1_0000, lazilyLoaded: false)
        #expect(throws: expected) { try memory.checkBacking() }
        let text = "\(expected)"
        #expect(text.contains(path))
        #expect(text.contains("truncated from \(Self.size) to 65536 bytes while the VM ran"))
        #expect(text.contains("restore from an intact snapshot"))
        // The snapshot writer's read refuses before it touches a page past the end (which would SIGBUS).
        #expect(throws: expected) { try memory.readCheckingBacking(at: Self.base, count: Self.size) }
    }

    @Test func aFileReplacedByRenameIsHarmless() throws {
        let (directory, path) = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memory = try Self.restoredMemory(path)
        // A different, shorter file renamed over the path: the mapping keeps the old inode.
        let other = directory + "/other.bin"
        try Data([UInt8](repeating: 0xAA, count: 4096)).write(to: URL(fileURLWithPath: other))
        #expect(rename(other, path) == 0)
        try memory.checkBacking()
        #expect(try memory.readCheckingBacking(at: Self.base, count: Self.size) == Self.pattern(Self.size))
    }

    @Test func aFileRewrittenInPlaceIsReported() throws {
        let (directory, path) = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memory = try Self.restoredMemory(path)
        let file = try #require(FileHandle(forWritingAtPath: path))
        try file.seek(toOffset: 0x2000)
        try file.write(contentsOf: Data([0xFF]))
        try file.close()
        #expect(throws: GuestMemoryError.backingModified(path: path)) { try memory.checkBacking() }
    }

    @Test func aRunFailureIsBlamedOnTheFileOnlyForEFAULTWithABadFile() throws {
        let (directory, path) = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memory = try Self.restoredMemory(path)
        let efault = KVMError.ioctl(KVMRequest(.run), errno: EFAULT)
        #expect(memory.backingProblem(explainingRunFailure: efault) == nil)  // intact file
        #expect(truncate(path, 4096) == 0)
        let problem = memory.backingProblem(explainingRunFailure: efault)
        #expect(problem.map { "\($0)".contains(path) } == true)
        #expect(memory.backingProblem(explainingRunFailure: KVMError.ioctl(KVMRequest(.run), errno: EINVAL)) == nil)
    }

    /// The SIGBUS safety net, in a child process: vmmctl's own read of a page past the truncated end
    /// ends the process with the documented status and a message naming the file, not a bare SIGBUS.
    @Test func aSIGBUSInTruncatedGuestRAMNamesTheFile() async throws {
        let result = await #expect(
            processExitsWith: .exitCode(MappingFaultGuard.exitStatus), observing: [\.standardErrorContent]
        ) {
            let (_, path) = try GuestMemoryBackingTests.makeFile()
            let memory = try GuestMemoryBackingTests.restoredMemory(path)
            _ = truncate(path, 0)
            _ = try memory.read(at: GuestMemoryBackingTests.base + 0x2_0000, count: 8)  // unchecked: faults
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("SIGBUS reading guest RAM mapped from the memory file /"))
        #expect(stderr.contains("/memory.bin: the file was truncated while the VM ran"))
    }

    /// A SIGBUS outside every registered mapping keeps its usual effect once the net is installed.
    @Test func aSIGBUSElsewhereStillKillsTheProcess() async {
        await #expect(processExitsWith: .signal(SIGBUS)) {
            let (_, path) = try GuestMemoryBackingTests.makeFile()
            _ = try GuestMemoryBackingTests.restoredMemory(path)  // installs the handler
            let fd = open(path, O_RDONLY)
            // SAFETY (test): a shared mapping of the whole file, read past the end after a truncation.
            let pointer = mmap(nil, GuestMemoryBackingTests.size, PROT_READ, MAP_SHARED, fd, 0)!
            _ = truncate(path, 0)
            _ = pointer.load(fromByteOffset: 0x1000, as: UInt8.self)
        }
    }
}
