/// The handles the VMM and the command line use, each built from its encoding or `struct kvm_regs`
/// offset (the same constants as its `RegisterTable` row; SysRegHandleTests proves they agree).
/// Add a handle here, and to `all`, when code needs a register by name.
extension SysReg {
    // Core registers (`struct kvm_regs`, api.rst 4.68): the byte offset of the member.
    public static let X0 = core("X0", offset: 0x00)
    public static let X1 = core("X1", offset: 0x08)
    public static let X2 = core("X2", offset: 0x10)
    public static let X3 = core("X3", offset: 0x18)
    public static let SP_EL0 = core("SP_EL0", offset: 0xF8)
    public static let PC = core("PC", offset: 0x100)
    public static let PSTATE = core("PSTATE", offset: 0x108)
    public static let SP_EL1 = core("SP_EL1", offset: 0x110)
    public static let ELR_EL1 = core("ELR_EL1", offset: 0x118)
    public static let SPSR_EL1 = core("SPSR_EL1", offset: 0x120)

    // Identification.
    public static let MPIDR_EL1 = sysreg("MPIDR_EL1", (3, 0, 0, 0, 5))
    public static let ID_AA64MMFR0_EL1 = sysreg("ID_AA64MMFR0_EL1", (3, 0, 0, 7, 0))
    public static let ID_AA64MMFR1_EL1 = sysreg("ID_AA64MMFR1_EL1", (3, 0, 0, 7, 1))
    public static let ID_AA64PFR1_EL1 = sysreg("ID_AA64PFR1_EL1", (3, 0, 0, 4, 1))

    // EL1.
    public static let SCTLR_EL1 = sysreg("SCTLR_EL1", (3, 0, 1, 0, 0))
    public static let TTBR0_EL1 = sysreg("TTBR0_EL1", (3, 0, 2, 0, 0), width: .bits128)
    public static let TTBR1_EL1 = sysreg("TTBR1_EL1", (3, 0, 2, 0, 1), width: .bits128)
    public static let TCR_EL1 = sysreg("TCR_EL1", (3, 0, 2, 0, 2))
    public static let MAIR_EL1 = sysreg("MAIR_EL1", (3, 0, 10, 2, 0))
    public static let FAR_EL1 = sysreg("FAR_EL1", (3, 0, 6, 0, 0))
    public static let ESR_EL1 = sysreg("ESR_EL1", (3, 0, 5, 2, 0))
    public static let PAR_EL1 = sysreg("PAR_EL1", (3, 0, 7, 4, 0), width: .bits128)
    public static let VBAR_EL1 = sysreg("VBAR_EL1", (3, 0, 12, 0, 0))

    // MTE (RegisterTable+MTE.swift).
    public static let RGSR_EL1 = sysreg("RGSR_EL1", (3, 0, 1, 0, 5))
    public static let GCR_EL1 = sysreg("GCR_EL1", (3, 0, 1, 0, 6))
    public static let TFSR_EL1 = sysreg("TFSR_EL1", (3, 0, 5, 6, 0))
    public static let TFSRE0_EL1 = sysreg("TFSRE0_EL1", (3, 0, 5, 6, 1))
    public static let TFSR_EL2 = sysreg("TFSR_EL2", (3, 4, 5, 6, 0))

    // PMUv3 (listed for KVM_ARM_VCPU_PMU_V3 vCPUs only).
    public static let PMCR_EL0 = sysreg("PMCR_EL0", (3, 3, 9, 12, 0))
    public static let PMCNTENSET_EL0 = sysreg("PMCNTENSET_EL0", (3, 3, 9, 12, 1))
    public static let PMCCNTR_EL0 = sysreg("PMCCNTR_EL0", (3, 3, 9, 13, 0))
    public static let PMEVCNTR0_EL0 = sysreg("PMEVCNTR0_EL0", (3, 3, 14, 8, 0))
    public static let PMEVTYPER0_EL0 = sysreg("PMEVTYPER0_EL0", (3, 3, 14, 12, 0))
    public static let PMCCFILTR_EL0 = sysreg("PMCCFILTR_EL0", (3, 3, 14, 15, 7))

    // Counters. CNTVCT_EL0's ONE_REG id is KVM's frozen swapped one (RegisterTable+Timers.swift).
    public static let CNTPCT_EL0 = sysreg("CNTPCT_EL0", (3, 3, 14, 0, 1))
    public static let CNTVCT_EL0 = sysreg("CNTVCT_EL0", (3, 3, 14, 0, 2), kvmID: OneRegID(0x6030_0000_0013_DF1A))

