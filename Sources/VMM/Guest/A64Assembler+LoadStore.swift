// Loads and stores of one general-purpose register. Arm ARM C4.1.94 "Loads and Stores": the unsigned
// offset, register offset, immediate post-indexed and pre-indexed forms, plus LDR (literal).

extension A64Assembler {
    /// `LDR Xt|Wt, <address>`: a doubleword or word load, by the width of `rt`.
    public mutating func ldr(_ rt: A64.Register, _ address: A64.Address) {
        loadStore(rt.is64Bit ? "ldr x" : "ldr w", size: rt.is64Bit ? 3 : 2, opc: 1, rt, address)
    }

    /// `STR Xt|Wt, <address>`.
    public mutating func str(_ rt: A64.Register, _ address: A64.Address) {
        loadStore(rt.is64Bit ? "str x" : "str w", size: rt.is64Bit ? 3 : 2, opc: 0, rt, address)
    }

    /// `LDRB Wt, <address>`: loads a byte, zero-extended.
    public mutating func ldrb(_ rt: A64.Register, _ address: A64.Address) {
        loadStore("ldrb", size: 0, opc: 1, rt, address, requiresW: true)
    }

    /// `STRB Wt, <address>`: stores the low byte of Wt (the PL011 data register takes byte writes).
    public mutating func strb(_ rt: A64.Register, _ address: A64.Address) {
        loadStore("strb", size: 0, opc: 0, rt, address, requiresW: true)
    }

    /// `LDRH Wt, <address>`.
    public mutating func ldrh(_ rt: A64.Register, _ address: A64.Address) {
        loadStore("ldrh", size: 1, opc: 1, rt, address, requiresW: true)
    }

    /// `STRH Wt, <address>`.
    public mutating func strh(_ rt: A64.Register, _ address: A64.Address) {
        loadStore("strh", size: 1, opc: 0, rt, address, requiresW: true)
    }

    /// `LDR Xt|Wt, label`: a PC-relative load of a literal within ±1 MiB, word-aligned.
    /// opc[31:30] (00 W, 01 X) | 011000[29:24] | imm19[23:5] | Rt.
    public mutating func ldr(_ rt: A64.Register, _ literal: A64.Label) {
        guard let r = fields("ldr (literal)", [(rt, .zr)]) else { return }
        let opc: UInt32 = rt.is64Bit ? 1 << 30 : 0
        emit(opc | 0x1800_0000 | r[0], branchingTo: literal, kind: .imm19, instruction: "ldr (literal)")
    }

    /// Encodes every addressing form for one (size, opc) pair.
    private mutating func loadStore(
        _ name: String, size: UInt32, opc: UInt32, _ rt: A64.Register, _ address: A64.Address,
        requiresW: Bool = false
    ) {
        if requiresW, rt.is64Bit {
            return reject(.invalidOperand(instruction: name, reason: "takes a W register", byteOffset: byteOffset))
        }
        let common = size << 30 | opc << 22
        switch address {
        case .offset(let base, let offset):
            // size | 111001[29:24] | opc | imm12[21:10] (scaled by the access size) | Rn | Rt
            guard let r = fields(name, [(rt, .zr), (base, .sp)], sameWidth: false), baseIs64(name, base) else { return }
            let scale = UInt64(1) << UInt64(size)
            guard offset % scale == 0, offset / scale < 0x1000 else { return rejectImmediate(name, offset) }
            emit(common | 0x3900_0000 | UInt32(offset / scale) << 10 | r[1] << 5 | r[0])
        case .indexed(let base, let index):
            // size | 111000 | opc | 1 | Rm | option=011 (LSL) | S=0 | 10 | Rn | Rt
            guard let r = fields(name, [(rt, .zr), (base, .sp), (index, .zr)], sameWidth: false),
                baseIs64(name, base), baseIs64(name, index)
            else { return }
            emit(common | 0x3820_6800 | r[2] << 16 | r[1] << 5 | r[0])
        case .postIndex(let base, let offset):
            indexed(name, common | 0x3800_0400, rt, base, offset)
        case .preIndex(let base, let offset):
            indexed(name, common | 0x3800_0C00, rt, base, offset)
        }
    }

    /// Pre/post-indexed: size | 111000 | opc | 0 | imm9[20:12] | 01 (post) or 11 (pre) | Rn | Rt.
    private mutating func indexed(
        _ name: String, _ opcode: UInt32, _ rt: A64.Register, _ base: A64.Register, _ offset: Int64
    ) {
        guard let r = fields(name, [(rt, .zr), (base, .sp)], sameWidth: false), baseIs64(name, base) else { return }
        guard (-256...255).contains(offset) else { return rejectImmediate(name, offset) }
        emit(opcode | (UInt32(truncatingIfNeeded: offset) & 0x1FF) << 12 | r[1] << 5 | r[0])
    }

    private mutating func baseIs64(_ name: String, _ register: A64.Register) -> Bool {
        if register.is64Bit { return true }
        reject(.invalidOperand(instruction: name, reason: "address registers are X registers", byteOffset: byteOffset))
        return false
    }
}
