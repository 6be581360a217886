import CKVM
import SysRegs

/// The features a vCPU is initialised with (`struct kvm_vcpu_init.features`, api.rst 4.82
/// "KVM_ARM_VCPU_INIT").
public struct VCPUInitFeatures: Hashable, Sendable {
    /// Start powered off; a secondary vCPU waits for PSCI CPU_ON.
    public var powerOff = false
    /// PSCI 0.2+ for the guest (rather than the KVM-specific PSCI 0.1).
    public var psci0_2 = true
    /// Boot at EL2: nested virtualisation, VHE (HCR_EL2.E2H RES1) unless `e2h0`.
    public var el2 = false
    /// With `el2`: restrict EL2 to HCR_EL2.E2H == 0 (non-VHE), which gives up FEAT_NV2 for the guest.
    public var e2h0 = false
    /// Scalable Vector Extension; needs `finalize(.sve)` before the first run.
    public var sve = false
    /// PMUv3; needs the PMU vCPU attributes (IRQ, INIT) before the first run.
    public var pmu = false
    /// Pointer authentication, address and generic keys together (KVM requires both or neither).
    public var pauth = false

    public init(
        powerOff: Bool = false, psci0_2: Bool = true, el2: Bool = false, e2h0: Bool = false,
        sve: Bool = false, pmu: Bool = false, pauth: Bool = false
    ) {
        self.powerOff = powerOff
        self.psci0_2 = psci0_2
        self.el2 = el2
        self.e2h0 = e2h0
        self.sve = sve
        self.pmu = pmu
        self.pauth = pauth
    }

    /// A plain EL1 vCPU.
    public static let el1 = VCPUInitFeatures()
    /// An EL2 vCPU with VHE.
    public static let el2VHE = VCPUInitFeatures(el2: true)
    /// An EL2 vCPU without VHE.
    public static let el2E2H0 = VCPUInitFeatures(el2: true, e2h0: true)

    /// Rejects combinations KVM would accept but misinterpret.
    ///
    /// `e2h0` without `el2` is silently accepted by KVM and yields a plain EL1 vCPU (lab finding;
    /// kvmtool now warns "--e2h0 requires --nested"), which would hide a configuration mistake.
    public func validate() throws {
        if e2h0 && !el2 {
            throw KVMError.invalidConfiguration(
                "e2h0 (KVM_ARM_VCPU_HAS_EL2_E2H0) requires el2 (KVM_ARM_VCPU_HAS_EL2); "
                    + "KVM would silently give a plain EL1 vCPU")
        }
    }

    /// The capabilities the host must offer for these features.
    public var requiredCapabilities: [KVMCapability] {
        var caps: [KVMCapability] = [.oneReg]
        if psci0_2 { caps.append(.psci02) }
        if el2 { caps.append(.el2) }
        if e2h0 { caps.append(.el2E2H0) }
        if sve { caps.append(.sve) }
        if pmu { caps.append(.pmuV3) }
        if pauth { caps += [.pauthAddress, .pauthGeneric] }
        return caps
    }

    /// The `features[0]` bitmap.
    public var bitmap: UInt32 {
        var bits: UInt32 = 0
        func set(_ on: Bool, _ bit: UInt32) { if on { bits |= 1 << bit } }
        set(powerOff, CKVM_ARM_VCPU_POWER_OFF)
        set(psci0_2, CKVM_ARM_VCPU_PSCI_0_2)
        set(pmu, CKVM_ARM_VCPU_PMU_V3)
        set(sve, CKVM_ARM_VCPU_SVE)
        set(pauth, CKVM_ARM_VCPU_PTRAUTH_ADDRESS)
        set(pauth, CKVM_ARM_VCPU_PTRAUTH_GENERIC)
        set(el2, CKVM_ARM_VCPU_HAS_EL2)
        set(e2h0, CKVM_ARM_VCPU_HAS_EL2_E2H0)
        return bits
    }

    /// The register-model view of these features (which registers the vCPU should list).
    public var registerFeatures: VCPUFeatures {
        var features: VCPUFeatures = []
        if el2 { features.insert(.el2) }
        if e2h0 { features.insert(.e2h0) }
        if sve { features.insert(.sve) }
        if pauth { features.insert(.pauth) }
        if pmu { features.insert(.pmu) }
        return features
    }

    /// A short description for messages: `el2+e2h0+psci0.2`.
    public var summary: String {
        let names: [(Bool, String)] = [
            (el2, "el2"), (e2h0, "e2h0"), (sve, "sve"), (pmu, "pmu"), (pauth, "pauth"),
            (psci0_2, "psci0.2"), (powerOff, "power-off"),
        ]
        let on = names.filter(\.0).map(\.1)
        return on.isEmpty ? "el1" : on.joined(separator: "+")
    }
}
