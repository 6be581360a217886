import Foundation
import Glibc
import Testing

@testable import VMM

/// Crash consistency (issue 13): a snapshot writer killed with SIGKILL at every step of its write. The
/// writer runs in a forked child (SnapshotStore's writer needs no KVM: a `MachineState` and a memory
/// image), whose `writeStepHook` raises SIGKILL on reaching step k, for every k from the partial
/// directory's creation to the published rename; the memory image has 64 separate runs of data, so the
/// kill points cover the memory file's whole write, not only its ends. After each kill: the earlier
/// snapshot is byte-identical, the new name is absent (killed before the rename) or a complete snapshot
/// that reads, verifies and maps back to the same guest RAM (killed after it), and the partial directory
/// a previous kill left is gone (the next writer cleans it).
///
/// Host tier only: under the lab's TCG each fork of the test runner takes seconds (the whole suite took
/// 627 s there), and the writer needs no KVM, so the lab run (VMMCTL_REQUIRE_KVM=1) leaves it to the host.
@Suite(
    .serialized,
    .disabled(
        if: LabKVM.required,
        "host tier only: the forked writers need no KVM and under the lab's TCG they took 627 s"))
struct SnapshotCrashTests {
    /// 512 KiB of guest RAM, every other 4 KiB page holding data: 64 runs written one by one.
    static let memorySize: UInt64 = 0x8_0000

    static let image: [UInt8] = (0..<Int(memorySize)).map { i in
        (i >> 12) & 1 == 0 ? UInt8(truncatingIfNeeded: i &* 31 &+ (i >> 12)) | 1 : 0
    }

    static func memory(_ offset: UInt64, _ count: Int) -> [UInt8] {
        Array(image[Int(offset)..<Int(offset) + count])
    }

    static var state: MachineState {
        var state = SnapshotFixtures.small
        state.config.memorySize = memorySize
        state.memory.size = memorySize
        return state
    }

    /// How a forked writer ended.
    enum Outcome: Equatable {
        case exited(Int32)
        case killed(Int32)
        case hung
    }

