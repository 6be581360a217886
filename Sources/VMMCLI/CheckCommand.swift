import VMM

/// `vmmctl check`: what this host's KVM offers, what is missing, and what to do about it.
enum CheckCommand: Subcommand {
    static let name = "check"
    static let summary = "report what the host's KVM offers (EL2, E2H0, MTE, SVE, ...) and what to do about gaps"
    static let help = """
        Usage: vmmctl check [--json] [--device PATH]

        Probes /dev/kvm: the KVM API version, EL2 (nested) and non-VHE EL2 (E2H0) guests, the in-kernel
        GICv3, MTE, SVE, pointer authentication, PMUv3, the largest guest physical address (IPA) size, vCPU
        limits and the VM-wide counter offset. Each missing piece comes with what to do, such as booting the
        host with kvm-arm.mode=nested.

        --json          machine-readable output
        --device PATH   the KVM device (default /dev/kvm)

        Exit status: 0 when `vmmctl run --nested` can work; 3 when KVM works but nested guests cannot;
        1 when arm64 KVM is not usable at all (for example on an x86_64 host: use the lab, docs/testing.md).

        """

    /// Exit status when plain guests can run but nested ones cannot.
    static let notNestedStatus: Int32 = 3

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["json"], options: ["device"])
        _ = try a.positionals([], command: name)
        let report = HostCapabilities.probe(path: a.options["device"] ?? "/dev/kvm").report
        if a.has("json") {
            io.print(json(report).rendered())
        } else {
            io.out.write(report.text)
        }
        return status(for: report)
    }

    static func status(for report: HostCheckReport) -> Int32 {
        report.nestedReady ? 0 : (report.kvmReady ? notNestedStatus : CLIError.failureStatus)
    }

    static func json(_ report: HostCheckReport) -> JSONValue {
        .object([
            ("kvmReady", .bool(report.kvmReady)),
            ("nestedReady", .bool(report.nestedReady)),
            (
                "items",
                .array(
                    report.items.map { item in
                        var m: [(String, JSONValue)] = [
                            ("name", .string(item.name)), ("available", .bool(item.available)),
                            ("value", .string(item.value)), ("neededForNested", .bool(item.neededForNested)),
                        ]
                        if let r = item.remedy { m.append(("remedy", .string(r))) }
                        return .object(m)
                    })
            ),
        ])
    }
}
