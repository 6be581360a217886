/// A fault an address translation reports, in the terms PAR_EL1 reports it (Arm ARM DDI0487, D24.2
/// "PAR_EL1", fault format; FST uses the DFSC encoding of ESR_ELx).
public struct TranslationFault: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case addressSize
        case translation
        case accessFlag
        case permission
        /// Synchronous External abort on translation table walk: the table is not in guest RAM.
        case externalAbortOnWalk

        /// FST without the level bits.
        var statusBase: UInt64 {
            switch self {
            case .addressSize: return 0b000000
            case .translation: return 0b000100
            case .accessFlag: return 0b001000
            case .permission: return 0b001100
            case .externalAbortOnWalk: return 0b010100
            }
        }

        var name: String {
            switch self {
            case .addressSize: return "Address size fault"
            case .translation: return "Translation fault"
            case .accessFlag: return "Access flag fault"
            case .permission: return "Permission fault"
            case .externalAbortOnWalk: return "Synchronous External abort on translation table walk"
            }
        }
    }

    public let kind: Kind
    /// The lookup level (0...3) the fault is reported at.
    public let level: Int
    /// PAR_EL1.S: the fault came from stage 2.
    public let stage2: Bool
    /// PAR_EL1.PTW: a stage 2 fault on a stage 1 translation table walk.
    public let onStage1Walk: Bool
    /// Which field decided, in words (`TTBR0 range: VA bits [63:48] not all 0`).
    public let reason: String

    public init(_ kind: Kind, level: Int, stage2: Bool = false, onStage1Walk: Bool = false, reason: String) {
        self.kind = kind
        self.level = level
        self.stage2 = stage2
        self.onStage1Walk = onStage1Walk
        self.reason = reason
    }

    /// PAR_EL1.FST: the status code with the level in its low two bits.
    public var fst: UInt64 { kind.statusBase | UInt64(level & 3) }

    /// The 64-bit PAR_EL1 an AT instruction writes for this fault: F=1, FST, PTW, S and bit 11, which is RES1
    /// in the fault format. Bits [63:48] and [11] aside, the others are RES0 or IMPLEMENTATION DEFINED
    /// (written 0 here).
    public var par: UInt64 {
        1 | fst << 1 | (onStage1Walk ? 1 << 8 : 0) | (stage2 ? 1 << 9 : 0) | 1 << 11
    }

    public var description: String {
        let stage = stage2 ? (onStage1Walk ? "stage 2, on the stage 1 table walk" : "stage 2") : "stage 1"
        return "\(kind.name), level \(level) (\(stage)): \(reason)"
    }
}

/// A register state the walker cannot translate in because the architecture leaves the result
/// IMPLEMENTATION DEFINED (for example a reserved granule encoding).
public enum TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
    case reservedGranule(register: String, field: String, value: UInt64)
    case notAnEL2Operation(ATOperation)

    public var description: String {
        switch self {
        case .reservedGranule(let register, let field, let value):
            return "\(register).\(field)=0b\(String(value, radix: 2)) is a reserved granule encoding: the "
                + "hardware would use an IMPLEMENTATION DEFINED granule, so the walk is not defined; "
                + "set \(field) to a 4KB, 16KB or 64KB encoding"
        case .notAnEL2Operation(let op):
            return "AT \(op) needs EL2 state (an EL2 regime or stage 2), and this vCPU has no EL2: "
                + "use S1E0R/W or S1E1R/W[P]"
        }
    }
}
