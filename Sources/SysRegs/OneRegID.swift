/// A KVM `ONE_REG` register id for arm64 (KVM api.rst 4.68 "KVM_SET_ONE_REG", arm64 section).
///
/// `id = KVM_REG_ARM64 | size << 52 | coproc << 16 | index`. Any 64-bit value can be wrapped: decoding
/// never traps, so ids read from a snapshot or from an unknown kernel are always printable.
public struct OneRegID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// `KVM_REG_ARCH_MASK` / `KVM_REG_ARM64`.
    public static let archMask: UInt64 = 0xFF00_0000_0000_0000
    public static let archARM64: UInt64 = 0x6000_0000_0000_0000
    static let sizeShift: UInt64 = 52
    static let coprocShift: UInt64 = 16

    /// The register groups ("coprocessors") KVM uses on arm64 (`KVM_REG_ARM_*` in asm/kvm.h).
    public enum Coproc: UInt16, Sendable, CaseIterable {
        case core = 0x0010
        case demux = 0x0011
        case sysreg = 0x0013
        case firmware = 0x0014
        case sve = 0x0015
        case firmwareFeatures = 0x0016
    }

    /// True when the architecture field says arm64.
    public var isARM64: Bool { rawValue & Self.archMask == Self.archARM64 }

    /// Transfer size in bytes, from the size field: 2^field (U8 = 0 ... U2048 = 8).
    public var byteCount: Int {
        let field = Int((rawValue >> Self.sizeShift) & 0xF)
        return field <= 8 ? 1 << field : 0
    }

    /// The raw coproc field (bits 27:16).
    public var coprocField: UInt16 { UInt16(truncatingIfNeeded: (rawValue >> Self.coprocShift) & 0x0FFF) }

    /// The known group, or nil for a coproc this model does not know.
    public var coproc: Coproc? { Coproc(rawValue: coprocField) }

    /// The low 16 bits: the sysreg encoding, core register word index, firmware register number, ...
    public var index: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// For sysreg ids, the (op0, op1, CRn, CRm, op2) encoding.
    public var sysRegEncoding: SysRegEncoding? {
        coproc == .sysreg ? SysRegEncoding(packed: index) : nil
    }

    /// Builds an id from its parts; `byteCount` must be a power of two from 1 to 256.
    public init(coproc: UInt16, byteCount: Int, index: UInt64) {
        precondition(byteCount > 0 && byteCount.nonzeroBitCount == 1 && byteCount <= 256)
        let size = UInt64(byteCount.trailingZeroBitCount)
        self.rawValue =
            Self.archARM64 | size << Self.sizeShift | UInt64(coproc & 0xFFF) << Self.coprocShift | index
    }

    /// The id of a 64-bit system register (the kernel's `ARM64_SYS_REG`).
    public static func sysreg(_ encoding: SysRegEncoding) -> OneRegID {
        OneRegID(coproc: Coproc.sysreg.rawValue, byteCount: 8, index: UInt64(encoding.packed))
    }

    /// The id of a `struct kvm_regs` member at `byteOffset` (the kernel's `KVM_REG_ARM_CORE_REG`,
    /// whose index counts 32-bit words).
    public static func core(byteOffset: Int, byteCount: Int) -> OneRegID {
        OneRegID(coproc: Coproc.core.rawValue, byteCount: byteCount, index: UInt64(byteOffset / 4))
    }

    public static func < (lhs: OneRegID, rhs: OneRegID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `0x603000000013c080`: lower-case hex, 16 digits, as the kernel's selftests print ids.
    public var description: String { hex64(rawValue) }
}

/// Formats a value as `0x` plus 16 lower-case hex digits.
public func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}

/// Formats a 128-bit value as `0x` plus 32 lower-case hex digits.
public func hex128(_ value: UInt128) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 32 - digits.count)) + digits
}
