import SysRegs

extension VCPU {
    /// Reads a 64-bit (or narrower) register by handle: `try vcpu.getOneReg(SysReg.PC)`.
    /// The corresponding ioctl is `KVM_GET_ONE_REG`.
    public func getOneReg(_ register: SysReg) throws -> UInt64 { try getOneReg(register.id).u64 }

    /// Writes a register by handle, as wide as its ONE_REG transfer (64 bits for FEAT_D128 registers).
    /// The corresponding ioctl is `KVM_SET_ONE_REG`.
    public func setOneReg(_ register: SysReg, _ value: UInt64) throws {
        try setOneReg(register.id, RegisterValue(value, byteCount: register.id.byteCount))
    }
}
