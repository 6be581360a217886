// Move wide (immediate) and register moves: Arm ARM C4.1.92.5 "Move wide (immediate)" and the MOV aliases
// (C6.2.222 MOV (to/from SP), C6.2.224 MOV (register)).

extension A64Assembler {
    /// `MOVZ Rd, #imm16, LSL #shift`: Rd = imm16 << shift, other bits zero. `shift` is 0, 16, 32 or 48
    /// (0 or 16 for a W register).
    public mutating func movz(_ rd: A64.Register, _ imm16: UInt16, lsl shift: Int = 0) {
        moveWide(opc: 0b10, "movz", rd, imm16, shift)
    }

    /// `MOVK Rd, #imm16, LSL #shift`: replaces one halfword of Rd, keeping the others.
    public mutating func movk(_ rd: A64.Register, _ imm16: UInt16, lsl shift: Int = 0) {
        moveWide(opc: 0b11, "movk", rd, imm16, shift)
    }

    /// `MOVN Rd, #imm16, LSL #shift`: Rd = ~(imm16 << shift).
    public mutating func movn(_ rd: A64.Register, _ imm16: UInt16, lsl shift: Int = 0) {
        moveWide(opc: 0b00, "movn", rd, imm16, shift)
    }

    /// Loads any constant with the shortest MOVZ/MOVN + MOVK sequence: one instruction per halfword that
    /// differs from the background (zero for MOVZ, all-ones for MOVN), at least one. A W register takes a
    /// value up to `UInt32.max`.
    public mutating func mov(_ rd: A64.Register, _ value: UInt64) {
        let halfwordCount = rd.is64Bit ? 4 : 2
        if !rd.is64Bit, value > UInt64(UInt32.max) {
            rejectImmediate("mov \(rd)", value)
            return
        }
        let halfwords = (0..<halfwordCount).map { UInt16(truncatingIfNeeded: value >> (16 * $0)) }
        let useMOVN = halfwords.count(where: { $0 == 0xFFFF }) > halfwords.count(where: { $0 == 0 })
        let background: UInt16 = useMOVN ? 0xFFFF : 0
        let first = halfwords.firstIndex(where: { $0 != background }) ?? 0
        if useMOVN {
            movn(rd, ~halfwords[first], lsl: 16 * first)
        } else {
            movz(rd, halfwords[first], lsl: 16 * first)
        }
        for index in halfwords.indices where index != first && halfwords[index] != background {
            movk(rd, halfwords[index], lsl: 16 * index)
        }
    }

    /// `MOV Rd, Rm` between general-purpose registers or to/from SP (the ORR and ADD #0 aliases).
    public mutating func mov(_ rd: A64.Register, _ rm: A64.Register) {
        if rd.isStackPointer || rm.isStackPointer {
            add(rd, rm, 0)
        } else {
            orr(rd, rd.is64Bit ? .xzr : .wzr, rm)
        }
    }

    private mutating func moveWide(opc: UInt32, _ name: String, _ rd: A64.Register, _ imm16: UInt16, _ shift: Int) {
        guard let r = fields(name, [(rd, .zr)]) else { return }
        guard shift % 16 == 0, (0..<(rd.is64Bit ? 64 : 32)).contains(shift) else {
            rejectImmediate("\(name) shift", shift)
            return
        }
        // sf | opc[30:29] | 100101[28:23] | hw[22:21] | imm16[20:5] | Rd[4:0]
        emit(Self.sf(rd) | opc << 29 | 0x1280_0000 | UInt32(shift / 16) << 21 | UInt32(imm16) << 5 | r[0])
    }
}
