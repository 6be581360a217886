// Operand checks shared by the encoders. Register number 31 is SP in some operand positions and XZR in
// others (Arm ARM C1.2.5); each encoder states which, and a caller who passed the other one gets an error
// rather than an instruction that silently does something else.

extension A64Assembler {
    /// What register 31 means in an operand position.
    enum Slot {
        /// 31 is the zero register; passing `sp` is an error.
        case zr
        /// 31 is the stack pointer; passing `xzr` is an error.
        case sp
    }

    /// The register fields of `operands` if they are acceptable, else records why not and returns nil.
    /// All operands must have the width of the first unless `sameWidth` is false.
    mutating func fields(
        _ instruction: String, _ operands: [(A64.Register, Slot)], sameWidth: Bool = true
    ) -> [UInt32]? {
        for (register, slot) in operands {
            if register.isStackPointer, slot == .zr {
                reject(
                    .invalidOperand(instruction: instruction, reason: "sp is not allowed here", byteOffset: byteOffset))
                return nil
            }
            if !register.isStackPointer, register.number == 31, slot == .sp {
                reject(
                    .invalidOperand(
                        instruction: instruction, reason: "\(register) is not allowed here (register 31 is sp)",
                        byteOffset: byteOffset))
                return nil
            }
        }
        if sameWidth, let first = operands.first, operands.contains(where: { $0.0.is64Bit != first.0.is64Bit }) {
            reject(.invalidOperand(instruction: instruction, reason: "mixed register widths", byteOffset: byteOffset))
            return nil
        }
        return operands.map { $0.0.number }
    }

    /// Records an out-of-range immediate for `instruction` and emits `UDF #0` in its place.
    mutating func rejectImmediate(_ instruction: String, _ value: some BinaryInteger) {
        reject(
            .immediateOutOfRange(
                instruction: instruction, value: Int64(truncatingIfNeeded: value), byteOffset: byteOffset))
    }

    /// The `sf` bit (bit 31) for a register width.
    static func sf(_ register: A64.Register) -> UInt32 { register.is64Bit ? 1 << 31 : 0 }
}
