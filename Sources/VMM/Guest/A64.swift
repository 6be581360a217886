// The operand vocabulary of the A64 instruction encoder: registers, condition codes, labels, addressing modes
// and errors. The encoders themselves are `A64Assembler` methods, grouped by instruction class in
// `A64Assembler+<Class>.swift`; each cites the Arm ARM (DDI0487) section its bit layout comes from.

/// Namespace for the A64 operand types used by `A64Assembler`.
public enum A64 {}

extension A64 {
    /// A general-purpose register operand: `Xn`/`Wn`, the zero register or the stack pointer.
    ///
    /// Register number 31 means SP or XZR depending on the instruction (Arm ARM C1.2.5 "Register names");
    /// the operand records which one the caller meant so an encoder can refuse the wrong one instead of
    /// silently encoding the other.
    public struct Register: Hashable, Sendable, CustomStringConvertible {
        /// 0...31.
        public let number: UInt32
        /// True for `Xn`/`SP`/`XZR`, false for `Wn`/`WSP`/`WZR`.
        public let is64Bit: Bool
        /// True for `SP`/`WSP`.
        public let isStackPointer: Bool

        private init(number: UInt32, is64Bit: Bool, isStackPointer: Bool) {
            self.number = number
            self.is64Bit = is64Bit
            self.isStackPointer = isStackPointer
        }

        /// `Xn`, n in 0...30; other values give XZR.
        public static func x(_ n: Int) -> Register {
            Register(number: (0...30).contains(n) ? UInt32(n) : 31, is64Bit: true, isStackPointer: false)
        }

        /// `Wn`, n in 0...30; other values give WZR.
        public static func w(_ n: Int) -> Register {
            Register(number: (0...30).contains(n) ? UInt32(n) : 31, is64Bit: false, isStackPointer: false)
        }

        public static let xzr = Register(number: 31, is64Bit: true, isStackPointer: false)
        public static let wzr = Register(number: 31, is64Bit: false, isStackPointer: false)
        public static let sp = Register(number: 31, is64Bit: true, isStackPointer: true)

        public static let x0 = x(0), x1 = x(1), x2 = x(2), x3 = x(3), x4 = x(4), x5 = x(5), x6 = x(6), x7 = x(7)
        public static let x8 = x(8), x9 = x(9), x10 = x(10), x11 = x(11), x12 = x(12), x13 = x(13), x14 = x(14)
        public static let x15 = x(15), x16 = x(16), x17 = x(17), x18 = x(18), x19 = x(19), x20 = x(20)
        public static let x21 = x(21), x22 = x(22), x23 = x(23), x24 = x(24), x25 = x(25), x26 = x(26)
        public static let x27 = x(27), x28 = x(28), x29 = x(29), x30 = x(30)
        public static let w0 = w(0), w1 = w(1), w2 = w(2), w3 = w(3), w4 = w(4), w5 = w(5), w6 = w(6), w7 = w(7)
        public static let w8 = w(8), w9 = w(9), w10 = w(10), w11 = w(11), w12 = w(12), w13 = w(13), w14 = w(14)
        public static let w15 = w(15), w16 = w(16), w17 = w(17), w18 = w(18), w19 = w(19), w20 = w(20)
        public static let w21 = w(21), w22 = w(22), w23 = w(23), w24 = w(24), w25 = w(25), w26 = w(26)
        public static let w27 = w(27), w28 = w(28), w29 = w(29), w30 = w(30)

        /// The same register number at the other width (`X3` ↔ `W3`).
        public var x: Register { Register(number: number, is64Bit: true, isStackPointer: isStackPointer) }
        public var w: Register { Register(number: number, is64Bit: false, isStackPointer: isStackPointer) }

        /// GNU as spelling: `x3`, `wzr`, `sp`.
        public var description: String {
            if isStackPointer { return is64Bit ? "sp" : "wsp" }
            if number == 31 { return is64Bit ? "xzr" : "wzr" }
            return (is64Bit ? "x" : "w") + String(number)
        }
    }

    /// A condition code for `B.cond` (Arm ARM C1.2.4 "Condition code").
    public enum Condition: UInt32, Sendable, CaseIterable {
        case eq = 0, ne, hs, lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al
        public static let cs = Condition.hs
        public static let cc = Condition.lo
    }

    /// A position in the instruction stream, bound with `A64Assembler.bind(_:)`; branches to it may come
    /// before or after the binding.
    public struct Label: Hashable, Sendable, CustomStringConvertible {
        let id: Int
        /// For error messages.
        public let name: String
        public var description: String { name }
    }

