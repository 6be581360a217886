// Data processing: add/subtract and logical operations (immediate and shifted register) and shifts.
// Arm ARM C4.1.92 "Data Processing -- Immediate" and C4.1.95 "Data Processing -- Register".

extension A64Assembler {
    // MARK: Add/subtract (immediate): sf | op[30] | S[29] | 100010[28:23] | sh[22] | imm12[21:10] | Rn | Rd

    /// `ADD Rd|SP, Rn|SP, #imm`; `imm` is 12 bits, or 12 bits shifted left by 12.
    public mutating func add(_ rd: A64.Register, _ rn: A64.Register, _ imm: UInt64) {
        addSubImmediate("add", op: 0, setFlags: false, rd, rn, imm)
    }

    /// `SUB Rd|SP, Rn|SP, #imm`.
    public mutating func sub(_ rd: A64.Register, _ rn: A64.Register, _ imm: UInt64) {
        addSubImmediate("sub", op: 1, setFlags: false, rd, rn, imm)
    }

    /// `ADDS Rd, Rn|SP, #imm`.
    public mutating func adds(_ rd: A64.Register, _ rn: A64.Register, _ imm: UInt64) {
        addSubImmediate("adds", op: 0, setFlags: true, rd, rn, imm)
    }

    /// `SUBS Rd, Rn|SP, #imm`.
    public mutating func subs(_ rd: A64.Register, _ rn: A64.Register, _ imm: UInt64) {
        addSubImmediate("subs", op: 1, setFlags: true, rd, rn, imm)
    }

    /// `CMP Rn|SP, #imm` (SUBS to the zero register).
    public mutating func cmp(_ rn: A64.Register, _ imm: UInt64) {
        subs(rn.is64Bit ? .xzr : .wzr, rn, imm)
    }

    private mutating func addSubImmediate(
        _ name: String, op: UInt32, setFlags: Bool, _ rd: A64.Register, _ rn: A64.Register, _ imm: UInt64
    ) {
        guard let r = fields(name, [(rd, setFlags ? .zr : .sp), (rn, .sp)]) else { return }
        let (imm12, sh): (UInt64, UInt32)
        if imm < 0x1000 {
            (imm12, sh) = (imm, 0)
        } else if imm & 0xFFF == 0, imm >> 12 < 0x1000 {
            (imm12, sh) = (imm >> 12, 1)
        } else {
            rejectImmediate(name, imm)
            return
        }
        let s: UInt32 = setFlags ? 1 << 29 : 0
        emit(Self.sf(rd) | op << 30 | s | 0x1100_0000 | sh << 22 | UInt32(imm12) << 10 | r[1] << 5 | r[0])
    }

    // MARK: Add/subtract (shifted register): sf | op | S | 01011[28:24] | shift[23:22] | 0 | Rm | imm6 | Rn | Rd

    /// `ADD Rd, Rn, Rm{, LSL #amount}`.
    public mutating func add(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, lsl amount: Int = 0) {
        addSubRegister("add", op: 0, setFlags: false, rd, rn, rm, amount)
    }

    /// `SUB Rd, Rn, Rm{, LSL #amount}`.
    public mutating func sub(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, lsl amount: Int = 0) {
        addSubRegister("sub", op: 1, setFlags: false, rd, rn, rm, amount)
    }

    /// `SUBS Rd, Rn, Rm{, LSL #amount}`.
    public mutating func subs(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, lsl amount: Int = 0) {
        addSubRegister("subs", op: 1, setFlags: true, rd, rn, rm, amount)
    }

    /// `CMP Rn, Rm` (SUBS to the zero register).
    public mutating func cmp(_ rn: A64.Register, _ rm: A64.Register) {
        subs(rn.is64Bit ? .xzr : .wzr, rn, rm)
    }

    private mutating func addSubRegister(
        _ name: String, op: UInt32, setFlags: Bool, _ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register,
        _ amount: Int
    ) {
        guard let r = fields(name, [(rd, .zr), (rn, .zr), (rm, .zr)]) else { return }
        guard (0..<(rd.is64Bit ? 64 : 32)).contains(amount) else { return rejectImmediate("\(name) shift", amount) }
        let s: UInt32 = setFlags ? 1 << 29 : 0
        emit(Self.sf(rd) | op << 30 | s | 0x0B00_0000 | r[2] << 16 | UInt32(amount) << 10 | r[1] << 5 | r[0])
    }

    // MARK: Logical (immediate): sf | opc[30:29] | 100100[28:23] | N[22] | immr[21:16] | imms[15:10] | Rn | Rd

    /// `AND Rd|SP, Rn, #bitmask`; `bitmask` must be a valid logical immediate (see `A64.bitmaskImmediate`).
    public mutating func and(_ rd: A64.Register, _ rn: A64.Register, _ bitmask: UInt64) {
        logicalImmediate("and", opc: 0b00, rd, rn, bitmask)
    }

    /// `ORR Rd|SP, Rn, #bitmask`.
    public mutating func orr(_ rd: A64.Register, _ rn: A64.Register, _ bitmask: UInt64) {
        logicalImmediate("orr", opc: 0b01, rd, rn, bitmask)
    }

