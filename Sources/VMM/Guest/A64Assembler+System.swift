// System register moves, PSTATE writes, barriers, hints, TLB maintenance and exception generation.
// Arm ARM C4.1.93 "Branches, Exception Generating and System instructions", C5.2 "System instructions".

import SysRegs

extension A64Assembler {
    // MARK: System register moves: 1101010100 | L[21] | op0[20:19] | op1 | CRn | CRm | op2 | Rt

    /// `MRS Xt, <sysreg>`: reads a system register named by its encoding (from `RegisterTable`).
    public mutating func mrs(_ rt: A64.Register, _ register: SysRegEncoding) {
        systemMove("mrs", read: true, rt, register)
    }

    /// `MSR <sysreg>, Xt`.
    public mutating func msr(_ register: SysRegEncoding, _ rt: A64.Register) {
        systemMove("msr", read: false, rt, register)
    }

    private mutating func systemMove(_ name: String, read: Bool, _ rt: A64.Register, _ register: SysRegEncoding) {
        guard let r = fields(name, [(rt, .zr)]) else { return }
        guard rt.is64Bit else {
            return reject(.invalidOperand(instruction: name, reason: "takes an X register", byteOffset: byteOffset))
        }
        // op0 0 and 1 are the PSTATE/hint/barrier and SYS spaces, not registers.
        guard register.op0 >= 2 else {
            return reject(
                .invalidOperand(instruction: name, reason: "\(register) is not a register", byteOffset: byteOffset))
        }
        emit(0xD500_0000 | (read ? 1 << 21 : 0) | Self.systemFields(register) | r[0])
    }

    /// op0[20:19] op1[18:16] CRn[15:12] CRm[11:8] op2[7:5].
    static func systemFields(_ e: SysRegEncoding) -> UInt32 {
        UInt32(e.op0) << 19 | UInt32(e.op1) << 16 | UInt32(e.crn) << 12 | UInt32(e.crm) << 8 | UInt32(e.op2) << 5
    }

    /// `MSR <pstatefield>, #imm` (DAIFSet, DAIFClr: 4-bit D:A:I:F mask; SPSel: 0 or 1).
    /// 1101010100000 | op1 | 0100 | CRm=imm | op2 | 11111.
    public mutating func msr(_ field: A64.PSTATEField, _ imm: UInt32) {
        guard imm < (field == .spSel ? 2 : 16) else { return rejectImmediate("msr \(field)", imm) }
        emit(0xD500_401F | field.op1 << 16 | imm << 8 | field.op2 << 5)
    }

    // MARK: Barriers and hints: 11010101000000110011 | CRm | op2 | 11111 (barriers), ...0010 | CRm | op2 (hints)

    /// `ISB`: context synchronisation, needed after system register writes that affect instruction fetch.
    public mutating func isb() { emit(0xD503_3FDF) }

    /// `DSB <option>`.
    public mutating func dsb(_ option: A64.BarrierOption = .sy) { emit(0xD503_309F | option.rawValue << 8) }

    /// `DMB <option>`.
    public mutating func dmb(_ option: A64.BarrierOption = .sy) { emit(0xD503_30BF | option.rawValue << 8) }

    /// `NOP`.
    public mutating func nop() { emit(0xD503_201F) }

    /// `WFI`: wait for interrupt (KVM blocks the vCPU thread until one is pending).
    public mutating func wfi() { emit(0xD503_207F) }

    /// `WFE`.
    public mutating func wfe() { emit(0xD503_205F) }

    /// `TLBI <operation>`: SYS #op1, Cn, Cm, #op2 with Rt = XZR; 1101010100001 | op1 | CRn | CRm | op2 | Rt.
    public mutating func tlbi(_ operation: A64.TLBIOperation) {
        let f = operation.fields
        emit(0xD508_001F | f.op1 << 16 | f.crn << 12 | f.crm << 8 | f.op2 << 5)
    }

    /// `AT <operation>, Xt`: SYS #op1, C7, Cm, #op2, Xt (Arm ARM C5.5 "A64 system instructions for address
    /// translation"); the result lands in PAR_EL1 after the next context synchronisation (ISB).
    public mutating func at(_ operation: ATOperation, _ rt: A64.Register) {
        guard let r = fields("at", [(rt, .zr)]) else { return }
        let (op1, crm, op2): (UInt32, UInt32, UInt32)
        switch operation {
        case .S1E1R: (op1, crm, op2) = (0, 8, 0)
        case .S1E1W: (op1, crm, op2) = (0, 8, 1)
        case .S1E0R: (op1, crm, op2) = (0, 8, 2)
        case .S1E0W: (op1, crm, op2) = (0, 8, 3)
        case .S1E1RP: (op1, crm, op2) = (0, 9, 0)
        case .S1E1WP: (op1, crm, op2) = (0, 9, 1)
        case .S1E2R: (op1, crm, op2) = (4, 8, 0)
        case .S1E2W: (op1, crm, op2) = (4, 8, 1)
        case .S12E1R: (op1, crm, op2) = (4, 8, 4)
        case .S12E1W: (op1, crm, op2) = (4, 8, 5)
        case .S12E0R: (op1, crm, op2) = (4, 8, 6)
        case .S12E0W: (op1, crm, op2) = (4, 8, 7)
        }
        emit(0xD508_7000 | op1 << 16 | crm << 8 | op2 << 5 | r[0])
    }

    /// `MSR PAN, #imm` (FEAT_PAN): op1=0b000, op2=0b100.
    public mutating func msrPAN(_ enabled: Bool) { emit(0xD500_409F | (enabled ? 1 : 0) << 8) }

    // MARK: Exception generation: 11010100 | opc[23:21] | imm16[20:5] | op2=000 | LL

    /// `SVC #imm16`: supervisor call to EL1.
    public mutating func svc(_ imm16: UInt16) { emit(0xD400_0001 | UInt32(imm16) << 5) }

    /// `HVC #imm16`: hypervisor call to EL2 (KVM handles PSCI calls made with HVC #0 from EL1).
    public mutating func hvc(_ imm16: UInt16) { emit(0xD400_0002 | UInt32(imm16) << 5) }

    /// `SMC #imm16`: secure monitor call (the PSCI conduit for a guest running at virtual EL2).
    public mutating func smc(_ imm16: UInt16) { emit(0xD400_0003 | UInt32(imm16) << 5) }

    /// `BRK #imm16`: breakpoint.
    public mutating func brk(_ imm16: UInt16) { emit(0xD420_0000 | UInt32(imm16) << 5) }

    // MARK: SVE

    /// `RDVL Xd, #imm`: Xd = imm × the current SVE vector length in bytes (Arm ARM C8.2 "RDVL"):
    /// 00000100 | 1 | 0 | 1 | 11111 | 01010 | imm6 | Rd. Traps unless SVE is enabled for the EL
    /// (CPACR_EL1.ZEN, CPTR_EL2.TZ / ZEN).
    public mutating func rdvl(_ rd: A64.Register, _ multiple: Int) {
        guard rd.is64Bit else {
            return reject(.invalidOperand(instruction: "rdvl", reason: "takes an X register", byteOffset: byteOffset))
        }
        guard (-32...31).contains(multiple) else { return rejectImmediate("rdvl", multiple) }
        guard let r = fields("rdvl", [(rd, .zr)]) else { return }
        emit(0x04BF_5000 | (UInt32(truncatingIfNeeded: multiple) & 0x3F) << 5 | r[0])
    }
}
