/// The A64 address translation instructions `AT <op>, Xt` (Arm ARM DDI0487, C5.5 "A64 system instructions
/// for address translation"): which regime, which privilege, read or write, whether PSTATE.PAN counts and
/// whether stage 2 is included.
public enum ATOperation: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case S1E0R, S1E0W, S1E1R, S1E1W, S1E1RP, S1E1WP, S1E2R, S1E2W, S12E0R, S12E0W, S12E1R, S12E1W

    public var description: String { rawValue }

    /// The operation checks write permission (otherwise read).
    public var isWrite: Bool {
        switch self {
        case .S1E0W, .S1E1W, .S1E1WP, .S1E2W, .S12E0W, .S12E1W: return true
        default: return false
        }
    }

    /// The permission check is the unprivileged (EL0) one.
    public var isUnprivileged: Bool {
        switch self {
        case .S1E0R, .S1E0W, .S12E0R, .S12E0W: return true
        default: return false
        }
    }

    /// AT S1E1RP/S1E1WP take PSTATE.PAN into account (FEAT_PAN2); the others do not.
    public var honoursPAN: Bool { self == .S1E1RP || self == .S1E1WP }

    /// The S12 operations also translate the IPA through stage 2 (when HCR_EL2.VM=1).
    public var includesStage2: Bool {
        switch self {
        case .S12E0R, .S12E0W, .S12E1R, .S12E1W: return true
        default: return false
        }
    }

    /// The operation names an EL2 regime (S1E2R/W).
    public var targetsEL2: Bool { self == .S1E2R || self == .S1E2W }

    /// The stage 1 regime the operation translates in, as executed at EL2 (or at EL1 for the E0/E1 ones):
    /// S1E2* use EL2, or EL2&0 when HCR_EL2.E2H=1; the E0/E1 ones use EL1&0, except that with
    /// HCR_EL2.{E2H,TGE}={1,1} EL1&0 is not in use and they translate in EL2&0.
    public func regime(e2h: Bool, tge: Bool) -> TranslationRegime {
        if targetsEL2 { return e2h ? .el20 : .el2 }
        return e2h && tge ? .el20 : .el10
    }

    /// The read operation that matches where a vCPU is: its exception level's regime and privilege.
    public static func currentRead(exceptionLevel el: Int, regime: TranslationRegime) -> ATOperation {
        switch (regime, el) {
        case (.el2, _), (.el20, 2): return .S1E2R
        case (_, 0): return .S1E0R
        default: return .S1E1R
        }
    }
}
