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
            (["run", "/tmp"], 1, "kernel image '/tmp' is not a regular file"),
            (["run", "a", "b"], 2, "unexpected argument 'b'"),
            (["run", "--cpus", "2"], 2, "demo guest runs on one vCPU"),
            (["run", "--bench-spin", "10"], 2, "--bench-spin only applies to the --bench-mmio payload"),
            (["run", "--bench-mmio", "10", "--bench-spin", "x"], 2, "--bench-spin 'x' is not a count"),
        ])
    func badInput(args: [String], status: Int32, message: String) {
        let r = CLIRun(args)
        #expect(r.status == status)
        #expect(r.err.contains(message))
    }

    @Test("a file that is not an arm64 Image boots as a raw payload: its device tree names the initrd")
    func rawPayloadDeviceTree() throws {
        let path = "/tmp/vmmctl-test-raw-payload-\(getpid())"
        let script = "#!/bin/sh\n" + String(repeating: "echo this is a shell script, not a kernel\n", count: 8)
        try HostFiles.writeAtomically(Array(script.utf8), to: path, what: "test file")
        try HostFiles.writeAtomically([1, 2, 3, 4, 5], to: path + ".initrd", what: "test initrd")
        defer { for f in ["", ".initrd", ".dtb"] { unlink(path + f) } }
        let r = CLIRun("run", path, "--initrd", path + ".initrd", "--memory", "64M", "--dump-dtb", path + ".dtb")
        #expect(r.status == 0, "\(r.err)")
        let chosen = try FDT.parse(try HostFiles.read(path + ".dtb", what: "dtb")).root.node(atPath: "/chosen")
        // 64 MiB at 0x4000_0000: DTB at 0x43e0_0000, the 5-byte initrd 64 KiB aligned below it.
        #expect(chosen?.property("linux,initrd-start")?.value == [0, 0, 0, 0, 0x43, 0xdf, 0, 0])
        #expect(chosen?.property("linux,initrd-end")?.value == [0, 0, 0, 0, 0x43, 0xdf, 0, 5])
    }

    @Test("an empty kernel file and a raw payload larger than RAM are refused up front, naming the problem")
    func refusedPayloads() throws {
        let path = "/tmp/vmmctl-test-bad-payload-\(getpid())"
        defer { for f in ["", ".dtb"] { unlink(path + f) } }
        try HostFiles.writeAtomically([], to: path, what: "test file")
        let empty = CLIRun("run", path, "--dump-dtb", path + ".dtb")
        #expect(empty.status == 1)
        #expect(empty.err.contains("the kernel file is empty"))
        try HostFiles.writeAtomically([UInt8](repeating: 0, count: 15 << 20), to: path, what: "test file")
        let big = CLIRun("run", path, "--memory", "16M", "--dump-dtb", path + ".dtb")
        #expect(big.status == 1)
        #expect(big.err.contains("raw payload (15728640 bytes"))
        #expect(!big.err.contains("decompress"))
        #expect(access(path + ".dtb", F_OK) != 0)
    }
}

@Suite("vmmctl run --dump-dtb")
struct DumpDTBTests {
    /// A minimal arm64 Image: the 64-byte header with the magic and a 64 KiB image_size.
    static var image: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 0x1_0000)
        bytes.replaceSubrange(16..<24, with: [0, 0, 1, 0, 0, 0, 0, 0])
        bytes.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64])
        return bytes
    }

    @Test("writes the guest's device tree without KVM: parseable, with the command line, initrd and nested timers")
    func dumpDTB() throws {
        let base = "/tmp/vmmctl-dumpdtb-\(getpid())"
        try HostFiles.writeAtomically(Self.image, to: base + ".img", what: "test image")
        try HostFiles.writeAtomically([UInt8](repeating: 7, count: 4096), to: base + ".initrd", what: "test initrd")
        defer { for f in [".img", ".initrd", ".dtb"] { unlink(base + f) } }
        let r = CLIRun(
            "run", base + ".img", "--initrd", base + ".initrd", "--cmdline", "console=ttyAMA0 hello", "--cpus", "2",
            "--nested", "--dump-dtb", base + ".dtb")
        #expect(r.status == 0, "\(r.err)")
        let blob = try HostFiles.read(base + ".dtb", what: "dtb")
        let tree = try FDT.parse(blob).root
        #expect(tree.node(atPath: "/chosen")?.property("bootargs")?.stringValues == ["console=ttyAMA0 hello"])
        #expect(tree.node(atPath: "/chosen")?.property("linux,initrd-start") != nil)
        #expect(tree.node(atPath: "/psci")?.property("method")?.stringValues == ["smc"])
        #expect(tree.node(atPath: "/cpus/cpu@1") != nil)
    }
}
