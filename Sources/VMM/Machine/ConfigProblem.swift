/// What is wrong with a machine configuration, found before KVM is touched.
///
/// The library states the problem in terms of the machine; only the command line knows which flag
/// set which value, so `vmmctl` words these with its own flags (VMMCLI `CLIError+Machine.swift`).
public enum ConfigProblem: Hashable, Sendable, CustomStringConvertible {
    /// A non-VHE guest hypervisor was asked for without EL2.
    case e2h0WithoutEL2
    /// Fewer than one vCPU.
    case noVCPUs
    /// More vCPUs than the machine's GIC redistributor window holds.
    case tooManyVCPUs(requested: Int, maximum: Int)
    /// More vCPUs than the host's KVM allows (KVM_CAP_MAX_VCPUS).
    case hostVCPULimit(requested: Int, maximum: Int)
    /// Guest RAM that is not a multiple of 2 MiB or smaller than the minimum.
    case memorySize(UInt64)
    /// Guest RAM that runs past the end of the 64-bit address space.
    case memoryOverflows(base: UInt64, size: UInt64)
    /// Guest RAM ending above what the IPA space can address: `bits` is the host's limit
    /// (KVM_CAP_ARM_VM_IPA_SIZE), or the architecture's 52 when `host` is false.
    case beyondIPALimit(end: UInt64, bits: Int, host: Bool)
    /// Two regions of the guest physical map overlap (a layout from a damaged snapshot).
    case overlappingRegions(String, String)
    /// The built-in payloads run on one vCPU only.
    case builtInGuestNeedsOneVCPU(requested: Int)
    /// More virtio devices (disks plus the entropy device) than the virtio-mmio window has slots.
    case tooManyVirtioDevices(requested: Int, maximum: Int)
    /// An optional vCPU feature was asked for that this host's KVM does not offer.
    case hostLacks(OptionalCPUFeature)
    /// A GICv3 ITS was asked for that this host's KVM cannot create (KVM_DEV_TYPE_ARM_VGIC_ITS).
    case hostLacksITS

    /// The widest IPA space of any arm64 host (FEAT_LPA: 52 bits; Arm ARM D8.1.6).
    public static let architecturalIPABits = 52

    /// The smallest guest RAM a machine accepts.
    public static let minimumMemory: UInt64 = 16 << 20

    public var description: String {
        switch self {
        case .e2h0WithoutEL2:
            "a non-VHE guest hypervisor (E2H0) needs vCPUs with EL2: KVM would silently boot a plain EL1 guest"
        case .noVCPUs:
            "a machine needs at least one vCPU"
        case .tooManyVCPUs(let requested, let maximum):
            "\(requested) vCPUs: this machine's GIC redistributor window holds at most \(maximum)"
        case .hostVCPULimit(let requested, let maximum):
            "\(requested) vCPUs: this host's KVM allows at most \(maximum)"
        case .memorySize(let size):
            "guest RAM of \(size) bytes: it must be a multiple of 2 MiB and at least 16 MiB"
        case .memoryOverflows(let base, let size):
            "guest RAM of \(size) bytes at 0x\(String(base, radix: 16)) runs past the end of the address space"
        case .beyondIPALimit(let end, let bits, let host):
            "guest RAM ending at 0x\(String(end, radix: 16)) needs more than "
                + (host
                    ? "this host's \(bits)-bit guest physical address space (KVM_CAP_ARM_VM_IPA_SIZE)"
                    : "the \(bits)-bit guest physical address space of any arm64 host")
        case .overlappingRegions(let a, let b):
            "the guest physical map is inconsistent: \(a) overlaps \(b)"
        case .builtInGuestNeedsOneVCPU(let requested):
            "the built-in guest runs on one vCPU, not \(requested); give a kernel image for more"
        case .tooManyVirtioDevices(let requested, let maximum):
            "\(requested) virtio devices: the virtio-mmio window has \(maximum) slots"
        case .hostLacks(let feature):
            "\(feature.rawValue) was asked for, but this host's KVM does not offer it (\(feature.capability.name) "
                + "missing); run without it"
        case .hostLacksITS:
            "a GICv3 ITS was asked for, but this host's KVM cannot create one (KVM_DEV_TYPE_ARM_VGIC_ITS); "
                + "run without it"
        }
    }
}
