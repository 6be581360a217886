/// A typed handle on one register of the model, for code that names a register it uses
/// (`vcpu.setOneReg(SysReg.PC, entry)`, `file[SysReg.HCR_EL2]`) instead of looking it up by string.
///
/// Each handle is built from constants — its architectural encoding or `struct kvm_regs` offset — never
/// from a table lookup, so using one cannot fail at run time. That it agrees with `RegisterTable` (same
/// name, id, encoding and width) is a test (SysRegHandleTests), which fails on a mistyped encoding or
/// offset. Handles are declared in `SysReg+Handles.swift`; `SysReg.all` lists them.
///
/// Names the user types (`vmmctl regs show NAME`) are input, not handles: they stay `RegisterTable.named`.
public struct SysReg: Hashable, Sendable, CustomStringConvertible {
    /// The verbatim architectural name, as in the table.
    public let name: String
    /// The KVM ONE_REG id (for CNTVCT_EL0, KVM's swapped one; see `RegisterTable+Timers.swift`).
    public let id: OneRegID
    /// The (op0, op1, CRn, CRm, op2) encoding used by `MRS`/`MSR`; nil for core registers.
    public let encoding: SysRegEncoding?
    /// The architectural width (128 for FEAT_D128 registers, whose ONE_REG transfer is still 64 bits).
    public let width: RegisterWidth

    private init(name: String, id: OneRegID, encoding: SysRegEncoding?, width: RegisterWidth) {
        self.name = name
        self.id = id
        self.encoding = encoding
        self.width = width
    }

    /// A system register reached through ONE_REG as `ARM64_SYS_REG(op0, op1, CRn, CRm, op2)`, or through
    /// `kvmID` where KVM froze a different id (the swapped timer ids). GIC CPU interface registers use the
    /// same encoding in the vGIC `CPU_SYSREGS` attribute group.
    static func sysreg(
        _ name: String, _ e: RegisterDescriptor.Enc, width: RegisterWidth = .bits64, kvmID: OneRegID? = nil
    ) -> SysReg {
        let encoding = SysRegEncoding(e.0, e.1, e.2, e.3, e.4)
        return SysReg(name: name, id: kvmID ?? .sysreg(encoding), encoding: encoding, width: width)
    }

    /// A `struct kvm_regs` member at byte `offset` (the kernel's `KVM_REG_ARM_CORE_REG`).
    static func core(_ name: String, offset: Int, width: RegisterWidth = .bits64) -> SysReg {
        SysReg(name: name, id: .core(byteOffset: offset, byteCount: width.byteCount), encoding: nil, width: width)
    }

    /// The table's descriptor for this register (storage, reset, visibility, group). Never nil for a
    /// handle in `SysReg.all`: SysRegHandleTests checks every one resolves.
    public var descriptor: RegisterDescriptor? { RegisterTable.descriptor(for: id) }

    /// `HCR_EL2 0x603000000013e088`, like `RegisterDescriptor`.
    public var description: String { "\(name) \(id)" }
}