    /// `EOR Rd|SP, Rn, #bitmask`.
    public mutating func eor(_ rd: A64.Register, _ rn: A64.Register, _ bitmask: UInt64) {
        logicalImmediate("eor", opc: 0b10, rd, rn, bitmask)
    }

    /// `TST Rn, #bitmask` (ANDS to the zero register).
    public mutating func tst(_ rn: A64.Register, _ bitmask: UInt64) {
        logicalImmediate("tst", opc: 0b11, rn.is64Bit ? .xzr : .wzr, rn, bitmask)
    }

    private mutating func logicalImmediate(
        _ name: String, opc: UInt32, _ rd: A64.Register, _ rn: A64.Register, _ bitmask: UInt64
    ) {
        guard let r = fields(name, [(rd, opc == 0b11 ? .zr : .sp), (rn, .zr)]) else { return }
        guard let imm = A64.bitmaskImmediate(bitmask, is64Bit: rd.is64Bit) else {
            return rejectImmediate(name, bitmask)
        }
        emit(Self.sf(rd) | opc << 29 | 0x1200_0000 | imm.n << 22 | imm.immr << 16 | imm.imms << 10 | r[1] << 5 | r[0])
    }

    // MARK: Logical (shifted register): sf | opc | 01010[28:24] | shift | N[21] | Rm | imm6 | Rn | Rd

    /// `AND Rd, Rn, Rm{, LSL #amount}`.
    public mutating func and(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, lsl amount: Int = 0) {
        logicalRegister("and", opc: 0b00, rd, rn, rm, amount)
    }

    /// `ORR Rd, Rn, Rm{, LSL #amount}`.
    public mutating func orr(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, lsl amount: Int = 0) {
        logicalRegister("orr", opc: 0b01, rd, rn, rm, amount)
    }

    /// `EOR Rd, Rn, Rm{, LSL #amount}`.
    public mutating func eor(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, lsl amount: Int = 0) {
        logicalRegister("eor", opc: 0b10, rd, rn, rm, amount)
    }

    private mutating func logicalRegister(
        _ name: String, opc: UInt32, _ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register, _ amount: Int
    ) {
        guard let r = fields(name, [(rd, .zr), (rn, .zr), (rm, .zr)]) else { return }
        guard (0..<(rd.is64Bit ? 64 : 32)).contains(amount) else { return rejectImmediate("\(name) shift", amount) }
        emit(Self.sf(rd) | opc << 29 | 0x0A00_0000 | r[2] << 16 | UInt32(amount) << 10 | r[1] << 5 | r[0])
    }

    // MARK: Shifts

    /// `LSR Rd, Rn, #amount` (UBFM Rd, Rn, #amount, #width-1).
    public mutating func lsr(_ rd: A64.Register, _ rn: A64.Register, _ amount: Int) {
        let width = rd.is64Bit ? 64 : 32
        guard (0..<width).contains(amount) else { return rejectImmediate("lsr", amount) }
        ubfm("lsr", rd, rn, immr: UInt32(amount), imms: UInt32(width - 1))
    }

    /// `LSL Rd, Rn, #amount` (UBFM Rd, Rn, #(-amount MOD width), #(width-1-amount)).
    public mutating func lsl(_ rd: A64.Register, _ rn: A64.Register, _ amount: Int) {
        let width = rd.is64Bit ? 64 : 32
        guard (0..<width).contains(amount) else { return rejectImmediate("lsl", amount) }
        ubfm("lsl", rd, rn, immr: UInt32((width - amount) % width), imms: UInt32(width - 1 - amount))
    }

    /// UBFM: sf | 10 | 100110[28:23] | N[22]=sf | immr | imms | Rn | Rd (C4.1.92.7 "Bitfield").
    private mutating func ubfm(_ name: String, _ rd: A64.Register, _ rn: A64.Register, immr: UInt32, imms: UInt32) {
        guard let r = fields(name, [(rd, .zr), (rn, .zr)]) else { return }
        let n: UInt32 = rd.is64Bit ? 1 << 22 : 0
        emit(Self.sf(rd) | 0x5300_0000 | n | immr << 16 | imms << 10 | r[1] << 5 | r[0])
    }

    /// `LSL Rd, Rn, Rm` (LSLV): shift by Rm modulo the width.
    public mutating func lsl(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register) {
        dataProcessing2("lsl", opcode: 0b001000, rd, rn, rm)
    }

    /// `LSR Rd, Rn, Rm` (LSRV).
    public mutating func lsr(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register) {
        dataProcessing2("lsr", opcode: 0b001001, rd, rn, rm)
    }

    /// Data-processing (2 source): sf | 0 | 0 | 11010110[28:21] | Rm | opcode[15:10] | Rn | Rd.
    private mutating func dataProcessing2(
        _ name: String, opcode: UInt32, _ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register
    ) {
        guard let r = fields(name, [(rd, .zr), (rn, .zr), (rm, .zr)]) else { return }
        emit(Self.sf(rd) | 0x1AC0_0000 | r[2] << 16 | opcode << 10 | r[1] << 5 | r[0])
    }
}
