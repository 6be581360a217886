import Glibc
import Testing
import VMM

@testable import VMMCLI

/// The KVM gate of the CLI tests (as Tests/VMMTests/LabKVM.swift: `VMMCTL_REQUIRE_KVM=1`, the lab, makes
/// these run and fail rather than skip).
enum CLIKVM {
    static let capabilities = HostCapabilities.probe()
    static let required = getenv("VMMCTL_REQUIRE_KVM").map { String(cString: $0) == "1" } ?? false
    static var available: Bool { capabilities.kvmProblem == nil || required }
    static var skipReason: Comment {
        Comment(rawValue: "KVM tier skipped: \(capabilities.kvmProblem ?? "arm64 KVM present")")
    }
    static func supports(nested: Bool, e2h0: Bool) -> Bool {
        required || ((!nested || capabilities.el2) && (!e2h0 || capabilities.el2E2H0))
    }
}

/// `vmmctl run FILE` with a raw payload (no Image header) built by the A64 assembler and written to a
/// file: the whole command in-process against real KVM, on every vCPU kind.
@Suite("vmmctl run with a raw payload (KVM tier)", .enabled(if: CLIKVM.available, CLIKVM.skipReason))
struct RawPayloadKVMTests {
    /// The flag sets of the VM shapes: EL1, nested VHE, nested E2H0.
    static let shapes: [[String]] = [[], ["--nested"], ["--nested", "--e2h0"]]
    static let memory: UInt64 = 64 << 20
    static let ramBase: UInt64 = 0x4000_0000
    /// The last 2 MiB block of RAM (docs/boot.md), and the 16-byte initrd 64 KiB aligned below it.
    static let dtb = ramBase + memory - (2 << 20)
    static let initrdAddress = dtb - 0x1_0000
    static let initrd: [UInt8] = [0x78, 0x56, 0x34, 0x12] + [UInt8](repeating: 0xee, count: 12)

    @Test(
        "entered at its first byte at EL1/EL2 with x0 = the DTB, DAIF masked, the initrd where /chosen says; the console holds only what the payload printed; SYSTEM_OFF exits 0, SYSTEM_RESET 10",
        arguments: shapes, [DemoGuest.RawProbeEnd.systemOff, .systemReset])
    func rawProbe(flags: [String], end: DemoGuest.RawProbeEnd) throws {
        let nested = flags.contains("--nested")
        let e2h0 = flags.contains("--e2h0")
        guard CLIKVM.supports(nested: nested, e2h0: e2h0) else { return }
        let base = "/tmp/vmmctl-raw-\(getpid())-\(flags.joined())-\(end)"
        let payload = try DemoGuest.rawProbe(
            uartBase: 0x0900_0000, hasEL2: nested, initrdAddress: Self.initrdAddress, end: end)
        try HostFiles.writeAtomically(payload, to: base + ".bin", what: "payload")
        try HostFiles.writeAtomically(Self.initrd, to: base + ".initrd", what: "initrd")
        defer { for f in [".bin", ".initrd", ".sock"] { unlink(base + f) } }
        let r = CLIRun(
            ["run", base + ".bin", "--initrd", base + ".initrd", "--memory", "64M", "--api-socket", base + ".sock"]
                + flags)
        let expected = DemoGuest.rawProbeExpectedOutput(
            el: nested ? 2 : 1, e2h: nested ? !e2h0 : nil, dtbAddress: Self.dtb, initrdWord: 0x1234_5678)
        #expect(r.out == expected, "stderr: \(r.err)")
        #expect(r.status == (end == .systemOff ? 0 : 10), "stderr: \(r.err)")
    }
}

/// PMUv3 on by default where KVM offers it: a raw payload that counts cycles and an event, on every vCPU kind.
@Suite("vmmctl run: the guest's PMU (KVM tier)", .enabled(if: CLIKVM.available, CLIKVM.skipReason))
struct PMUKVMTests {
    @Test(
        "without any flag the guest gets a PMU whose cycle counter and event counter count, at EL1 and EL2",
        arguments: RawPayloadKVMTests.shapes)
    func counts(flags: [String]) throws {
        let nested = flags.contains("--nested")
        guard CLIKVM.supports(nested: nested, e2h0: flags.contains("--e2h0")) else { return }
        let base = "/tmp/vmmctl-pmu-\(getpid())-\(flags.joined())"
        try HostFiles.writeAtomically(
            try DemoGuest.pmuProbe(uartBase: 0x0900_0000, hasEL2: nested), to: base + ".bin", what: "payload")
        defer { for f in [".bin", ".sock", ".dtb"] { unlink(base + f) } }
        let r = CLIRun(["run", base + ".bin", "--memory", "64M", "--api-socket", base + ".sock"] + flags)
        #expect(r.out == DemoGuest.pmuProbeSuccess, "stderr: \(r.err)")
        #expect(r.status == 0, "stderr: \(r.err)")
        // The device tree describes it (arm,armv8-pmuv3, PPI 7), and --no-pmu drops it.
        for (extra, present) in [([String](), true), (["--no-pmu"], false)] {
            let d = CLIRun(["run", base + ".bin", "--dump-dtb", base + ".dtb"] + flags + extra)
            #expect(d.status == 0, "\(d.err)")
            let pmu = try FDT.parse(try HostFiles.read(base + ".dtb", what: "dtb")).root.child("pmu")
            #expect((pmu != nil) == present)
            if present { #expect(pmu?.property("interrupts")?.cellValues == [1, 7, 4]) }
        }
    }
}

/// SVE on by default where KVM offers it: a raw payload that sets and reads ZCR and runs RDVL.
@Suite("vmmctl run: the guest's SVE (KVM tier)", .enabled(if: CLIKVM.available, CLIKVM.skipReason))
struct SVEKVMTests {
    @Test(
        "without any flag the guest has SVE: ZCR reads back LEN 0xf and RDVL gives a vector length it allows",
        arguments: RawPayloadKVMTests.shapes)
    func vectorLength(flags: [String]) throws {
        let nested = flags.contains("--nested")
        let e2h0 = flags.contains("--e2h0")
        guard CLIKVM.supports(nested: nested, e2h0: e2h0) else { return }
        let base = "/tmp/vmmctl-sve-\(getpid())-\(flags.joined())"
        try HostFiles.writeAtomically(
            try DemoGuest.sveProbe(uartBase: 0x0900_0000, hasEL2: nested, e2h0: e2h0), to: base + ".bin",
            what: "payload")
        defer { for f in [".bin", ".sock"] { unlink(base + f) } }
        let r = CLIRun(["run", base + ".bin", "--memory", "64M", "--api-socket", base + ".sock"] + flags)
        #expect(r.status == 0, "stderr: \(r.err)")
        let fields = r.out.split(whereSeparator: { $0 == " " || $0 == "=" || $0 == "\n" })
        let values = try #require(
            fields.count == 5 ? (UInt64(fields[2], radix: 16), UInt64(fields[4], radix: 16)) : nil)
        let zcr = try #require(values.0, "\(r.out)")
        let vl = try #require(values.1, "\(r.out)")
        #expect(zcr & 0xF == 0xF, "\(r.out)")
        #expect(vl >= 16 && vl % 16 == 0 && vl <= 256, "\(r.out)")
    }
}
