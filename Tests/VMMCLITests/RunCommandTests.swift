import Glibc
import Testing
import VMM

@testable import VMMCLI

@Suite("vmmctl run (command line)")
struct RunCommandTests {
    @Test(
        "sizes parse like QEMU's -m",
        arguments: [
            ("256", UInt64(256) << 20), ("512M", 512 << 20), ("1G", 1 << 30), ("2048K", 2 << 20), ("1GiB", 1 << 30),
            ("64MB", 64 << 20),
        ])
    func sizes(text: String, bytes: UInt64) {
        #expect(RunCommand.parseSize(text) == bytes)
    }

    @Test("bad sizes are refused", arguments: ["", "M", "lots", "-1", "1.5G", "99999999999999999999T"])
    func badSizes(text: String) {
        #expect(RunCommand.parseSize(text) == nil)
    }

    @Test(
        "bad input is refused before any KVM access, with the reason",
        arguments: [
            (["run", "--e2h0"], Int32(2), "--e2h0 requires --nested"),
            (["run", "--cpus", "0"], 2, "--cpus '0' is not a positive number"),
            (["run", "--memory", "3M"], 2, "multiple of 2 MiB"),
            (["run", "--memory", "lots"], 2, "not a size"),
            (["run", "--initrd", "/x"], 2, "--initrd needs a kernel IMAGE"),
            (["run", "/nonexistent/Image"], 1, "cannot open kernel image '/nonexistent/Image'"),
            (["run", "a", "b"], 2, "unexpected argument 'b'"),
            (["run", "--cpus", "2"], 2, "demo guest runs on one vCPU"),
        ])
    func badInput(args: [String], status: Int32, message: String) {
        let r = CLIRun(args)
        #expect(r.status == status)
        #expect(r.err.contains(message))
    }

    @Test("a file that is not an arm64 Image is named as such, and nothing starts")
    func notAnImage() throws {
        let path = "/tmp/vmmctl-test-not-an-image-\(getpid())"
        let script = "#!/bin/sh\n" + String(repeating: "echo this is a shell script, not a kernel\n", count: 8)
        try HostFiles.writeAtomically(Array(script.utf8), to: path, what: "test file")
        defer { unlink(path) }
        let r = CLIRun("run", path, "--dump-dtb", path + ".dtb")
        #expect(r.status == 1)
        #expect(r.err.contains("not an arm64 Linux Image"))
        #expect(access(path + ".dtb", F_OK) != 0)
    }
}