    /// Forks a writer of `state` to `target` that raises SIGKILL when it reaches step `killAt` (counting
    /// from 0), or with `killAt` nil writes every step it reached, one per line, to `stepsFile`.
    static func runWriter(to target: String, killAt: Int?, stepsFile: String = "") -> Outcome {
        let state = Self.state
        _ = image
        let pid = fork()
        if pid == 0 {
            // The child: only this thread exists; it writes and ends with _exit, never returning to the
            // test runner's code. It first closes every descriptor it inherited: another suite's open
            // file (a tmpfs SnapshotTargetFailureTests is filling) must not stay open, and its space
            // used, for as long as this child lives.
            for fd in 3..<Int32(1024) { close(fd) }
            var reached: [String] = []
            SnapshotStore.writeStepHook = { step in
                if reached.count == killAt { kill(getpid(), SIGKILL) }
                reached.append("\(step)")
            }
            let written = (try? SnapshotStore.write(state: state, readMemory: memory, to: target)) != nil
            if killAt == nil {
                let text = reached.joined(separator: "\n") + "\n"
                let fd = open(stepsFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                // SAFETY: writes from the string's own UTF-8 storage.
                _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
                close(fd)
            }
            _exit(written ? 0 : 1)
        }
        guard pid > 0 else { return .exited(-1) }
        // A watchdog rather than a blocking wait: a child stuck on a lock another thread of the test
        // runner held at fork time must fail this test, not hang the suite.
        var status: Int32 = 0
        for _ in 0..<3000 {
            if waitpid(pid, &status, WNOHANG) == pid {
                let signal = status & 0x7f
                return signal == 0 ? .exited((status >> 8) & 0xff) : .killed(signal)
            }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return .hung
    }

    static func contents(_ path: String) throws -> [UInt8] {
        try HostFile.openForReading(path).readAll()
    }

    static func partialEntries(in directory: String) -> Set<String> {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: Set<String> = []
        while let entry = readdir(dir) {
            // SAFETY: d_name is a NUL-terminated array inside the dirent readdir returned.
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.contains(".partial-") { names.insert(name) }
        }
        return names
    }

    /// The snapshot at `path` is complete: it reads and verifies, holds `state`, and its memory file
    /// maps (as restore maps it) to the image the writer was given.
    static func expectComplete(_ path: String, step: String) throws {
        let (read, memoryFile) = try SnapshotStore.read(from: path, verifyMemory: true)
        var expected = state
        expected.memory = read.memory
        #expect(read == expected, "killed after \(step): the snapshot holds another state")
        let ram = try GuestMemory(
            mappingFile: memoryFile, guestAddress: read.memory.guestAddress, size: Int(memorySize))
        #expect(
            try ram.read(at: read.memory.guestAddress, count: Int(memorySize)) == memory(0, Int(memorySize)),
            "killed after \(step): the memory file maps to other bytes")
    }

    @Test func sigkillAtEveryStepLeavesTheEarlierSnapshotAndEitherNothingOrACompleteOne() throws {
        // On tmpfs where there is one: a kill is not a power loss, so the writer's fsyncs have nothing to
        // prove here, and on a disk under load they made the 75 writes take over a minute.
        let root =
            access("/dev/shm", W_OK) == 0
            ? "/dev/shm/vmmctl-crash-\(getpid())" : try SnapshotFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The earlier snapshot, written in this process (which also instantiates everything the children
        // run, before any fork).
        let earlier = root + "/earlier"
        try SnapshotStore.write(
            state: Self.state, readMemory: { _, count in [UInt8](repeating: 7, count: count) }, to: earlier)
        let earlierState = try Self.contents(earlier + "/" + SnapshotStore.stateFileName)
        let earlierMemory = try Self.contents(earlier + "/" + SnapshotStore.memoryFileName)

        // The steps of a whole write, from a writer that is not killed.
        let stepsFile = root + "/steps"
        #expect(Self.runWriter(to: root + "/counted", killAt: nil, stepsFile: stepsFile) == .exited(0))
        let steps = String(decoding: try Self.contents(stepsFile), as: UTF8.self).split(separator: "\n").map(
            String.init)
        try #require(steps.count >= 50, "only \(steps.count) kill points: \(steps)")
        let renamed = try #require(steps.firstIndex(of: "renamed"), "no rename step in \(steps)")
        #expect(steps.filter { $0.hasPrefix("memoryWritten") }.count == 64)
        try Self.expectComplete(root + "/counted", step: "nothing (not killed)")

        var previousPartial: String?
        for (k, step) in steps.enumerated() {
            let target = root + "/snap-\(k)"
            let outcome = Self.runWriter(to: target, killAt: k)
            #expect(outcome == .killed(SIGKILL), "kill point \(k) (\(step)): the writer ended \(outcome)")
            #expect(try Self.contents(earlier + "/" + SnapshotStore.stateFileName) == earlierState)
            #expect(try Self.contents(earlier + "/" + SnapshotStore.memoryFileName) == earlierMemory)
            if k >= renamed {
                try Self.expectComplete(target, step: step)
            } else {
                #expect(!HostFile.exists(target), "killed after \(step) (before the rename): \(target) exists")
            }
            // At most this writer's own partial directory is left: the previous one's was cleaned.
            let partials = Self.partialEntries(in: root)
            #expect(partials.count <= 1, "killed after \(step): partial directories \(partials)")
            if let previousPartial {
                #expect(!partials.contains(previousPartial), "\(previousPartial) was not cleaned")
            }
            #expect(partials.allSatisfy { $0.hasPrefix("snap-\(k).partial-") }, "\(partials)")
            #expect(k < renamed || partials.isEmpty, "killed after \(step), a partial directory is left: \(partials)")
            previousPartial = partials.first
        }
        // The next snapshot into the same directory cleans what the last kill before the rename left.
        #expect(Self.runWriter(to: root + "/next", killAt: nil, stepsFile: stepsFile) == .exited(0))
        #expect(Self.partialEntries(in: root).isEmpty)
    }
}
