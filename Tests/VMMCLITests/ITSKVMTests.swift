import Glibc
import Testing
import VMM

@testable import VMMCLI

/// The GICv3 ITS on by default where KVM offers it: a raw payload that maps an LPI through the ITS's
/// command queue, sends it with INT and takes it, on every vCPU kind.
@Suite("vmmctl run: the guest's GICv3 ITS (KVM tier)", .enabled(if: CLIKVM.available, CLIKVM.skipReason))
struct ITSKVMTests {
    @Test(
        "without any flag the guest has an ITS: MAPD, MAPC, MAPTI and INT deliver LPI 8200 at EL1 and EL2; --no-its drops it",
        arguments: RawPayloadKVMTests.shapes)
    func lpiArrives(flags: [String]) throws {
        let nested = flags.contains("--nested")
        guard CLIKVM.supports(nested: nested, e2h0: flags.contains("--e2h0")) else { return }
        let base = "/tmp/vmmctl-its-\(getpid())-\(flags.joined())"
        try HostFiles.writeAtomically(
            try DemoGuest.itsProbe(layout: .standard, hasEL2: nested, waitForGo: false), to: base + ".bin",
            what: "payload")
        defer { for f in [".bin", ".sock", ".dtb"] { unlink(base + f) } }
        let r = CLIRun(["run", base + ".bin", "--memory", "64M", "--api-socket", base + ".sock"] + flags)
        #expect(r.out == DemoGuest.itsProbeSuccess, "stderr: \(r.err)")
        #expect(r.status == 0, "stderr: \(r.err)")
        // The device tree describes it under the GIC node, and --no-its drops it.
        for (extra, present) in [([String](), true), (["--no-its"], false)] {
            let d = CLIRun(["run", base + ".bin", "--dump-dtb", base + ".dtb"] + flags + extra)
            #expect(d.status == 0, "\(d.err)")
            let gic = try FDT.parse(try HostFiles.read(base + ".dtb", what: "dtb")).root.child("intc@8000000")
            let its = gic?.child("msi-controller@8080000")
            #expect((its != nil) == present)
            if present { #expect(its?.property("compatible")?.stringValues == ["arm,gic-v3-its"]) }
        }
    }

    @Test("--no-its: the same payload finds no ITS (its command queue never moves) and says so")
    func withoutITS() throws {
        let base = "/tmp/vmmctl-noits-\(getpid())"
        try HostFiles.writeAtomically(
            try DemoGuest.itsProbe(layout: .standard, hasEL2: false, waitForGo: false), to: base + ".bin",
            what: "payload")
        defer { for f in [".bin", ".sock"] { unlink(base + f) } }
        let r = CLIRun(["run", base + ".bin", "--memory", "64M", "--no-its", "--api-socket", base + ".sock"])
        #expect(r.out.hasPrefix("its: command queue stalled"), "stdout: \(r.out) stderr: \(r.err)")
        #expect(!r.out.contains(DemoGuest.itsProbeSuccess))
    }

    @Test("--its and --no-its together are a usage error")
    func contradiction() throws {
        let path = "/tmp/vmmctl-its-flags-\(getpid()).bin"
        try HostFiles.writeAtomically([0x1F, 0x20, 0x03, 0xD5], to: path, what: "payload")
        defer { unlink(path) }
        let r = CLIRun(["run", path, "--its", "--no-its"])
        #expect(r.status != 0)
        #expect(r.err.contains("--its and --no-its contradict each other"), "\(r.err)")
    }
}
