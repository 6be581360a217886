/// A VMSAv8-64 translation granule (Arm ARM DDI0487, D8.2 "Translation table walk"): page size, the
/// number of VA bits each level resolves, and where block descriptors are allowed.
public enum TranslationGranule: Int, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case kb4 = 12
    case kb16 = 14
    case kb64 = 16

    public var description: String {
        switch self {
        case .kb4: return "4KB"
        case .kb16: return "16KB"
        case .kb64: return "64KB"
        }
    }

    /// log2 of the page size: the bits a level-3 page leaves to the input address.
    public var pageShift: Int { rawValue }

    /// The VA bits one level resolves: a table of 8-byte descriptors fills one page.
    public var stride: Int { rawValue - 3 }

    /// The lowest input-address bit level `level` indexes.
    public func indexShift(level: Int) -> Int { pageShift + stride * (3 - level) }

    /// Block descriptors are valid at this level. Without FEAT_LPA2 (4KB/16KB) or FEAT_LPA (64KB) that is
    /// levels 1 and 2 for 4KB and level 2 for 16KB and 64KB (Arm ARM D8.3 "Translation table descriptor
    /// formats").
    public func allowsBlock(level: Int) -> Bool {
        switch self {
        case .kb4: return level == 1 || level == 2
        case .kb16, .kb64: return level == 2
        }
    }

    /// The start level for a `inputSize`-bit input address: the fewest levels that resolve it.
    public func startLevel(inputSize: Int) -> Int {
        let levels = (inputSize - pageShift + stride - 1) / stride
        return 4 - levels
    }

    /// TCR_ELx.TG0 and VTCR_EL2.TG0: 0b00 4KB, 0b01 64KB, 0b10 16KB, 0b11 reserved.
    public static func fromTG0(_ value: UInt64) -> TranslationGranule? {
        switch value & 3 {
        case 0b00: return .kb4
        case 0b01: return .kb64
        case 0b10: return .kb16
        default: return nil
        }
    }

    /// TCR_ELx.TG1 uses another encoding: 0b01 16KB, 0b10 4KB, 0b11 64KB, 0b00 reserved.
    public static func fromTG1(_ value: UInt64) -> TranslationGranule? {
        switch value & 3 {
        case 0b01: return .kb16
        case 0b10: return .kb4
        case 0b11: return .kb64
        default: return nil
        }
    }
}

/// Physical address sizes (TCR_ELx.IPS, TCR_EL2.PS, VTCR_EL2.PS, ID_AA64MMFR0_EL1.PARange).
public enum PhysicalAddressSize {
    /// The size in bits encoded by a 3-bit IPS/PS/PARange value, capped at 48: FEAT_LPA's 52-bit output
    /// addresses are not modelled, so 0b110 and above are treated as 48 bits (docs/translate.md).
    public static func bits(_ encoding: UInt64) -> Int {
        switch encoding & 7 {
        case 0: return 32
        case 1: return 36
        case 2: return 40
        case 3: return 42
        case 4: return 44
        default: return 48
        }
    }
}
