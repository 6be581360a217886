/// KVM's firmware pseudo-registers (api.rst 4.68 "arm64 firmware pseudo-registers", and
/// Documentation/virt/kvm/arm/fw-pseudo-registers.rst). They are not architectural: they carry the
/// PSCI version and SMCCC workaround state the guest was offered, and (coproc 0x16) the bitmaps of
/// hypercall services, which become immutable once any vCPU has run.
extension RegisterTable {
    static let firmwareRegisters: [RegisterDescriptor] = [
        .firmware("KVM_REG_ARM_PSCI_VERSION", coproc: .firmware, number: 0),
        .firmware("KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1", coproc: .firmware, number: 1),
        .firmware("KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2", coproc: .firmware, number: 2),
        .firmware("KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3", coproc: .firmware, number: 3),
        .firmware("KVM_REG_ARM_STD_BMAP", coproc: .firmwareFeatures, number: 0),
        .firmware("KVM_REG_ARM_STD_HYP_BMAP", coproc: .firmwareFeatures, number: 1),
        .firmware("KVM_REG_ARM_VENDOR_HYP_BMAP", coproc: .firmwareFeatures, number: 2),
        .firmware("KVM_REG_ARM_VENDOR_HYP_BMAP_2", coproc: .firmwareFeatures, number: 3),
    ]
}
