/// What one lookup of a translation table walk found (Arm ARM DDI0487, D8.3 "Translation table descriptor
/// formats"): the field of the descriptor that decided where the walk went next.
public enum WalkDecision: Sendable, Equatable, CustomStringConvertible {
    /// A table descriptor: the next level's table.
    case table(next: UInt64)
    /// A block (levels 0-2) or page (level 3) descriptor: the output address and the size it maps.
    case block(outputAddress: UInt64, size: UInt64)
    case page(outputAddress: UInt64, size: UInt64)
    /// Bit 0 (valid) is 0.
    case invalid
    /// Bits [1:0] = 0b01 at a level where this granule has no block descriptors (or at level 3).
    case reservedEncoding
    /// The output (or next table) address has bits at or above the output address size.
    case addressTooLarge(UInt64, bits: Int)
    /// The descriptor could not be read: not in guest RAM.
    case notInMemory
    /// Fetching the descriptor's IPA faulted at stage 2 (the stage 2 steps precede this one).
    case stage2Fault

    public var description: String {
        switch self {
        case .table(let next): return "table descriptor, next table at \(hex(next))"
        case .block(let oa, let size): return "block descriptor, \(sizeText(size)) at \(hex(oa))"
        case .page(let oa, let size): return "page descriptor, \(sizeText(size)) at \(hex(oa))"
        case .invalid: return "invalid descriptor (bit 0 is 0)"
        case .reservedEncoding: return "reserved encoding (bits [1:0] = 0b01 where no block is allowed)"
        case .addressTooLarge(let address, let bits):
            return "address \(hex(address)) does not fit the \(bits)-bit output address size"
        case .notInMemory: return "descriptor address is not in guest RAM"
        case .stage2Fault: return "stage 2 faulted on the fetch of this descriptor"
        }
    }
}

/// One lookup: the stage and level, where the table and descriptor were, the descriptor and its decision.
public struct WalkStep: Sendable, Equatable {
    /// 1 or 2.
    public let stage: Int
    public let level: Int
    public let tableAddress: UInt64
    public let descriptorAddress: UInt64
    /// Nil when it could not be read.
    public let descriptor: UInt64?
    public let decision: WalkDecision
}

/// Who may read, write and execute the final stage 1 mapping (informational: an AT instruction checks
/// only read or write, but UXN/PXN/WXN decide execution and the walk reports them).
public struct AccessPermissions: Sendable, Equatable {
    public var privilegedRead = true
    public var privilegedWrite = true
    public var privilegedExecute = true
    public var unprivilegedRead = false
    public var unprivilegedWrite = false
    public var unprivilegedExecute = false

    public init() {}

    /// `EL1 rwx EL0 r--` style (`EL2 rw-` in the EL2 regime).
    public func text(regime: TranslationRegime) -> String {
        func triple(_ r: Bool, _ w: Bool, _ x: Bool) -> String { (r ? "r" : "-") + (w ? "w" : "-") + (x ? "x" : "-") }
        let privileged = triple(privilegedRead, privilegedWrite, privilegedExecute)
        switch regime {
        case .el2: return "EL2 " + privileged
        case .el20:
            return "EL2 " + privileged + " EL0 "
                + triple(unprivilegedRead, unprivilegedWrite, unprivilegedExecute)
        case .el10:
            return "EL1 " + privileged + " EL0 "
                + triple(unprivilegedRead, unprivilegedWrite, unprivilegedExecute)
        }
    }
}

/// The outcome of one AT operation on one address: the PAR_EL1 value the instruction would write, and the
/// walk that produced it.
public struct TranslationResult: Sendable, Equatable {
    public let operation: ATOperation
    public let regime: TranslationRegime
    public let inputAddress: UInt64
    /// The 64-bit PAR_EL1 (Arm ARM D24.2 "PAR_EL1").
    public let par: UInt64
    public let fault: TranslationFault?
    /// Stage 1's output: the IPA when stage 2 is on, else the PA.
    public let stage1Output: UInt64?
    /// The final physical address (after stage 2 for S12 operations).
    public let outputAddress: UInt64?
    /// The memory attributes in MAIR_ELx Attr<n> form and the shareability, as PAR_EL1 reports them.
    public let attributes: UInt8?
    public let shareability: UInt64?
    public let permissions: AccessPermissions?
    /// Stage 1 was off (SCTLR_ELx.M=0): a flat mapping.
    public let stage1Disabled: Bool
    /// Stage 2 took part (in table fetches, and for S12 operations in the output).
    public let stage2Used: Bool
    /// Every lookup in order, stage 2 lookups for a stage 1 table fetch before that fetch's step.
    public let steps: [WalkStep]
    /// Facts about the walk that PAR_EL1 does not show (a clamped TnSZ, the Access flag the hardware sets).
    public let notes: [String]
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

func sizeText(_ size: UInt64) -> String {
    if size >= 1 << 30 { return "\(size >> 30)GB" }
    if size >= 1 << 20 { return "\(size >> 20)MB" }
    return "\(size >> 10)KB"
}
