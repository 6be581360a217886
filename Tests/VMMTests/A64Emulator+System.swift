import SysRegs

@testable import VMM

// Memory, stage 2, loads and stores, exceptions and system registers for `A64Emulator`.
extension A64Emulator {
    struct Translation {
        let pa: UInt64
        let memAttr: UInt64?
    }

    func read(_ address: UInt64, _ size: Int) -> UInt64 {
        (0..<size).reduce(UInt64(0)) { $0 | UInt64(memory[address + UInt64($1)] ?? 0) << UInt64($1 * 8) }
    }

    mutating func write(_ address: UInt64, _ size: Int, _ value: UInt64) {
        for i in 0..<size { memory[address + UInt64(i)] = UInt8(truncatingIfNeeded: value >> UInt64(i * 8)) }
    }

    var stage2On: Bool { el == 1 && hasEL2 && (sysregs[Self.hcr] ?? 0) & 1 == 1 }

    /// The PA for `address` (stage 1 is off in both demos); at EL1 with HCR_EL2.VM = 1, a stage-2 walk
    /// (4 KiB granule). On a fault, takes the abort to EL2 and returns nil.
    mutating func translate(_ address: UInt64, write: Bool, fetch: Bool) -> Translation? {
        guard stage2On else { return Translation(pa: address, memAttr: nil) }
        let vtcr = sysregs[Self.vtcr] ?? 0
        let t0sz = vtcr & 0x3F
        let startLevel: Int? = [0b00: 2, 0b01: 1, 0b10: 0][vtcr >> 6 & 3]
        guard vtcr >> 14 & 3 == 0, let startLevel, address >> (64 - t0sz) == 0 else {
            return stage2Fault(address, write: write, fetch: fetch, fsc: 0b000100)
        }
        var table = (sysregs[Self.vttbr] ?? 0) & 0x0000_FFFF_FFFF_F000
        for level in startLevel...3 {
            let index = address >> UInt64(12 + 9 * (3 - level)) & 0x1FF
            let descriptor = read(table + index * 8, 8)
            let isTableOrPage = descriptor & 3 == 3
            guard descriptor & 1 == 1, level < 3 || isTableOrPage else {
                return stage2Fault(address, write: write, fetch: fetch, fsc: 0b000100 | UInt64(level))
            }
            if level < 3, isTableOrPage {
                table = descriptor & 0x0000_FFFF_FFFF_F000
                continue
            }
            let blockMask: UInt64 = (1 << UInt64(12 + 9 * (3 - level))) - 1
            let permitted = descriptor >> 6 & (write ? 2 : 1) != 0 && !(fetch && descriptor >> 54 & 1 == 1)
            guard descriptor >> 10 & 1 == 1 else {
                return stage2Fault(address, write: write, fetch: fetch, fsc: 0b001000 | UInt64(level))
            }
            guard permitted else {
                return stage2Fault(address, write: write, fetch: fetch, fsc: 0b001100 | UInt64(level))
            }
            let pa = (descriptor & 0x0000_FFFF_FFFF_F000 & ~blockMask) | (address & blockMask)
            return Translation(pa: pa, memAttr: descriptor >> 2 & 0xF)
        }
        return nil
    }

    private mutating func stage2Fault(_ address: UInt64, write: Bool, fetch: Bool, fsc: UInt64) -> Translation? {
        let ec: UInt64 = fetch ? 0x20 : 0x24
        takeException(
            toEL: 2, esr: ec << 26 | 1 << 25 | (write ? 1 << 6 : 0) | fsc, vectorOffset: 0x400, preferredReturn: pc)
        return nil
    }

    /// Load/store of one register, in the unsigned offset, register offset and pre/post-indexed forms.
    mutating func loadStore(_ w: UInt32) -> Stop? {
        let size = 1 << Int(w >> 30)
        let isLoad = w >> 22 & 3 == 1
        guard w >> 22 & 3 <= 1 else { return undefined(w) }
        let rt = Int(w & 0x1F)
        let rn = Int(w >> 5 & 0x1F)
        let base = x[rn]
        var address = base
        var writeBack: UInt64?
        if w & 0x3B00_0000 == 0x3900_0000 {
            address = base &+ UInt64(w >> 10 & 0xFFF) * UInt64(size)
        } else if w & 0x3B20_0C00 == 0x3820_0800 {
            address = base &+ (Int(w >> 16 & 0x1F) == 31 ? 0 : x[Int(w >> 16 & 0x1F)])
        } else {
            let imm = UInt64(bitPattern: Int64(Int32(bitPattern: (w >> 12 & 0x1FF) << 23) >> 23))
            let updated = base &+ imm
            if w >> 11 & 1 == 1 { address = updated }
            writeBack = updated
        }
        let savedPC = pc
        pc = pc &- 4  // a fault returns to the access
        guard let t = translate(address, write: !isLoad, fetch: false) else { return nil }
        pc = savedPC
        if isLoad {
            let value = address == uartBase + 0x18 ? 0 : read(t.pa, size)
            if rt != 31 { x[rt] = value }
        } else {
            let value = rt == 31 ? 0 : x[rt]
            if t.pa == uartBase {
                output.append(UInt8(truncatingIfNeeded: value))
                uartWrites.append(UARTWrite(el: el, memAttr: t.memAttr))
            } else {
                write(t.pa, size, value)
            }
        }
        if let writeBack { x[rn] = writeBack }
        return nil
    }

