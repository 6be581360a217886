// The register names each layout in Fields/ decodes. Names match the register table verbatim; a suffix after a
// dot names an alternative layout of the same register that its own name cannot select:
//   CPTR_EL2.E2H0, CNTHCTL_EL2.E2H0   the HCR_EL2.E2H == 0 views (the plain names are the E2H == 1 views)
//   PAR_EL1.F1, PAR_EL1.D128           the fault and 128-bit success views (see FieldCatalog.decodePAR_EL1)
// TCR_EL2 is its E2H == 0 view; with E2H == 1 it has the TCR_EL1 layout. SCTLR_EL2 shares the SCTLR_EL1
// layout, which matches its E2H == 1 view.

extension FieldCatalog {
    static let registeredLayouts: [(names: [String], layout: FieldLayout)] = [
        (["HCR_EL2"], .HCR_EL2),
        (["HCRX_EL2"], .HCRX_EL2),
        (["SCTLR_EL1", "SCTLR_EL2"], .SCTLR_EL1),
        (["TCR_EL1"], .TCR_EL1),
        (["TCR_EL2"], .TCR_EL2),
        (["PSTATE", "SPSR_EL1", "SPSR_EL2"], .PSTATE),
        (["ESR_EL1", "ESR_EL2"], .ESR_ELx),
        (["VTCR_EL2"], .VTCR_EL2),
        (["VTTBR_EL2"], .VTTBR_EL2),
        (["TTBR0_EL1", "TTBR1_EL1"], .TTBRn_EL1),
        (["VNCR_EL2"], .VNCR_EL2),
        (["CPTR_EL2"], .CPTR_EL2),
        (["CPTR_EL2.E2H0"], .CPTR_EL2_E2H0),
        (["CPACR_EL1"], .CPACR_EL1),
        (["CNTHCTL_EL2"], .CNTHCTL_EL2),
        (["CNTHCTL_EL2.E2H0"], .CNTHCTL_EL2_E2H0),
        (["CNTV_CTL_EL0", "CNTP_CTL_EL0", "CNTHP_CTL_EL2", "CNTHV_CTL_EL2"], .timerControl),
        (["MDCR_EL2"], .MDCR_EL2),
        (["PAR_EL1"], .PAR_EL1),
        (["PAR_EL1.F1"], .PAR_EL1_F1),
        (["PAR_EL1.D128"], .PAR_EL1_D128),
        (["ID_AA64MMFR0_EL1"], .ID_AA64MMFR0_EL1),
        (["ID_AA64MMFR1_EL1"], .ID_AA64MMFR1_EL1),
        (["ID_AA64MMFR2_EL1"], .ID_AA64MMFR2_EL1),
        (["ID_AA64MMFR3_EL1"], .ID_AA64MMFR3_EL1),
        (["ID_AA64MMFR4_EL1"], .ID_AA64MMFR4_EL1),
        (["ID_AA64PFR0_EL1"], .ID_AA64PFR0_EL1),
        (["ID_AA64PFR1_EL1"], .ID_AA64PFR1_EL1),
        (["MIDR_EL1"], .MIDR_EL1),
        (["MPIDR_EL1"], .MPIDR_EL1),
        (["GCR_EL1"], .GCR_EL1),
        (["RGSR_EL1"], .RGSR_EL1),
        (["TFSR_EL1", "TFSRE0_EL1", "TFSR_EL2"], .TFSR_ELx),
        (["ICH_HCR_EL2"], .ICH_HCR_EL2),
        (["ICH_VMCR_EL2"], .ICH_VMCR_EL2),
    ]
}
