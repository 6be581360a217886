import VMM

/// The command line's wording of machine errors: the library states a problem in terms of the
/// machine, and only here does it become a flag of the command that set it.
extension CLIError {
    /// A machine error from `vmmctl run`: configuration problems name the flags that caused them;
    /// anything else carries the library's message. `status` is the usage status for problems found
    /// while reading the command line, the failure status for those the host revealed.
    init(runFlagsFor error: MachineError, status: Int32 = CLIError.usageStatus) {
        if case .mte(let problem) = error {
            self.init(Self.mteFlagWording(problem), status: status)
            return
        }
        if case .disk(let problem) = error {
            self.init("--disk: \(problem)", status: status)
            return
        }
        guard case .invalidConfig(let problem) = error else {
            self.init(error.description)
            return
        }
        self.init(Self.runFlagWording(problem), status: status)
    }

    /// A machine error from a command without machine flags (`restore`): the library's own words,
    /// which name the snapshot's values rather than any flag.
    init(machine error: MachineError) {
        self.init(error.description)
    }

    static func runFlagWording(_ problem: ConfigProblem) -> String {
        switch problem {
        case .e2h0WithoutEL2:
            "--e2h0 requires --nested: KVM would silently boot a plain EL1 guest"
        case .noVCPUs:
            "--cpus must be at least 1"
        case .tooManyVCPUs(let requested, let maximum):
            "--cpus \(requested): this machine's GIC redistributor window holds at most \(maximum) vCPUs"
        case .hostVCPULimit(let requested, let maximum):
            "--cpus \(requested): this host's KVM allows at most \(maximum) vCPUs"
        case .memorySize, .memoryOverflows:
            "--memory must be a multiple of 2 MiB and at least 16 MiB (\(problem))"
        case .builtInGuestNeedsOneVCPU:
            "the built-in demo guest runs on one vCPU; drop --cpus or give a kernel image"
        case .beyondIPALimit:
            "--memory is too large: \(problem); give less"
        case .overlappingRegions:
            problem.description
        case .tooManyVirtioDevices(let requested, let maximum):
            "\(requested) virtio devices (--disk, plus --rng unless --no-rng): at most \(maximum) fit"
        case .hostLacks(let feature):
            "--\(feature == .pmu ? "pmu" : "sve"): this host's KVM does not offer \(feature.rawValue) "
                + "(\(feature.capability.name) missing; vmmctl check lists what it has); drop the flag or use "
                + "--no-\(feature == .pmu ? "pmu" : "sve")"
        case .hostLacksITS:
            "--its: this host's KVM cannot create a GICv3 ITS (KVM_DEV_TYPE_ARM_VGIC_ITS; vmmctl check lists "
                + "what it has); drop the flag or use --no-its"
        }
    }

    /// `--mte` problems: the library's reason, then what to do in terms of the command line.
    static func mteFlagWording(_ problem: MTEProblem) -> String {
        switch problem {
        case .hostLacksMTE:
            "--mte: \(problem); run without --mte (in the lab: `lab run --mte`)"
        case .hiddenFromEL2:
            "--mte with --nested: \(problem); drop one of --mte and --nested"
        case .snapshotNeedsMTE:
            problem.description
        }
    }
}
