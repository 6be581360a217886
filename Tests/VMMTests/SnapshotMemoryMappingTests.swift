import Foundation
import Glibc
import Synchronization
import Testing

@testable import VMM

/// Guest RAM mapped from a snapshot's memory file: same bytes, and guest writes stay private.
@Suite struct SnapshotMemoryMappingTests {
    let base: UInt64 = 0x4000_0000
    let size = 0x2_0000

    func makeFile(_ bytes: [UInt8]) throws -> (directory: String, path: String) {
        let directory = try SnapshotFixtures.temporaryDirectory()
        let path = directory + "/memory.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    @Test func mappingGivesTheFileBytesAndWritesStayPrivate() throws {
        let pattern = (0..<size).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 8)) }
        let (directory, path) = try makeFile(pattern)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let memory = try GuestMemory(mappingFile: path, guestAddress: base, size: size)
        #expect(memory.regions.count == 1)
        #expect(memory.regions[0].guestAddress == base)
        #expect(try memory.read(at: base, count: size) == pattern)

        try memory.write(UInt64(0x1122_3344_5566_7788), at: base + 0x1000)
        try memory.write([UInt8](repeating: 0xEE, count: 64), at: base + UInt64(size) - 64)
        #expect(try memory.read(UInt64.self, at: base + 0x1000) == 0x1122_3344_5566_7788)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == pattern)

        let second = try GuestMemory(mappingFile: path, guestAddress: base, size: size)
        #expect(try second.read(at: base, count: size) == pattern)
    }

    /// Kilobytes of the mapping at `address` that are the process's own (copied) pages, from
    /// /proc/self/smaps ("Anonymous:" of the entry that starts there).
    func anonymousKiB(at address: UInt) throws -> Int? {
        // HostFile reads to end of file; Foundation's String(contentsOfFile:) stops after the first
        // page of a /proc file.
        let smaps = String(decoding: try HostFile.openForReading("/proc/self/smaps").readAll(), as: UTF8.self)
        let start = String(address, radix: 16) + "-"
        var inEntry = false
        for line in smaps.split(separator: "\n") {
            if line.first?.isHexDigit == true, line.contains("-") { inEntry = line.hasPrefix(start) }
            if inEntry, line.hasPrefix("Anonymous:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
            }
        }
        return nil
    }

    /// A nested restore copies every page up front (no copy-on-write faults under KVM later); a plain
    /// one copies nothing until the guest writes.
    @Test func copyingUpFrontMakesEveryPagePrivate() throws {
        let pattern = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let (directory, path) = try makeFile(pattern)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let lazy = try GuestMemory(mappingFile: path, guestAddress: base, size: size)
        #expect(try lazy.read(at: base, count: size) == pattern)
        #expect(try anonymousKiB(at: lazy.regions[0].hostAddress) == 0)

        let copied = try GuestMemory(mappingFile: path, guestAddress: base, size: size, copyingUpFront: true)
        #expect(try anonymousKiB(at: copied.regions[0].hostAddress) == size / 1024)
        #expect(try copied.read(at: base, count: size) == pattern)
        try copied.write([UInt8](repeating: 0xAB, count: 16), at: base)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == pattern)
    }

    static let userfaultfdUsable = access("/dev/userfaultfd", R_OK | W_OK) == 0

    /// Nested restores fill RAM on demand through a userfaultfd: the bytes are the file's, only touched
    /// blocks become resident, and writes stay private.
    @Test(.enabled(if: userfaultfdUsable, "/dev/userfaultfd is absent or not accessible (Linux 6.1+, root)"))
    func lazilyLoadedMemoryFillsOnFirstTouch() throws {
        let size = 0x40_0000  // 4 MiB: 64 pager blocks
        let pattern = (0..<size).map { UInt8(truncatingIfNeeded: ($0 >> 12) &+ $0 &* 13) }
        let (directory, path) = try makeFile(pattern)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let memory = try GuestMemory(lazilyLoading: path, guestAddress: base, size: size)
        let host = memory.regions[0].hostAddress
        #expect(try anonymousKiB(at: host) == 0)
        #expect(try memory.read(at: base + 0x12_3450, count: 16) == Array(pattern[0x12_3450..<0x12_3460]))
        #expect(try anonymousKiB(at: host) == UserfaultPager.blockSize / 1024)
        try memory.write([UInt8](repeating: 0x5A, count: 8), at: base + 0x20_0000)
        #expect(try memory.read(at: base + 0x20_0000, count: 8) == [UInt8](repeating: 0x5A, count: 8))
        #expect(try memory.read(at: base, count: size)[0x30_0000..<0x30_1000] == pattern[0x30_0000..<0x30_1000])
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == pattern)
    }

    @Test(.enabled(if: userfaultfdUsable, "/dev/userfaultfd is absent or not accessible (Linux 6.1+, root)"))
    func lazilyLoadedMemoryRejectsAFileOfTheWrongSize() throws {
        let (directory, path) = try makeFile([UInt8](repeating: 1, count: 0x1000))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: GuestMemoryError.self) {
            _ = try GuestMemory(lazilyLoading: path, guestAddress: base, size: 0x2000)
        }
    }

    /// A pager that cannot fill a page (here: the file shrank under it) says so through `onFailure`
    /// instead of leaving a stalled guest unexplained; stopping it releases the blocked access.
    @Test(.enabled(if: userfaultfdUsable, "/dev/userfaultfd is absent or not accessible (Linux 6.1+, root)"))
    func pagerFailureIsReported() throws {
        let size = 0x10_0000
        let (directory, path) = try makeFile([UInt8](repeating: 7, count: size))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let failed = DispatchSemaphore(value: 0)
        let messages = Mutex<[String]>([])
        let memory = try GuestMemory(
            lazilyLoading: path, guestAddress: base, size: size,
            onFailure: { message in
                messages.withLock { $0.append(message) }
                failed.signal()
            })
        #expect(truncate(path, 0) == 0)
        let readDone = DispatchSemaphore(value: 0)
        // The reader only reads; the test thread only stops the pager after it has failed.
        nonisolated(unsafe) let shared = memory
        let address = base + 0x8_0000
        // A pthread, not a task: the read blocks in the kernel until the pager gives up and is stopped.
        let reader = try Threads.spawn {
            _ = try? shared.read(at: address, count: 8)
            readDone.signal()
        }
        #expect(failed.wait(timeout: .now() + 20) == .success)
        let message = messages.withLock { $0.first ?? "" }
        #expect(message.contains("guest memory pager stopped"), "\(message)")
        // It names the file and both sizes, so the stall is traced to the truncation at once.
        #expect(message.contains("memory file \(path) ends before offset"), "\(message)")
        #expect(message.contains("truncated from \(size) bytes to 0 bytes while the VM ran"), "\(message)")
        #expect(
            throws: GuestMemoryError.backingTruncated(
                path: path, mappedBytes: UInt64(size), fileBytes: 0, lazilyLoaded: true)
        ) { try memory.checkBacking() }
        memory.pager?.stop()
        #expect(readDone.wait(timeout: .now() + 20) == .success)
        Threads.join(reader)
    }

    @Test func restoreFromASnapshotDirectoryMapsItsMemory() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = SnapshotFixtures.small
        let ram = try GuestMemory(guestAddress: state.memory.guestAddress, size: Int(state.memory.size))
        try ram.write(Array("hello from the guest".utf8), at: state.memory.guestAddress + 0x200)
        try SnapshotStore.write(state: state, memory: ram, to: root + "/snap")
        let (read, memoryFile) = try SnapshotStore.read(from: root + "/snap")
        let restored = try GuestMemory(
            mappingFile: memoryFile, guestAddress: read.memory.guestAddress, size: Int(read.memory.size))
        #expect(
            try restored.read(at: state.memory.guestAddress + 0x200, count: 20) == Array("hello from the guest".utf8))
    }

    @Test func wrongSizeOrMissingFileIsRefused() throws {
        let (directory, path) = try makeFile([UInt8](repeating: 1, count: size / 2))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            _ = try GuestMemory(mappingFile: path, guestAddress: base, size: size)
        } throws: { error in
            guard case .backingFile(_, let reason) = error as? GuestMemoryError else { return false }
            return reason.contains("\(size / 2) bytes")
        }
        #expect {
            _ = try GuestMemory(mappingFile: directory + "/absent", guestAddress: base, size: size)
        } throws: { error in
            guard case .backingFile(_, let reason) = error as? GuestMemoryError else { return false }
            return reason.contains("ENOENT")
        }
        #expect(throws: GuestMemoryError.self) {
            _ = try GuestMemory(mappingFile: path, guestAddress: base + 1, size: size / 2)
        }
    }
}
