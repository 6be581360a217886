import Foundation
import Glibc
import Testing

@testable import VMM

/// A tmpfs of `options` mounted on a new directory; unmounted and removed by `unmount`.
struct SmallTmpfs {
    let path: String

    /// Whether this process may mount a tmpfs, probed once by mounting one.
    static let mountable: Bool = {
        guard let fs = try? SmallTmpfs(options: "size=64k") else { return false }
        fs.unmount()
        return true
    }()

    init(options: String, readOnly: Bool = false) throws {
        path = try SnapshotFixtures.temporaryDirectory()
        let flags = UInt(readOnly ? MS_RDONLY : 0)
        guard mount("tmpfs", path, "tmpfs", flags, options) == 0 else {
            let code = errno
            rmdir(path)
            throw HostFileError(operation: "mount tmpfs", path: path, errno: code)
        }
    }

    func unmount() {
        // MNT_DETACH (2): a forked child of another suite may hold a descriptor here for a moment.
        umount2(path, 2)
        rmdir(path)
    }

    /// What the filesystem holds (names in its root).
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
}

/// A snapshot into a full filesystem and into a read-only directory (issue 13): each is refused with an
/// error naming the path, the errno and what to do, and leaves nothing behind, not even the partial
/// directory. Both need a small filesystem of their own: a 1 MiB tmpfs, mounted here when this process
/// may mount (root, as in the lab and the CI container), the tests skipped with the reason otherwise.
@Suite(
    .serialized,
    .enabled(
        if: SmallTmpfs.mountable,
        "skipped: this process may not mount a tmpfs (mount(2) needs CAP_SYS_ADMIN: run as root)"))
struct SnapshotTargetFailureTests {
    /// 4 MiB of guest RAM, every byte non-zero: more than the 1 MiB filesystem holds.
    static var state: MachineState {
        var state = SnapshotFixtures.small
        state.config.memorySize = 4 << 20
        state.memory.size = 4 << 20
        return state
    }

    static func fill(_ offset: UInt64, _ count: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(truncatingIfNeeded: offset >> 12) | 1, count: count)
    }

    static func writeError(to directory: String) -> SnapshotError? {
        do {
            try SnapshotStore.write(state: state, readMemory: fill, to: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test func aFullFilesystemIsAClearErrorAndLeavesNothingBehind() throws {
        let fs = try SmallTmpfs(options: "size=1m")
        defer { fs.unmount() }
        let target = fs.path + "/snap"
        let error = try #require(Self.writeError(to: target), "a 4 MiB snapshot fitted in a 1 MiB filesystem")
        guard case .io(_, let path, let code) = error else {
            Issue.record("expected an I/O error, got \(error)")
            return
        }
        #expect(code == ENOSPC)
        #expect(path.hasPrefix(target + ".partial-"), "the error names \(path)")
        #expect("\(error)".contains("ENOSPC"))
        #expect("\(error)".contains("free some space or write the snapshot elsewhere"))
        #expect(fs.entries.isEmpty, "left behind: \(fs.entries)")
    }

    @Test func aReadOnlyDirectoryIsAClearErrorAndLeavesNothingBehind() throws {
        // chmod 0555 stops nobody who is root, so the read-only directory is a tmpfs mounted read-only.
        let fs = try SmallTmpfs(options: "size=1m", readOnly: true)
        defer { fs.unmount() }
        let target = fs.path + "/snap"
        let error = try #require(Self.writeError(to: target), "a snapshot was written to a read-only filesystem")
        guard case .io(_, let path, let code) = error else {
            Issue.record("expected an I/O error, got \(error)")
            return
        }
        #expect(code == EROFS)
        #expect(path.hasPrefix(target + ".partial-"), "the error names \(path)")
        #expect("\(error)".contains("Read-only file system"))
        #expect("\(error)".contains("check the permissions of the directory, or choose another one"))
        #expect(fs.entries.isEmpty, "left behind: \(fs.entries)")
    }
}