    /// A load/store address (Arm ARM C3.3 "Loads and stores"). Offsets are in bytes.
    public enum Address: Sendable {
        /// `[Xn{, #imm}]`: unsigned offset, a multiple of the access size (scaled 12-bit field).
        case offset(Register, UInt64 = 0)
        /// `[Xn, Xm]`: register offset, unshifted.
        case indexed(Register, Register)
        /// `[Xn], #imm`: access at Xn, then Xn += imm (signed 9-bit).
        case postIndex(Register, Int64)
        /// `[Xn, #imm]!`: Xn += imm (signed 9-bit), then access at Xn.
        case preIndex(Register, Int64)
    }

    /// The PSTATE fields `MSR (immediate)` writes (Arm ARM C6.2.229 "MSR (immediate)").
    public enum PSTATEField: Sendable {
        case daifSet, daifClr, spSel

        var op1: UInt32 { self == .spSel ? 0 : 3 }
        var op2: UInt32 {
            switch self {
            case .daifSet: 6
            case .daifClr: 7
            case .spSel: 5
            }
        }
    }

    /// `DSB`/`DMB` domain and access type, as the CRm field (Arm ARM C6.2.106 "DSB").
    public enum BarrierOption: UInt32, Sendable {
        case oshld = 0b0001, oshst = 0b0010, osh = 0b0011, nshld = 0b0101, nshst = 0b0110, nsh = 0b0111
        case ishld = 0b1001, ishst = 0b1010, ish = 0b1011, ld = 0b1101, st = 0b1110, sy = 0b1111
    }

    /// TLB maintenance operations, as their `SYS` (op1, CRn, CRm, op2) (Arm ARM C5.5 "A64 system instructions
    /// for TLB maintenance"). Only the whole-regime invalidations a tiny hypervisor needs.
    public enum TLBIOperation: Sendable {
        /// `TLBI VMALLS12E1IS`: stage 1 and 2 entries of the current VMID, Inner Shareable.
        case vmalls12e1is
        /// `TLBI VMALLS12E1`: the same, this PE only.
        case vmalls12e1
        /// `TLBI ALLE1IS`: every EL1&0 entry, all VMIDs, Inner Shareable.
        case alle1is
        /// `TLBI ALLE1`: every EL1&0 entry, all VMIDs, this PE only.
        case alle1
        /// `TLBI VMALLE1`: stage 1 EL1&0 entries of the current VMID, this PE only.
        case vmalle1

        var fields: (op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32) {
            switch self {
            case .vmalls12e1is: (4, 8, 3, 6)
            case .vmalls12e1: (4, 8, 7, 6)
            case .alle1is: (4, 8, 3, 4)
            case .alle1: (4, 8, 7, 4)
            case .vmalle1: (0, 8, 7, 0)
            }
        }
    }

    /// Why an instruction could not be encoded. The assembler records the first problem and reports it from
    /// `A64Assembler.assemble()`, so emitting code stays free of `try`.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// An immediate that the instruction's field cannot hold.
        case immediateOutOfRange(instruction: String, value: Int64, byteOffset: Int)
        /// A register the instruction cannot take (SP where XZR is meant, mixed widths, ...).
        case invalidOperand(instruction: String, reason: String, byteOffset: Int)
        /// A branch whose target is beyond the instruction's reach, or not a multiple of 4 away.
        case branchOutOfRange(instruction: String, label: String, byteOffset: Int, distance: Int)
        /// A label used but never bound.
        case unboundLabel(String)
        /// A label bound twice.
        case labelBoundTwice(String)

        public var description: String {
            switch self {
            case .immediateOutOfRange(let instruction, let value, let at):
                "\(instruction) at +0x\(hex(at)): immediate \(value) (0x\(hex(value))) does not fit"
            case .invalidOperand(let instruction, let reason, let at):
                "\(instruction) at +0x\(hex(at)): \(reason)"
            case .branchOutOfRange(let instruction, let label, let at, let distance):
                "\(instruction) at +0x\(hex(at)): label \(label) is \(distance) bytes away, out of range"
            case .unboundLabel(let label): "label \(label) is used but never bound"
            case .labelBoundTwice(let label): "label \(label) is bound twice"
            }
        }

        private func hex(_ value: some BinaryInteger) -> String { String(value, radix: 16) }
    }
}