    // EL2.
    public static let SCTLR_EL2 = sysreg("SCTLR_EL2", (3, 4, 1, 0, 0))
    public static let HCR_EL2 = sysreg("HCR_EL2", (3, 4, 1, 1, 0))
    public static let MDCR_EL2 = sysreg("MDCR_EL2", (3, 4, 1, 1, 1))
    public static let CPTR_EL2 = sysreg("CPTR_EL2", (3, 4, 1, 1, 2))
    public static let TTBR0_EL2 = sysreg("TTBR0_EL2", (3, 4, 2, 0, 0), width: .bits128)
    public static let TTBR1_EL2 = sysreg("TTBR1_EL2", (3, 4, 2, 0, 1), width: .bits128)
    public static let TCR_EL2 = sysreg("TCR_EL2", (3, 4, 2, 0, 2))
    public static let VTTBR_EL2 = sysreg("VTTBR_EL2", (3, 4, 2, 1, 0), width: .bits128)
    public static let VTCR_EL2 = sysreg("VTCR_EL2", (3, 4, 2, 1, 2))
    public static let VNCR_EL2 = sysreg("VNCR_EL2", (3, 4, 2, 2, 0))
    public static let SPSR_EL2 = sysreg("SPSR_EL2", (3, 4, 4, 0, 0))
    public static let ELR_EL2 = sysreg("ELR_EL2", (3, 4, 4, 0, 1))
    public static let ESR_EL2 = sysreg("ESR_EL2", (3, 4, 5, 2, 0))
    public static let MAIR_EL2 = sysreg("MAIR_EL2", (3, 4, 10, 2, 0))
    public static let VBAR_EL2 = sysreg("VBAR_EL2", (3, 4, 12, 0, 0))
    public static let CNTHCTL_EL2 = sysreg("CNTHCTL_EL2", (3, 4, 14, 1, 0))
    public static let SP_EL2 = sysreg("SP_EL2", (3, 6, 4, 1, 0))

    // GIC CPU interface (vGIC `CPU_SYSREGS` attributes, keyed by the encoding).
    public static let ICC_CTLR_EL1 = sysreg("ICC_CTLR_EL1", (3, 0, 12, 12, 4))
    public static let ICC_SRE_EL1 = sysreg("ICC_SRE_EL1", (3, 0, 12, 12, 5))
    public static let ICH_VTR_EL2 = sysreg("ICH_VTR_EL2", (3, 4, 12, 11, 1))
    public static let ICH_MISR_EL2 = sysreg("ICH_MISR_EL2", (3, 4, 12, 11, 2))
    public static let ICH_EISR_EL2 = sysreg("ICH_EISR_EL2", (3, 4, 12, 11, 3))
    public static let ICH_ELRSR_EL2 = sysreg("ICH_ELRSR_EL2", (3, 4, 12, 11, 5))
    public static let ICH_HCR_EL2 = sysreg("ICH_HCR_EL2", (3, 4, 12, 11, 0))
    public static let ICH_VMCR_EL2 = sysreg("ICH_VMCR_EL2", (3, 4, 12, 11, 7))

    /// Every handle above.
    public static let all: [SysReg] = [
        X0, X1, X2, X3, SP_EL0, PC, PSTATE, SP_EL1, ELR_EL1, SPSR_EL1,
        MPIDR_EL1, ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1, ID_AA64PFR1_EL1,
        SCTLR_EL1, TTBR0_EL1, TTBR1_EL1, TCR_EL1, MAIR_EL1, FAR_EL1, ESR_EL1, PAR_EL1, VBAR_EL1,
        RGSR_EL1, GCR_EL1, TFSR_EL1, TFSRE0_EL1, TFSR_EL2,
        CNTPCT_EL0, CNTVCT_EL0,
        PMCR_EL0, PMCNTENSET_EL0, PMCCNTR_EL0, PMEVCNTR0_EL0, PMEVTYPER0_EL0, PMCCFILTR_EL0,
        SCTLR_EL2, HCR_EL2, MDCR_EL2, CPTR_EL2, TTBR0_EL2, TTBR1_EL2, TCR_EL2, VTTBR_EL2, VTCR_EL2, VNCR_EL2,
        SPSR_EL2, ELR_EL2, ESR_EL2, MAIR_EL2, VBAR_EL2, CNTHCTL_EL2, SP_EL2,
        ICC_CTLR_EL1, ICC_SRE_EL1, ICH_VTR_EL2, ICH_MISR_EL2, ICH_EISR_EL2, ICH_ELRSR_EL2, ICH_HCR_EL2,
        ICH_VMCR_EL2,
    ]
}
