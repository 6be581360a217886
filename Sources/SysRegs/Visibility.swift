/// The vCPU features that decide which registers a vCPU has.
public struct VCPUFeatures: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `KVM_ARM_VCPU_HAS_EL2`: the vCPU boots at EL2 (nested virtualization).
    public static let el2 = VCPUFeatures(rawValue: 1 << 0)
    /// `KVM_ARM_VCPU_HAS_EL2_E2H0`: EL2 without VHE (HCR_EL2.E2H is RES0).
    public static let e2h0 = VCPUFeatures(rawValue: 1 << 1)
    /// `KVM_ARM_VCPU_SVE` (finalized).
    public static let sve = VCPUFeatures(rawValue: 1 << 2)
    /// `KVM_ARM_VCPU_PTRAUTH_ADDRESS` and `_GENERIC`.
    public static let pauth = VCPUFeatures(rawValue: 1 << 3)
    /// `KVM_ARM_VCPU_PMU_V3`.
    public static let pmu = VCPUFeatures(rawValue: 1 << 4)
    /// `KVM_CAP_ARM_MTE` enabled on the VM.
    public static let mte = VCPUFeatures(rawValue: 1 << 5)

    /// Names used in `--json` output and docs.
    public static let names: [(VCPUFeatures, String)] = [
        (.el2, "el2"), (.e2h0, "e2h0"), (.sve, "sve"), (.pauth, "pauth"), (.pmu, "pmu"), (.mte, "mte"),
    ]
}

/// When a vCPU has a register: a predicate over its features, like the `visibility` callbacks of
/// Linux's sys_regs.c table, but as a value so it can be printed, compared and tested.
public enum Visibility: Hashable, Sendable, CustomStringConvertible {
    /// Every vCPU.
    case always
    /// vCPUs with `HAS_EL2` (VHE or not).
    case el2
    /// vCPUs with `HAS_EL2` and without `HAS_EL2_E2H0` (registers that only exist with FEAT_VHE or
    /// FEAT_NV2, such as VNCR_EL2 and the EL2 virtual timer).
    case el2VHE
    /// vCPUs with `HAS_EL2` and `HAS_EL2_E2H0`.
    case el2E2H0
    /// vCPUs with all of the given features (MTE, SVE, PAuth, PMU; `[.el2, .sve]` for ZCR_EL2).
    case feature(VCPUFeatures)
    /// vCPUs without any of the given features: the FP/SIMD V registers, which KVM rejects (and does
    /// not list) on SVE vCPUs, where Zn slice 0 holds them (api.rst 4.68, arm64 core registers).
    case withoutFeature(VCPUFeatures)
    /// No vCPU lists it in KVM_GET_REG_LIST; it is reached another way (for example ICH_*_EL2
    /// through the vGIC device) or is modelled for the VNCR page only.
    case notListed

    /// Whether a vCPU with `features` has this register in its KVM_GET_REG_LIST.
    public func isListed(for features: VCPUFeatures) -> Bool {
        switch self {
        case .always: return true
        case .el2: return features.contains(.el2)
        case .el2VHE: return features.contains(.el2) && !features.contains(.e2h0)
        case .el2E2H0: return features.contains(.el2) && features.contains(.e2h0)
        case .feature(let f): return features.contains(f)
        case .withoutFeature(let f): return features.isDisjoint(with: f)
        case .notListed: return false
        }
    }

    public var description: String {
        switch self {
        case .always: return "always"
        case .el2: return "el2"
        case .el2VHE: return "el2-vhe"
        case .el2E2H0: return "el2-e2h0"
        case .feature(let f):
            return VCPUFeatures.names.filter { f.contains($0.0) }.map(\.1).joined(separator: "+")
        case .withoutFeature(let f):
            return VCPUFeatures.names.filter { f.contains($0.0) }.map { "no-" + $0.1 }.joined(separator: "+")
        case .notListed: return "not-listed"
        }
    }
}
