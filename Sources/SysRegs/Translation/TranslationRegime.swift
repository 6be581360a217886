/// A VMSAv8-64 translation regime (Arm ARM DDI0487, D8.1 "Translation regimes"): which registers translate an
/// address, and whether the regime has two VA ranges and an unprivileged level.
///
/// A regime used to be a string compared in switches (`"EL2&0"`); it is a value here so the walker, the
/// AT operations and `dump-regs` agree on one definition.
public enum TranslationRegime: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// EL1&0: SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1; stage 2 from VTTBR_EL2/VTCR_EL2 when HCR_EL2.VM=1.
    case el10 = "EL1&0"
    /// EL2 with HCR_EL2.E2H=0: one VA range (TTBR0_EL2), no EL0, TCR_EL2 in its E2H=0 layout.
    case el2 = "EL2"
    /// EL2&0 with HCR_EL2.E2H=1: TTBR0_EL2 and TTBR1_EL2, TCR_EL2 in the TCR_EL1 layout, EL0 under TGE=1.
    case el20 = "EL2&0"

    public var description: String { rawValue }

    /// The regime has a TTBR1 range (addresses with bit 55 set).
    public var hasTwoRanges: Bool { self != .el2 }

    /// The regime has EL0 permissions (AP[1], UXN, PAN); in the EL2 regime AP[1] is RES1 and only AP[2]
    /// (read-only) and XN count.
    public var hasUnprivilegedLevel: Bool { self != .el2 }

    /// The regime that exception level `el` uses: EL2 with E2H=0, EL2&0 with E2H=1 (which EL0 also uses when
    /// TGE=1), EL1&0 otherwise. Nil for EL3, which KVM guests never run at.
    public static func current(exceptionLevel el: Int, hasEL2: Bool, e2h: Bool, tge: Bool) -> TranslationRegime? {
        switch el {
        case 3: return nil
        case 2: return e2h ? .el20 : .el2
        case 0 where hasEL2 && e2h && tge: return .el20
        default: return .el10
        }
    }
}
