import CKVM

/// A KVM capability (`KVM_CHECK_EXTENSION` argument), with what to do when the host lacks it.
public struct KVMCapability: Hashable, Sendable, CustomStringConvertible {
    /// The kernel's name, such as `KVM_CAP_ARM_EL2`.
    public let name: String
    /// The capability number.
    public let number: Int32
    /// What to do when the host lacks it.
    public let remedy: String

    public init(name: String, number: Int32, remedy: String) {
        self.name = name
        self.number = number
        self.remedy = remedy
    }

    public var description: String { name }

    /// The entry for an error listing missing capabilities.
    public var missing: MissingCapability { MissingCapability(name: name, remedy: remedy) }
}

extension KVMCapability {
    private static let newerKernel = "use a newer host kernel"

    public static let oneReg = KVMCapability(
        name: "KVM_CAP_ONE_REG", number: CKVM_CAP_ONE_REG, remedy: newerKernel)
    public static let deviceControl = KVMCapability(
        name: "KVM_CAP_DEVICE_CTRL", number: CKVM_CAP_DEVICE_CTRL, remedy: newerKernel)
    public static let vcpuAttributes = KVMCapability(
        name: "KVM_CAP_VCPU_ATTRIBUTES", number: CKVM_CAP_VCPU_ATTRIBUTES, remedy: newerKernel)
    public static let psci02 = KVMCapability(
        name: "KVM_CAP_ARM_PSCI_0_2", number: CKVM_CAP_ARM_PSCI_0_2, remedy: newerKernel)
    public static let nrVCPUs = KVMCapability(
        name: "KVM_CAP_NR_VCPUS", number: CKVM_CAP_NR_VCPUS, remedy: newerKernel)
    public static let maxVCPUs = KVMCapability(
        name: "KVM_CAP_MAX_VCPUS", number: CKVM_CAP_MAX_VCPUS, remedy: newerKernel)
    public static let vmIPASize = KVMCapability(
        name: "KVM_CAP_ARM_VM_IPA_SIZE", number: CKVM_CAP_ARM_VM_IPA_SIZE,
        remedy: "use a host kernel with configurable IPA size (Linux 4.20+)")
    public static let el2 = KVMCapability(
        name: "KVM_CAP_ARM_EL2", number: CKVM_CAP_ARM_EL2,
        remedy: "boot the host with kvm-arm.mode=nested (Linux 6.16+) on a CPU with FEAT_NV2")
    public static let el2E2H0 = KVMCapability(
        name: "KVM_CAP_ARM_EL2_E2H0", number: CKVM_CAP_ARM_EL2_E2H0,
        remedy: "boot the host with kvm-arm.mode=nested (Linux 6.16+) on a CPU that implements FEAT_E2H0")
    public static let mte = KVMCapability(
        name: "KVM_CAP_ARM_MTE", number: CKVM_CAP_ARM_MTE,
        remedy: "use a host CPU with FEAT_MTE2 (in the lab: `lab run --mte`), or run without MTE")
    public static let sve = KVMCapability(
        name: "KVM_CAP_ARM_SVE", number: CKVM_CAP_ARM_SVE, remedy: "use a host CPU with SVE, or run without SVE")
    public static let pauthAddress = KVMCapability(
        name: "KVM_CAP_ARM_PTRAUTH_ADDRESS", number: CKVM_CAP_ARM_PTRAUTH_ADDRESS,
        remedy: "use a host CPU with address authentication, or run without pointer authentication")
    public static let pauthGeneric = KVMCapability(
        name: "KVM_CAP_ARM_PTRAUTH_GENERIC", number: CKVM_CAP_ARM_PTRAUTH_GENERIC,
        remedy: "use a host CPU with generic authentication, or run without pointer authentication")
    /// Data aborts without a valid syndrome exit to userspace (KVM_EXIT_ARM_NISV) instead of failing KVM_RUN.
    public static let nisvToUser = KVMCapability(
        name: "KVM_CAP_ARM_NISV_TO_USER", number: CKVM_CAP_ARM_NISV_TO_USER, remedy: newerKernel)
    public static let pmuV3 = KVMCapability(
        name: "KVM_CAP_ARM_PMU_V3", number: CKVM_CAP_ARM_PMU_V3,
        remedy: "use a host with a PMUv3 KVM can virtualise, or run without a PMU")
    /// `KVM_IOEVENTFD`: guest MMIO writes can signal an eventfd instead of exiting (devices off the vCPU thread).
    public static let ioEventFD = KVMCapability(
        name: "KVM_CAP_IOEVENTFD", number: CKVM_CAP_IOEVENTFD, remedy: newerKernel)
    /// `KVM_IRQFD`: an eventfd signal injects an SPI. On arm64 it needs an in-kernel vGIC.
    public static let irqFD = KVMCapability(
        name: "KVM_CAP_IRQFD", number: CKVM_CAP_IRQFD,
        remedy: "use a host kernel with an in-kernel vGIC (KVM_CAP_IRQFD)")
    /// `KVM_IRQFD_FLAG_RESAMPLE`: level-triggered irqfds.
    public static let irqFDResample = KVMCapability(
        name: "KVM_CAP_IRQFD_RESAMPLE", number: CKVM_CAP_IRQFD_RESAMPLE, remedy: newerKernel)
    /// KVM_GET_DIRTY_LOG leaves pages writable until KVM_CLEAR_DIRTY_LOG re-protects them (optional:
    /// without it the plain dirty log is used).
    public static let manualDirtyLogProtect2 = KVMCapability(
        name: "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2", number: CKVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
        remedy: "use a host kernel with KVM_CLEAR_DIRTY_LOG (Linux 5.3+)")
    public static let counterOffset = KVMCapability(
        name: "KVM_CAP_COUNTER_OFFSET", number: CKVM_CAP_COUNTER_OFFSET,
        remedy: "use a host kernel with KVM_ARM_SET_COUNTER_OFFSET (Linux 6.4+)")
}
