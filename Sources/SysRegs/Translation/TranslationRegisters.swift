/// The register state an address translation reads, as plain 64-bit values (the low half of the 128-bit
/// ones: VTTBR_EL2 and the TTBRs keep their VMSAv8-64 layout in bits [63:0] without FEAT_D128).
///
/// The walker never reads a register file itself, so it stays testable with hand-written values; the
/// command line fills this from a snapshot or a running vCPU.
public struct TranslationRegisters: Sendable, Equatable {
    public var SCTLR_EL1: UInt64 = 0
    public var TCR_EL1: UInt64 = 0
    public var TTBR0_EL1: UInt64 = 0
    public var TTBR1_EL1: UInt64 = 0
    public var MAIR_EL1: UInt64 = 0
    public var SCTLR_EL2: UInt64 = 0
    public var TCR_EL2: UInt64 = 0
    public var TTBR0_EL2: UInt64 = 0
    public var TTBR1_EL2: UInt64 = 0
    public var MAIR_EL2: UInt64 = 0
    public var HCR_EL2: UInt64 = 0
    public var VTCR_EL2: UInt64 = 0
    public var VTTBR_EL2: UInt64 = 0
    /// PSTATE as KVM reports it (`struct kvm_regs` pstate, SPSR layout): PAN is bit 22.
    public var PSTATE: UInt64 = 0
    /// PARange (bits [3:0]) caps every output address size; 0b0101 (48 bits) by default.
    public var ID_AA64MMFR0_EL1: UInt64 = 0b0101
    /// HAFDBS (bits [3:0]) says whether TCR_ELx.HA / VTCR_EL2.HA can set the Access flag in hardware.
    public var ID_AA64MMFR1_EL1: UInt64 = 0
    /// The vCPU has EL2 (KVM_ARM_VCPU_HAS_EL2); without it the EL2 registers and stage 2 do not exist.
    public var hasEL2: Bool = false
    /// The vCPU was created E2H0 (KVM_ARM_VCPU_HAS_EL2_E2H0): HCR_EL2.E2H is RES0 whatever the value says.
    public var e2h0: Bool = false

    public init() {}

    /// HCR_EL2.E2H (bit 34), RES0 on E2H0 vCPUs and absent without EL2.
    public var e2h: Bool { hasEL2 && !e2h0 && HCR_EL2 >> 34 & 1 == 1 }
    /// HCR_EL2.TGE (bit 27).
    public var tge: Bool { hasEL2 && HCR_EL2 >> 27 & 1 == 1 }
    /// HCR_EL2.VM (bit 0): stage 2 translation on for the EL1&0 regime.
    public var stage2Enabled: Bool { hasEL2 && HCR_EL2 & 1 == 1 && !(e2h && tge) }
    /// PSTATE.PAN.
    public var pan: Bool { PSTATE >> 22 & 1 == 1 }
    /// FEAT_HAFDBS: hardware can update the Access flag.
    public var hardwareAccessFlag: Bool { ID_AA64MMFR1_EL1 & 0xF != 0 }
    /// The implemented physical address size in bits.
    public var physicalAddressBits: Int { PhysicalAddressSize.bits(ID_AA64MMFR0_EL1 & 0xF) }
}
