/// EL2 system registers of a HAS_EL2 (nested virtualization) vCPU, plus the AArch32 EL1 state
/// registers that carry `_EL2` names but every vCPU has (DACR32_EL2, IFSR32_EL2, FPEXC32_EL2).
///
/// VNCR offsets follow the FEAT_NV2 page layout (Arm ARM D8.12; Linux `vncr_mapping.h`). Registers
/// without one always trap from vEL2 and KVM emulates them (TTBR0/1_EL2, TCR_EL2, SCTLR_EL2, ...).
/// SP_EL2, ELR_EL2 and SPSR_EL2 are "EL2 special": kept apart from the sysreg array, but reached
/// through plain sysreg ids (KVM api.rst, KVM_GET_ONE_REG: the EL2 registers of a nested vCPU).
///
/// Visibility notes, from the lab lists (kernel 7.2, QEMU `-cpu max` host):
/// * VNCR_EL2 and the EL2 virtual timer (CNTHV_*) exist only with FEAT_VHE/FEAT_NV2, so an E2H0
///   vCPU does not list them (`.el2VHE`).
/// * HFGRTR2_EL2, HFGWTR2_EL2, HFGITR2_EL2, HDFGRTR2_EL2 and HDFGWTR2_EL2 (FEAT_FGT2), POR_EL2
///   (FEAT_S1POE), the MPAM registers and RVBAR_EL2 are not listed there; they are `.notListed`
///   until a host that lists them says under which condition.
extension RegisterTable {
    static let el2Registers: [RegisterDescriptor] = [
        .el2("VPIDR_EL2", (3, 4, 0, 0, 0), vncr: 0x088),
        .el2("VMPIDR_EL2", (3, 4, 0, 0, 5), vncr: 0x050),
        .el2("SCTLR_EL2", (3, 4, 1, 0, 0)),
        .el2("ACTLR_EL2", (3, 4, 1, 0, 1), reset: .value(0)),
        .el2("SCTLR2_EL2", (3, 4, 1, 0, 3)),
        // E2H | RW, as KVM resets a VHE guest hypervisor. A HAS_EL2_E2H0 vCPU resets to 0x80000000
        // (RW only); `Reset` holds one value, so the VHE one is recorded (lab: both measured).
        .el2("HCR_EL2", (3, 4, 1, 1, 0), vncr: 0x078, reset: .value(0x4_8000_0000)),
        // HPMN follows the number of PMU counters: host-dependent.
        .el2("MDCR_EL2", (3, 4, 1, 1, 1), reset: .host),
        .el2("CPTR_EL2", (3, 4, 1, 1, 2)),
        .el2("HSTR_EL2", (3, 4, 1, 1, 3), vncr: 0x080, reset: .value(0)),
        .el2("HFGRTR_EL2", (3, 4, 1, 1, 4), vncr: 0x1B8, reset: .value(0)),
        .el2("HFGWTR_EL2", (3, 4, 1, 1, 5), vncr: 0x1C0, reset: .value(0)),
        .el2("HFGITR_EL2", (3, 4, 1, 1, 6), vncr: 0x1C8, reset: .value(0)),
        .el2("HACR_EL2", (3, 4, 1, 1, 7), reset: .value(0)),
        .el2("ZCR_EL2", (3, 4, 1, 2, 0), reset: .value(0), visibility: .feature([.el2, .sve])),
        .el2("HCRX_EL2", (3, 4, 1, 2, 2), vncr: 0x0A0, reset: .value(0)),
        // FEAT_D128 widens TTBR0/1_EL2 and VTTBR_EL2; only VTTBR_EL2 has a (16-byte) VNCR slot.
        .el2("TTBR0_EL2", (3, 4, 2, 0, 0), width: .bits128, reset: .value(0)),
        .el2("TTBR1_EL2", (3, 4, 2, 0, 1), width: .bits128, reset: .value(0)),
        .el2("TCR_EL2", (3, 4, 2, 0, 2)),
        .el2("TCR2_EL2", (3, 4, 2, 0, 3)),
        .el2("VTTBR_EL2", (3, 4, 2, 1, 0), vncr: 0x020, width: .bits128, reset: .value(0)),
        .el2("VTCR_EL2", (3, 4, 2, 1, 2), vncr: 0x040, reset: .value(0)),
        .el2("VNCR_EL2", (3, 4, 2, 2, 0), vncr: 0x0B0, reset: .value(0), visibility: .el2VHE),
        .el2("DACR32_EL2", (3, 4, 3, 0, 0), visibility: .always),
        .el2("HDFGRTR2_EL2", (3, 4, 3, 1, 0), vncr: 0x1A0, reset: .value(0), visibility: .notListed),
        .el2("HDFGWTR2_EL2", (3, 4, 3, 1, 1), vncr: 0x1B0, reset: .value(0), visibility: .notListed),
        .el2("HFGRTR2_EL2", (3, 4, 3, 1, 2), vncr: 0x2C0, reset: .value(0), visibility: .notListed),
        .el2("HFGWTR2_EL2", (3, 4, 3, 1, 3), vncr: 0x2C8, reset: .value(0), visibility: .notListed),
        .el2("HDFGRTR_EL2", (3, 4, 3, 1, 4), vncr: 0x1D0, reset: .value(0)),
        .el2("HDFGWTR_EL2", (3, 4, 3, 1, 5), vncr: 0x1D8, reset: .value(0)),
        .el2("HAFGRTR_EL2", (3, 4, 3, 1, 6), vncr: 0x1E8, reset: .value(0)),
        .el2("HFGITR2_EL2", (3, 4, 3, 1, 7), vncr: 0x310, reset: .value(0), visibility: .notListed),
        .el2Special("SPSR_EL2", (3, 4, 4, 0, 0), reset: .value(0)),
        .el2Special("ELR_EL2", (3, 4, 4, 0, 1), reset: .value(0)),
        .el2("IFSR32_EL2", (3, 4, 5, 0, 1), visibility: .always),
        .el2("AFSR0_EL2", (3, 4, 5, 1, 0), reset: .value(0)),
        .el2("AFSR1_EL2", (3, 4, 5, 1, 1), reset: .value(0)),
        .el2("ESR_EL2", (3, 4, 5, 2, 0), reset: .value(0)),
        .el2("VSESR_EL2", (3, 4, 5, 2, 3), vncr: 0x508),
        // FPEXC.EN | the RES1 bits of the VFP subarchitecture field: KVM's reset value.
        .el2("FPEXC32_EL2", (3, 4, 5, 3, 0), reset: .value(0x70), visibility: .always),
        .el2("FAR_EL2", (3, 4, 6, 0, 0), reset: .value(0)),
        .el2("HPFAR_EL2", (3, 4, 6, 0, 4), reset: .value(0)),
        .el2("MAIR_EL2", (3, 4, 10, 2, 0), reset: .value(0)),
        .el2("PIRE0_EL2", (3, 4, 10, 2, 2)),
        .el2("PIR_EL2", (3, 4, 10, 2, 3)),
        .el2("POR_EL2", (3, 4, 10, 2, 4), visibility: .notListed),
        .el2("AMAIR_EL2", (3, 4, 10, 3, 0), reset: .value(0)),
        .el2("MPAMHCR_EL2", (3, 4, 10, 4, 0), vncr: 0x930, visibility: .notListed),
        .el2("MPAMVPMV_EL2", (3, 4, 10, 4, 1), vncr: 0x938, visibility: .notListed),
        .el2("MPAMVPM0_EL2", (3, 4, 10, 6, 0), vncr: 0x940, visibility: .notListed),
        .el2("MPAMVPM1_EL2", (3, 4, 10, 6, 1), vncr: 0x948, visibility: .notListed),
        .el2("MPAMVPM2_EL2", (3, 4, 10, 6, 2), vncr: 0x950, visibility: .notListed),
        .el2("MPAMVPM3_EL2", (3, 4, 10, 6, 3), vncr: 0x958, visibility: .notListed),
        .el2("MPAMVPM4_EL2", (3, 4, 10, 6, 4), vncr: 0x960, visibility: .notListed),
        .el2("MPAMVPM5_EL2", (3, 4, 10, 6, 5), vncr: 0x968, visibility: .notListed),
        .el2("MPAMVPM6_EL2", (3, 4, 10, 6, 6), vncr: 0x970, visibility: .notListed),
        .el2("MPAMVPM7_EL2", (3, 4, 10, 6, 7), vncr: 0x978, visibility: .notListed),
        .el2("VBAR_EL2", (3, 4, 12, 0, 0), reset: .value(0)),
        .el2("RVBAR_EL2", (3, 4, 12, 0, 1), reset: .value(0), visibility: .notListed),
        .el2("VDISR_EL2", (3, 4, 12, 1, 1), vncr: 0x500),
        .el2("CONTEXTIDR_EL2", (3, 4, 13, 0, 1), reset: .value(0)),
        .el2("TPIDR_EL2", (3, 4, 13, 0, 2), vncr: 0x090, reset: .value(0)),
        // Restore note: for HAS_EL2 vCPUs a SET_ONE_REG of CNTVCT_EL0 lands here; own the VM-wide
        // counter offset instead of replaying this blindly (KVM api.rst 4.138, KVM_ARM_SET_COUNTER_OFFSET).
        .el2("CNTVOFF_EL2", (3, 4, 14, 0, 3), vncr: 0x060, reset: .value(0)),
        .el2("CNTHCTL_EL2", (3, 4, 14, 1, 0), reset: .value(0)),
        .el2("CNTHP_CTL_EL2", (3, 4, 14, 2, 1)),
        .el2("CNTHP_CVAL_EL2", (3, 4, 14, 2, 2)),
        .el2("CNTHV_CTL_EL2", (3, 4, 14, 3, 1), visibility: .el2VHE),
        .el2("CNTHV_CVAL_EL2", (3, 4, 14, 3, 2), visibility: .el2VHE),
        // KVM leaves SP_EL2 UNKNOWN: it reads the poison value after VCPU_INIT.
        .el2Special("SP_EL2", (3, 6, 4, 1, 0), reset: .unknown),
    ]
}
