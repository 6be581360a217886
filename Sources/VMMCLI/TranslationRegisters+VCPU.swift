import SysRegs
import VMM

extension TranslationRegisters {
    /// The translation registers of a captured vCPU. With KVM's nested virtualisation the ONE_REG view is
    /// architectural wherever the vCPU was: the EL1 registers are the guest hypervisor's guest's (or its own
    /// under E2H=0), the EL2 ones the guest hypervisor's, so one capture serves every AT operation.
    init(vcpu: VCPUState) {
        self.init()
        let file = vcpu.registerFile
        func value(_ register: SysReg) -> UInt64 { file[register].map { UInt64(truncatingIfNeeded: $0) } ?? 0 }
        SCTLR_EL1 = value(.SCTLR_EL1)
        TCR_EL1 = value(.TCR_EL1)
        TTBR0_EL1 = value(.TTBR0_EL1)
        TTBR1_EL1 = value(.TTBR1_EL1)
        MAIR_EL1 = value(.MAIR_EL1)
        PSTATE = value(.PSTATE)
        if let mmfr0 = file[SysReg.ID_AA64MMFR0_EL1] { ID_AA64MMFR0_EL1 = UInt64(truncatingIfNeeded: mmfr0) }
        ID_AA64MMFR1_EL1 = value(.ID_AA64MMFR1_EL1)
        hasEL2 = vcpu.features.el2
        e2h0 = vcpu.features.e2h0
        guard hasEL2 else { return }
        SCTLR_EL2 = value(.SCTLR_EL2)
        TCR_EL2 = value(.TCR_EL2)
        TTBR0_EL2 = value(.TTBR0_EL2)
        TTBR1_EL2 = value(.TTBR1_EL2)
        MAIR_EL2 = value(.MAIR_EL2)
        HCR_EL2 = value(.HCR_EL2)
        VTCR_EL2 = value(.VTCR_EL2)
        VTTBR_EL2 = value(.VTTBR_EL2)
    }

    /// The exception level PSTATE.M names (AArch64; AArch32 modes count as EL1 here).
    var exceptionLevel: Int { Int(PSTATE >> 2 & 3) }

    /// The read operation of the vCPU's current regime, the `--at` default.
    var currentRead: ATOperation {
        let regime =
            TranslationRegime.current(exceptionLevel: exceptionLevel, hasEL2: hasEL2, e2h: e2h, tge: tge) ?? .el10
        return ATOperation.currentRead(exceptionLevel: exceptionLevel, regime: regime)
    }
}
