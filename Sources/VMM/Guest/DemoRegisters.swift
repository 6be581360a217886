import SysRegs

/// The system register encodings the demos use, taken from the register model where it has them.
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
        vbarEL1 = try Self.named("VBAR_EL1")
        esrEL1 = try Self.named("ESR_EL1")
        sctlrEL1 = try Self.named("SCTLR_EL1")
        idAA64MMFR0EL1 = try Self.named("ID_AA64MMFR0_EL1")
        vbarEL2 = try Self.named("VBAR_EL2")
        esrEL2 = try Self.named("ESR_EL2")
        elrEL2 = try Self.named("ELR_EL2")
        spsrEL2 = try Self.named("SPSR_EL2")
        hcrEL2 = try Self.named("HCR_EL2")
        vtcrEL2 = try Self.named("VTCR_EL2")
        vttbrEL2 = try Self.named("VTTBR_EL2")
    }

    private static func named(_ name: String) throws(DemoGuestError) -> SysRegEncoding {
        guard let encoding = RegisterTable.named(name)?.encoding else { throw .unknownRegister(name) }
        return encoding
    }
}
