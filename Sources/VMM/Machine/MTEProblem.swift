/// Why a machine cannot have MTE (FEAT_MTE2 allocation tags) on this host or from this snapshot.
///
/// The library states the problem in terms of the machine; the command line words it with its flags
/// (VMMCLI `CLIError+Machine.swift`).
public enum MTEProblem: Hashable, Sendable, CustomStringConvertible {
    /// KVM does not offer KVM_CAP_ARM_MTE: the host CPU lacks FEAT_MTE2, or the kernel does not
    /// virtualise it.
    case hostLacksMTE
    /// KVM accepted MTE on the VM but hides it from vCPUs with EL2: ID_AA64PFR1_EL1.MTE reads `field`
    /// on an EL2 vCPU (lab finding, Linux 7.2: KVM's nested support sanitises FEAT_MTE out of the guest
    /// hypervisor's ID registers, so a nested guest would run with tags KVM keeps but it cannot use).
    case hiddenFromEL2(field: UInt64)
    /// The snapshot holds allocation tags, and this host's KVM cannot take them back.
    case snapshotNeedsMTE

    public var description: String {
        switch self {
        case .hostLacksMTE:
            "this host's KVM does not offer MTE (KVM_CAP_ARM_MTE): it needs a CPU with FEAT_MTE2 and a kernel "
                + "built with CONFIG_ARM64_MTE"
        case .hiddenFromEL2(let field):
            "KVM accepts MTE on the VM but hides it from vCPUs with EL2 (ID_AA64PFR1_EL1.MTE = \(field) there): "
                + "a guest hypervisor would get no MTE; this needs a host kernel whose nested virtualisation "
                + "exposes FEAT_MTE2 to EL2 guests"
        case .snapshotNeedsMTE:
            "the snapshot holds MTE allocation tags, but this host's KVM does not offer MTE (KVM_CAP_ARM_MTE); "
                + "restore it on a host with FEAT_MTE2"
        }
    }
}
