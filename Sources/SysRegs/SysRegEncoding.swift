/// The (op0, op1, CRn, CRm, op2) encoding of an AArch64 system register, as used by `MRS`/`MSR`.
///
/// Arm ARM DDI0487, C5.1 "The System instruction class encoding space". The 16-bit packed form
/// (`op0[15:14] op1[13:11] CRn[10:7] CRm[6:3] op2[2:0]`) is the low half of a KVM sysreg ONE_REG id
/// and also the `instr` field of the vGICv3 `KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS` attribute.
public struct SysRegEncoding: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let op0: UInt8
    public let op1: UInt8
    public let crn: UInt8
    public let crm: UInt8
    public let op2: UInt8

    /// Creates an encoding; values out of their architectural ranges are masked, never trapped on,
    /// because encodings also come from untrusted ids.
    public init(_ op0: UInt8, _ op1: UInt8, _ crn: UInt8, _ crm: UInt8, _ op2: UInt8) {
        self.op0 = op0 & 0x3
        self.op1 = op1 & 0x7
        self.crn = crn & 0xF
        self.crm = crm & 0xF
        self.op2 = op2 & 0x7
    }

    /// Unpacks the 16-bit `op0:op1:CRn:CRm:op2` form.
    public init(packed: UInt16) {
        self.init(
            UInt8(truncatingIfNeeded: packed >> 14), UInt8(truncatingIfNeeded: packed >> 11),
            UInt8(truncatingIfNeeded: packed >> 7), UInt8(truncatingIfNeeded: packed >> 3),
            UInt8(truncatingIfNeeded: packed))
    }

    /// The 16-bit packed form.
    public var packed: UInt16 {
        UInt16(op0) << 14 | UInt16(op1) << 11 | UInt16(crn) << 7 | UInt16(crm) << 3 | UInt16(op2)
    }

    public static func < (lhs: SysRegEncoding, rhs: SysRegEncoding) -> Bool { lhs.packed < rhs.packed }

    /// `S3_4_C1_C1_0`: the generic assembler spelling, which every assembler accepts.
    public var description: String { "S\(op0)_\(op1)_C\(crn)_C\(crm)_\(op2)" }
}
