import Glibc
import Testing

@testable import VMM

/// The default control socket's directory: created 0700, and refused when someone else could have
/// planted it (before the fix the default was /tmp/vmmctl-UID.sock, which any local user could create).
@Suite struct ControlSocketDirectoryTests {
    static func runtimeDir(_ tag: String) -> String {
        let dir = "/tmp/vmmctl-sockdir-test-\(getpid())-\(tag)"
        mkdir(dir, 0o700)
        return dir
    }

    @Test func aMissingDirectoryIsCreated0700() throws {
        let env = ["XDG_RUNTIME_DIR": Self.runtimeDir("fresh")]
        let socket = try ControlSocketDirectory.prepare(environment: env, uid: getuid())
        #expect(socket == env["XDG_RUNTIME_DIR"]! + "/vmmctl/vmmctl.sock")
        var st = stat()
        #expect(lstat(env["XDG_RUNTIME_DIR"]! + "/vmmctl", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)
        // Preparing again accepts what it made.
        #expect(try ControlSocketDirectory.prepare(environment: env, uid: getuid()) == socket)
    }

    @Test func withoutXDGTheDirectoryIsPerUserInTmp() {
        #expect(ControlSocketDirectory.path(environment: [:], uid: 1000) == "/tmp/vmmctl-1000")
    }

    @Test func aDirectoryOpenToOthersIsRefused() throws {
        let base = Self.runtimeDir("mode")
        mkdir(base + "/vmmctl", 0o700)
        chmod(base + "/vmmctl", 0o755)
        #expect(throws: ControlSocketDirectory.Problem.self) {
            try ControlSocketDirectory.prepare(environment: ["XDG_RUNTIME_DIR": base], uid: getuid())
        }
        do {
            _ = try ControlSocketDirectory.prepare(environment: ["XDG_RUNTIME_DIR": base], uid: getuid())
        } catch {
            #expect(error.description.contains("mode 0755"))
        }
    }

    @Test func aSymlinkIsRefused() throws {
        let base = Self.runtimeDir("link")
        mkdir(base + "/elsewhere", 0o700)
        symlink(base + "/elsewhere", base + "/vmmctl")
        #expect(throws: ControlSocketDirectory.Problem.self) {
            try ControlSocketDirectory.prepare(environment: ["XDG_RUNTIME_DIR": base], uid: getuid())
        }
    }

    @Test func anotherUsersDirectoryIsRefusedNamingTheOwner() throws {
        let base = Self.runtimeDir("owner")
        mkdir(base + "/vmmctl", 0o700)
        // As root the test can make the directory someone else's; as a user it checks against a uid
        // that is not ours instead.
        let other: UInt32 = getuid() == 0 ? 4242 : getuid() + 1
        if getuid() == 0 { chown(base + "/vmmctl", other, 0) }
        let asked = getuid() == 0 ? getuid() : other
        do {
            _ = try ControlSocketDirectory.prepare(environment: ["XDG_RUNTIME_DIR": base], uid: asked)
            Issue.record("accepted a directory owned by someone else")
        } catch {
            #expect(error.description.contains("belongs to uid"))
        }
    }
}

/// `--memory` against the IPA space: refused with the limit named, never an overflow trap.
@Suite struct MemoryIPALimitTests {
    @Test func memoryBeyondAnyIPASpaceIsRefused() {
        let config = RunConfig(payload: .demo, memorySize: 16_777_215 << 40)
        #expect(throws: MachineError.self) { try config.validate() }
        do { try config.validate() } catch {
            guard case .invalidConfig(.beyondIPALimit(_, 52, false)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    @Test func ipaBitsNeededFollowsTheEndOfRAM() {
        #expect(RunConfig(payload: .demo, memorySize: 256 << 20).ipaBitsNeeded == 40)
        // RAM at 1 GiB plus 4 TiB ends just above 2^42.
        #expect(RunConfig(payload: .demo, memorySize: 4 << 40).ipaBitsNeeded == 43)
    }
}