    mutating func load(_ rt: Int, address: UInt64, size: Int) -> Stop? {
        guard let t = translate(address, write: false, fetch: false) else { return nil }
        if rt != 31 { x[rt] = read(t.pa, size) }
        return nil
    }

    // MARK: Exceptions

    /// Exception entry (Arm ARM D1.3): SPSR_ELx = PSTATE (DAIF were masked throughout), ELR_ELx, ESR_ELx, then
    /// PC = VBAR_ELx + offset with DAIF masked, at ELx with SP_ELx.
    mutating func takeException(toEL target: Int, esr: UInt64, vectorOffset: UInt64, preferredReturn: UInt64) {
        let op1: UInt8 = target == 2 ? 4 : 0
        sysregs[SysRegEncoding(3, op1, 4, 0, 0)] = 0x3C0 | UInt64(el) << 2 | 1
        sysregs[SysRegEncoding(3, op1, 4, 0, 1)] = preferredReturn
        sysregs[SysRegEncoding(3, op1, 5, 2, 0)] = esr
        exceptionsTaken.append(TakenException(toEL: target, esr: esr))
        let offset = target == el ? 0x200 : vectorOffset
        el = target
        pc = (sysregs[SysRegEncoding(3, op1, 12, 0, 0)] ?? 0) &+ offset
    }

    /// UNDEFINED: an EC 0 exception to the current EL (or EL1 from EL0, not modelled).
    mutating func undefined(_ w: UInt32) -> Stop? {
        if exceptionsTaken.count > 16 { return .failure("exception loop, last word 0x\(String(w, radix: 16))") }
        takeException(toEL: el, esr: 1 << 25, vectorOffset: 0x200, preferredReturn: pc &- 4)
        return nil
    }

    mutating func hvc(_ imm: UInt64, _ w: UInt32) -> Stop? {
        if !hasEL2 {
            // EL1 guest of KVM: the hypervisor is KVM, which implements SMCCC/PSCI.
            return psci(conduit: "hvc")
        }
        takeException(toEL: 2, esr: 0x16 << 26 | 1 << 25 | imm, vectorOffset: 0x400, preferredReturn: pc)
        return nil
    }

    /// SMC from virtual EL2 (or from EL1 with HCR_EL2.TSC = 0) reaches KVM's PSCI.
    mutating func smc(_ w: UInt32) -> Stop? { psci(conduit: "smc") }

    private mutating func psci(conduit: String) -> Stop? {
        if x[0] & 0xFFFF_FFFF == Self.psciSystemOff { return .systemOff(conduit: conduit, fromEL: el) }
        if x[0] & 0xFFFF_FFFF == Self.psciCPUOn {
            cpuOnCalls.append(
                CPUOnCall(conduit: conduit, fromEL: el, targetMPIDR: x[1], entry: x[2], contextID: x[3]))
            x[0] = 0  // SUCCESS
            return nil
        }
        x[0] = UInt64(bitPattern: -1)  // NOT_SUPPORTED
        return nil
    }

    mutating func eret(_ w: UInt32) -> Stop? {
        guard el == 2 || el == 1 else { return undefined(w) }
        let op1: UInt8 = el == 2 ? 4 : 0
        let spsr = sysregs[SysRegEncoding(3, op1, 4, 0, 0)] ?? 0
        let target = Int(spsr >> 2 & 3)
        guard target <= el, spsr & 0x10 == 0 else {
            return .failure("ERET to an unsupported mode, SPSR 0x\(String(spsr, radix: 16))")
        }
        pc = sysregs[SysRegEncoding(3, op1, 4, 0, 1)] ?? 0
        el = target
        return nil
    }

    // MARK: System registers

    func encoding(_ w: UInt32) -> SysRegEncoding {
        SysRegEncoding(
            UInt8(w >> 19 & 3), UInt8(w >> 16 & 7), UInt8(w >> 12 & 0xF), UInt8(w >> 8 & 0xF), UInt8(w >> 5 & 7))
    }

    /// The register an access reaches, or nil if it is UNDEFINED at this EL: EL2 registers (op1 = 4) need
    /// EL2; with HCR_EL2.E2H = 1 at EL2, the EL1 encodings the demos use reach their EL2 counterparts
    /// and the *_EL12 encodings (op1 = 5) reach the EL1 registers; without E2H, *_EL12 is UNDEFINED
    /// (Arm ARM D8.10 "Virtualization Host Extensions").
    func accessible(_ e: SysRegEncoding) -> SysRegEncoding? {
        let e2h = (sysregs[Self.hcr] ?? 0) >> 34 & 1 == 1
        switch e.op1 {
        case 4: return el == 2 ? e : nil
        case 5: return el == 2 && e2h ? SysRegEncoding(e.op0, 0, e.crn, e.crm, e.op2) : nil
        case 0 where el == 2 && e2h && Self.redirected.contains(e):
            return SysRegEncoding(e.op0, 4, e.crn, e.crm, e.op2)
        default: return e
        }
    }

    /// SCTLR_EL1, SPSR_EL1, ELR_EL1, ESR_EL1, VBAR_EL1.
    static let redirected: Set<SysRegEncoding> = [
        SysRegEncoding(3, 0, 1, 0, 0), SysRegEncoding(3, 0, 4, 0, 0), SysRegEncoding(3, 0, 4, 0, 1),
        SysRegEncoding(3, 0, 5, 2, 0), SysRegEncoding(3, 0, 12, 0, 0),
    ]
}
