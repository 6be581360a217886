import SysRegs

extension VCPUState {
    /// The low 64 bits of a register, by handle, if the state has it. Matched by ONE_REG id, which is
    /// what the state is keyed by (names are recorded for reading, ids decide).
    public func value(of register: SysReg) -> UInt64? { registers.first { $0.id == register.id }?.value.u64 }
}
