import Foundation
import Testing

@testable import VMM

/// A snapshot writer killed mid-write leaves NAME.partial-PID; the next snapshot cleans it up when its
/// writer is gone and it holds only snapshot files, and never touches anything else.
@Suite struct SnapshotLeftoverTests {
    @Test func deadWritersPartialsAreRemovedByTheNextSnapshot() throws {
        let fm = FileManager.default
        let root = try SnapshotFixtures.temporaryDirectory()
        // pid 2^31-1 is above any pid_max: no such process.
        let dead = root + "/old.partial-2147483647"
        try fm.createDirectory(atPath: dead, withIntermediateDirectories: false)
        try Data("half".utf8).write(to: URL(fileURLWithPath: dead + "/memory.bin"))
        let odd = root + "/keep.partial-2147483647"
        try fm.createDirectory(atPath: odd, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: odd + "/notes.txt"))
        let live = root + "/busy.partial-\(getpid())"
        try fm.createDirectory(atPath: live, withIntermediateDirectories: false)
        let notPartial = root + "/plain.partial-x1"
        try fm.createDirectory(atPath: notPartial, withIntermediateDirectories: false)

        let state = SnapshotFixtures.small
        try SnapshotStore.write(
            state: state, readMemory: { _, count in [UInt8](repeating: 0, count: count) }, to: root + "/new")
        #expect(!fm.fileExists(atPath: dead), "a dead writer's partial directory is cleaned")
        #expect(fm.fileExists(atPath: odd + "/notes.txt"), "unexpected contents are left alone")
        #expect(fm.fileExists(atPath: live), "this process's own partial directory is not touched")
        #expect(fm.fileExists(atPath: notPartial))
        #expect(fm.fileExists(atPath: root + "/new/state.vmmsnap"))
    }

    @Test func partialNamesParse() {
        #expect(SnapshotStore.partialWriterPID("snap.partial-123") == 123)
        #expect(SnapshotStore.partialWriterPID("a.partial-b.partial-7") == 7)
        #expect(SnapshotStore.partialWriterPID("snap.partial-") == nil)
        #expect(SnapshotStore.partialWriterPID("snap.partial-12a") == nil)
        #expect(SnapshotStore.partialWriterPID("snap") == nil)
    }
}
