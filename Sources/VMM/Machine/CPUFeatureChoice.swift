/// Whether a machine's vCPUs get an optional CPU feature KVM may or may not offer (PMUv3, SVE).
public enum CPUFeatureChoice: Hashable, Sendable {
    /// On where the host's KVM offers it, off elsewhere (the default, like QEMU's `-cpu host`).
    case auto
    /// On; a host without it is refused up front (`ConfigProblem.hostLacks`).
    case on
    case off
}

/// The optional vCPU features `CPUFeatureChoice` selects, with the capability each needs.
public enum OptionalCPUFeature: String, Hashable, Sendable, CaseIterable {
    case pmu = "PMUv3"
    case sve = "SVE"

    /// The capability that says KVM can give a vCPU this feature.
    public var capability: KVMCapability {
        switch self {
        case .pmu: .pmuV3
        case .sve: .sve
        }
    }
}

extension RunConfig {
    /// This configuration with every `.auto` feature decided by what `host` offers, so the machine and
    /// its snapshots record plain on/off. A feature asked for `.on` that the host lacks is an error
    /// here, before KVM is touched, naming the feature and the missing capability.
    public func resolvingFeatures(on host: HostCapabilities) throws(MachineError) -> RunConfig {
        var copy = self
        copy.pmu = try Self.resolve(pmu, .pmu, host)
        copy.sve = try Self.resolve(sve, .sve, host)
        switch its {
        case .auto: copy.its = host.gicITS ? .on : .off
        case .on where !host.gicITS && host.kvmProblem == nil: throw .invalidConfig(.hostLacksITS)
        case .on, .off: break
        }
        return copy
    }

    private static func resolve(
        _ choice: CPUFeatureChoice, _ feature: OptionalCPUFeature, _ host: HostCapabilities
    ) throws(MachineError) -> CPUFeatureChoice {
        let offered = host.offers(feature.capability)
        switch choice {
        case .auto: return offered ? .on : .off
        // Without KVM at all, the machine's own bring-up says so (naming /dev/kvm), not a missing feature.
        case .on where !offered && host.kvmProblem == nil: throw .invalidConfig(.hostLacks(feature))
        case .on, .off: return choice
        }
    }
}
