import Foundation
import Testing

@testable import VMM

/// Snapshot directories: atomic writes, refusal to overwrite, cleanup on failure, validation on read.
@Suite struct SnapshotStoreTests {
    let fm = FileManager.default

    /// Guest RAM matching `state.memory`, filled with a pattern.
    func memory(for state: MachineState) throws -> GuestMemory {
        let memory = try GuestMemory(guestAddress: state.memory.guestAddress, size: Int(state.memory.size))
        let pattern = (0..<Int(state.memory.size)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 12) }
        try memory.write(pattern, at: state.memory.guestAddress)
        return memory
    }

    @Test func writesAndReadsADirectory() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = SnapshotFixtures.rich
        let ram = try memory(for: state)
        var reports: [(UInt64, UInt64)] = []
        let target = root + "/snap"
        let written = try SnapshotStore.write(state: state, memory: ram, to: target) { reports.append(($0, $1)) }

        let ramBytes = try ram.read(at: state.memory.guestAddress, count: Int(state.memory.size))
        #expect(written.memory.checksum == CRC32C.checksum(ramBytes))
        #expect(written.memory.fileName == "memory.bin")
        #expect(try fm.contentsOfDirectory(atPath: target).sorted() == ["memory.bin", "state.vmmsnap"])
        #expect(try fm.contentsOfDirectory(atPath: root) == ["snap"])
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: target + "/memory.bin"))) == ramBytes)
        #expect(reports.first! == (0, state.memory.size))
        #expect(reports.last! == (state.memory.size, state.memory.size))

        let (read, memoryFile) = try SnapshotStore.read(from: target + "/")
        #expect(read == written)
        #expect(memoryFile == target + "/memory.bin")
    }

    @Test func streamsLargeMemoryInChunks() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        var state = SnapshotFixtures.small
        let size = SnapshotStore.chunkSize * 2 + 4096
        state.memory.size = UInt64(size)
        var calls: [Int] = []
        let written = try SnapshotStore.write(
            state: state,
            readMemory: { offset, count in
                calls.append(count)
                return [UInt8](repeating: UInt8(truncatingIfNeeded: offset >> 20), count: count)
            }, to: root + "/big")
        #expect(calls == [SnapshotStore.chunkSize, SnapshotStore.chunkSize, 4096])
        let (read, _) = try SnapshotStore.read(from: root + "/big")
        #expect(read.memory == written.memory)
    }

    @Test func existingTargetIsRefusedAndUntouched() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let target = root + "/snap"
        try fm.createDirectory(atPath: target, withIntermediateDirectories: false)
        try Data("earlier".utf8).write(to: URL(fileURLWithPath: target + "/state.vmmsnap"))
        let state = SnapshotFixtures.small
        #expect(throws: SnapshotError.targetExists(path: target)) {
            try SnapshotStore.write(state: state, memory: try memory(for: state), to: target)
        }
        #expect(try fm.contentsOfDirectory(atPath: target) == ["state.vmmsnap"])
        #expect(fm.contents(atPath: target + "/state.vmmsnap") == Data("earlier".utf8))
        #expect(try fm.contentsOfDirectory(atPath: root) == ["snap"])
        #expect(
            SnapshotError.targetExists(path: target).description
                == "snapshot directory \(target) already exists; choose another name or remove it")
    }

    @Test func failureMidWriteLeavesNothing() throws {
        struct Injected: Error {}
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        var state = SnapshotFixtures.small
        state.memory.size = UInt64(SnapshotStore.chunkSize * 3)
        var calls = 0
        let error = #expect(throws: SnapshotError.self) {
            try SnapshotStore.write(
                state: state,
                readMemory: { _, count in
                    calls += 1
                    if calls == 2 { throw Injected() }
                    return [UInt8](repeating: 0xAB, count: count)
                }, to: root + "/snap")
        }
        guard case .memorySource = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(try fm.contentsOfDirectory(atPath: root) == [])
    }

    @Test func shortMemoryReadFailsCleanly() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        #expect(throws: SnapshotError.self) {
            try SnapshotStore.write(
                state: SnapshotFixtures.small, readMemory: { _, count in [UInt8](repeating: 0, count: count - 1) },
                to: root + "/snap")
        }
        #expect(try fm.contentsOfDirectory(atPath: root) == [])
    }

    @Test func memoryOutsideGuestRAMIsRefused() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        var state = SnapshotFixtures.small
        let ram = try memory(for: state)
        state.memory.size *= 2
        let error = #expect(throws: SnapshotError.self) {
            try SnapshotStore.write(state: state, memory: ram, to: root + "/snap")
        }
        guard case .invalidState = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(try fm.contentsOfDirectory(atPath: root) == [])
    }

    @Test func missingParentDirectoryIsAnIOError() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = SnapshotFixtures.small
        let error = #expect(throws: SnapshotError.self) {
            try SnapshotStore.write(state: state, memory: try memory(for: state), to: root + "/no/such/snap")
        }
        guard case .io(let operation, _, let code) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(operation == "mkdir")
        #expect(code == ENOENT)
    }

    @Test func readValidatesTheMemoryFile() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = SnapshotFixtures.small
        let target = root + "/snap"
        let written = try SnapshotStore.write(state: state, memory: try memory(for: state), to: target)
        let memoryPath = target + "/memory.bin"
        let original = try Data(contentsOf: URL(fileURLWithPath: memoryPath))

        var corrupted = original
        corrupted[100] ^= 1
        try corrupted.write(to: URL(fileURLWithPath: memoryPath))
        let found = CRC32C.checksum([UInt8](corrupted))
        #expect(
            throws: SnapshotError.memoryChecksumMismatch(
                path: memoryPath, found: found, expected: written.memory.checksum)
        ) {
            try SnapshotStore.read(from: target)
        }
        #expect(try SnapshotStore.read(from: target, verifyMemory: false).state == written)

        try original.prefix(4096).write(to: URL(fileURLWithPath: memoryPath))
        #expect(throws: SnapshotError.memoryFileSize(path: memoryPath, found: 4096, expected: state.memory.size)) {
            try SnapshotStore.read(from: target, verifyMemory: false)
        }

        try fm.removeItem(atPath: memoryPath)
        let missing = SnapshotError.memoryFileMissing(path: memoryPath)
        #expect(throws: missing) { try SnapshotStore.read(from: target) }
        #expect(missing.description.contains("missing"))
    }

    @Test func corruptStateFileNamesTheFile() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = SnapshotFixtures.small
        let target = root + "/snap"
        try SnapshotStore.write(state: state, memory: try memory(for: state), to: target)
        let statePath = target + "/state.vmmsnap"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: statePath)))
        bytes.removeLast(10)
        try Data(bytes).write(to: URL(fileURLWithPath: statePath))
        let error = #expect(throws: SnapshotError.self) { try SnapshotStore.read(from: target) }
        guard case .inFile(let path, .truncated) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(path == statePath)
        #expect(error?.description.hasPrefix(statePath + ": snapshot is truncated") == true)
    }

    @Test func readingANonSnapshotDirectoryFails() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        #expect(throws: SnapshotError.self) { try SnapshotStore.read(from: root) }
        #expect(throws: SnapshotError.self) { try SnapshotStore.read(from: root + "/absent") }
    }
}
