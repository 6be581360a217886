/// GICv3 CPU interface registers (GIC architecture specification, IHI0069, chapter 12). None is in
/// KVM_GET_REG_LIST: userspace reaches them through the vGICv3 device's
/// `KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS` group, keyed by the same (op0..op2) encoding. The ICC set is the
/// one that group saves; the ICH_*_EL2 set exists for HAS_EL2 vCPUs, and FEAT_NV2 keeps the list,
/// active-priority, HCR and VMCR registers in the VNCR page (the offsets live in
/// `Storage.gicCPUInterface(vncr:)`).
extension RegisterTable {
    static let gicRegisters: [RegisterDescriptor] = rows(
        [.gic("ICC_PMR_EL1", (3, 0, 4, 6, 0)), .gic("ICC_BPR0_EL1", (3, 0, 12, 8, 3))],
        family(0...3) { n in .gic("ICC_AP0R\(n)_EL1", (3, 0, 12, 8, UInt8(4 + n))) },
        family(0...3) { n in .gic("ICC_AP1R\(n)_EL1", (3, 0, 12, 9, UInt8(n))) },
        [
            .gic("ICC_BPR1_EL1", (3, 0, 12, 12, 3)),
            .gic("ICC_CTLR_EL1", (3, 0, 12, 12, 4)),
            .gic("ICC_SRE_EL1", (3, 0, 12, 12, 5)),
            .gic("ICC_IGRPEN0_EL1", (3, 0, 12, 12, 6)),
            .gic("ICC_IGRPEN1_EL1", (3, 0, 12, 12, 7)),
        ],
        family(0...3) { n in
            .gic("ICH_AP0R\(n)_EL2", (3, 4, 12, 8, UInt8(n)), vncr: 0x480 + 8 * n, visibility: .el2)
        },
        family(0...3) { n in
            .gic("ICH_AP1R\(n)_EL2", (3, 4, 12, 9, UInt8(n)), vncr: 0x4A0 + 8 * n, visibility: .el2)
        },
        [
            .gic("ICH_HCR_EL2", (3, 4, 12, 11, 0), vncr: 0x4C0, visibility: .el2),
            .gic("ICH_VTR_EL2", (3, 4, 12, 11, 1), visibility: .el2),
            .gic("ICH_MISR_EL2", (3, 4, 12, 11, 2), visibility: .el2),
            .gic("ICH_EISR_EL2", (3, 4, 12, 11, 3), visibility: .el2),
            .gic("ICH_ELRSR_EL2", (3, 4, 12, 11, 5), visibility: .el2),
            .gic("ICH_VMCR_EL2", (3, 4, 12, 11, 7), vncr: 0x4C8, visibility: .el2),
        ],
        // ICH_LRn_EL2 is (3, 4, 12, 0b110:n[3], n[2:0]).
        family(0...15) { n in
            .gic(
                "ICH_LR\(n)_EL2", (3, 4, 12, UInt8(12 + n / 8), UInt8(n % 8)), vncr: 0x400 + 8 * n,
                visibility: .el2)
        })
}
