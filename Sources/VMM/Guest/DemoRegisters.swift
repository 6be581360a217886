import SysRegs

/// The system register encodings the demos use, taken from the register model's handles where it has them.
struct DemoRegisters {
    /// CurrentEL (3,0,4,2,2): a PSTATE view with no KVM ONE_REG id, so `RegisterTable` does not list it.
    let currentEL = SysRegEncoding(3, 0, 4, 2, 2)
    /// ELR_EL1 (3,0,4,0,1): KVM exposes it as a core register, so its table row carries no encoding.
    let elrEL1 = SysRegEncoding(3, 0, 4, 0, 1)
    /// SCTLR_EL12 (3,5,1,0,0): the E2H=1 alias KVM hides from userspace (REG_HIDDEN_USER).
    let sctlrEL12 = SysRegEncoding(3, 5, 1, 0, 0)

    let vbarEL1: SysRegEncoding
    let esrEL1: SysRegEncoding
    let sctlrEL1: SysRegEncoding
    let idAA64MMFR0EL1: SysRegEncoding
    let vbarEL2: SysRegEncoding
    let esrEL2: SysRegEncoding
    let elrEL2: SysRegEncoding
    let spsrEL2: SysRegEncoding
    let hcrEL2: SysRegEncoding
    let vtcrEL2: SysRegEncoding
    let vttbrEL2: SysRegEncoding

    init() throws(DemoGuestError) {
        vbarEL1 = try Self.encoding(SysReg.VBAR_EL1)
        esrEL1 = try Self.encoding(SysReg.ESR_EL1)
        sctlrEL1 = try Self.encoding(SysReg.SCTLR_EL1)
        idAA64MMFR0EL1 = try Self.encoding(SysReg.ID_AA64MMFR0_EL1)
        vbarEL2 = try Self.encoding(SysReg.VBAR_EL2)
        esrEL2 = try Self.encoding(SysReg.ESR_EL2)
        elrEL2 = try Self.encoding(SysReg.ELR_EL2)
        spsrEL2 = try Self.encoding(SysReg.SPSR_EL2)
        hcrEL2 = try Self.encoding(SysReg.HCR_EL2)
        vtcrEL2 = try Self.encoding(SysReg.VTCR_EL2)
        vttbrEL2 = try Self.encoding(SysReg.VTTBR_EL2)
    }

    /// The `MRS`/`MSR` encoding of a handle. Only core-register handles (PC, X0, ...) have none, and
    /// the demos name only system registers, so this never throws in practice.
    private static func encoding(_ register: SysReg) throws(DemoGuestError) -> SysRegEncoding {
        guard let encoding = register.encoding else { throw .noSystemRegisterEncoding(register.name) }
        return encoding
    }
}
