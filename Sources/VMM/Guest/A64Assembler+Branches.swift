// Branches and PC-relative addresses. Arm ARM C4.1.93 "Branches, Exception Generating and System
// instructions" and C4.1.92.1 "PC-rel. addressing". Distances are patched by `assemble()`.

extension A64Assembler {
    /// `B label` (±128 MiB): 000101 | imm26.
    public mutating func b(_ label: A64.Label) {
        emit(0x1400_0000, branchingTo: label, kind: .imm26, instruction: "b")
    }

    /// `BL label`: 100101 | imm26; the return address goes to X30.
    public mutating func bl(_ label: A64.Label) {
        emit(0x9400_0000, branchingTo: label, kind: .imm26, instruction: "bl")
    }

    /// `B.cond label` (±1 MiB): 01010100 | imm19 | 0 | cond.
    public mutating func b(_ condition: A64.Condition, _ label: A64.Label) {
        emit(0x5400_0000 | condition.rawValue, branchingTo: label, kind: .imm19, instruction: "b.\(condition)")
    }

    /// `CBZ Rt, label` (±1 MiB): sf | 011010 | 0 | imm19 | Rt.
    public mutating func cbz(_ rt: A64.Register, _ label: A64.Label) {
        compareAndBranch("cbz", op: 0, rt, label)
    }

    /// `CBNZ Rt, label`: sf | 011010 | 1 | imm19 | Rt.
    public mutating func cbnz(_ rt: A64.Register, _ label: A64.Label) {
        compareAndBranch("cbnz", op: 1, rt, label)
    }

    private mutating func compareAndBranch(_ name: String, op: UInt32, _ rt: A64.Register, _ label: A64.Label) {
        guard let r = fields(name, [(rt, .zr)]) else { return }
        emit(Self.sf(rt) | 0x3400_0000 | op << 24 | r[0], branchingTo: label, kind: .imm19, instruction: name)
    }

    /// `TBZ Rt, #bit, label` (±32 KiB): b5 | 011011 | 0 | b40 | imm14 | Rt.
    public mutating func tbz(_ rt: A64.Register, _ bit: Int, _ label: A64.Label) {
        testBitAndBranch("tbz", op: 0, rt, bit, label)
    }

    /// `TBNZ Rt, #bit, label`: b5 | 011011 | 1 | b40 | imm14 | Rt.
    public mutating func tbnz(_ rt: A64.Register, _ bit: Int, _ label: A64.Label) {
        testBitAndBranch("tbnz", op: 1, rt, bit, label)
    }

    private mutating func testBitAndBranch(
        _ name: String, op: UInt32, _ rt: A64.Register, _ bit: Int, _ label: A64.Label
    ) {
        guard let r = fields(name, [(rt, .zr)]) else { return }
        guard (0..<(rt.is64Bit ? 64 : 32)).contains(bit) else { return rejectImmediate(name, bit) }
        let b5 = UInt32(bit >> 5) << 31
        let b40 = UInt32(bit & 0x1F) << 19
        emit(b5 | 0x3600_0000 | op << 24 | b40 | r[0], branchingTo: label, kind: .imm14, instruction: name)
    }

    /// `ADR Xd, label` (±1 MiB, byte granular): 0 | immlo | 10000 | immhi | Rd.
    public mutating func adr(_ rd: A64.Register, _ label: A64.Label) {
        guard let r = fields("adr", [(rd, .zr)]) else { return }
        guard rd.is64Bit else {
            return reject(.invalidOperand(instruction: "adr", reason: "takes an X register", byteOffset: byteOffset))
        }
        emit(0x1000_0000 | r[0], branchingTo: label, kind: .adr, instruction: "adr")
    }

    // MARK: Unconditional branch (register): 1101011 | opc[24:21] | 11111 | 000000 | Rn | 00000

    /// `BR Xn`.
    public mutating func br(_ rn: A64.Register) { branchRegister("br", opc: 0b0000, rn) }

    /// `BLR Xn`.
    public mutating func blr(_ rn: A64.Register) { branchRegister("blr", opc: 0b0001, rn) }

    /// `RET {Xn}` (X30 by default).
    public mutating func ret(_ rn: A64.Register = .x30) { branchRegister("ret", opc: 0b0010, rn) }

    private mutating func branchRegister(_ name: String, opc: UInt32, _ rn: A64.Register) {
        guard let r = fields(name, [(rn, .zr)]) else { return }
        guard rn.is64Bit else {
            return reject(.invalidOperand(instruction: name, reason: "takes an X register", byteOffset: byteOffset))
        }
        emit(0xD61F_0000 | opc << 21 | r[0] << 5)
    }

    /// `ERET`: returns from an exception to ELR_ELx with PSTATE from SPSR_ELx.
    public mutating func eret() { emit(0xD69F_03E0) }
}
