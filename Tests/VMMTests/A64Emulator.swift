import SysRegs

@testable import VMM

/// A deliberately small A64 interpreter for the demo guests, so the pure tier can run them: it decodes (from
/// the Arm ARM, independently of `A64Assembler`) exactly the instructions the demos use, models EL1/EL2
/// with exception entry and ERET, E2H register redirection, a stage-2 walk for EL1 accesses when
/// HCR_EL2.VM = 1, a PL011 data register, and PSCI over HVC (EL1 without EL2) or SMC: SYSTEM_OFF, and
/// CPU_ON, which it records and answers SUCCESS without starting anything (a test runs the secondary in an
/// emulator of its own). Anything else it meets is an UNDEFINED exception, as on hardware.
struct A64Emulator {
    enum Stop: Equatable, CustomStringConvertible {
        case systemOff(conduit: String, fromEL: Int)
        case waitingForInterrupt(pc: UInt64)
        case stepLimit(pc: UInt64)
        case failure(String)

        var description: String {
            switch self {
            case .systemOff(let conduit, let el): "PSCI SYSTEM_OFF by \(conduit) from EL\(el)"
            case .waitingForInterrupt(let pc): "WFI at 0x\(String(pc, radix: 16))"
            case .stepLimit(let pc): "step limit at 0x\(String(pc, radix: 16))"
            case .failure(let why): why
            }
        }
    }

    /// An exception entry: the EL it went to and the syndrome.
    struct TakenException: Equatable {
        let toEL: Int
        let esr: UInt64
    }

    /// A PSCI CPU_ON call: the conduit and EL it came from and its x1 (target MPIDR), x2 (entry), x3 (context).
    struct CPUOnCall: Equatable {
        let conduit: String
        let fromEL: Int
        let targetMPIDR: UInt64
        let entry: UInt64
        let contextID: UInt64
    }

    /// A UART store: the address and the stage-2 MemAttr it went through (nil: no stage 2).
    struct UARTWrite: Equatable {
        let el: Int
        let memAttr: UInt64?
    }

    let uartBase: UInt64
    let hasEL2: Bool
    var memory: [UInt64: UInt8] = [:]
    var x = [UInt64](repeating: 0, count: 32)  // x[31] is SP
    var pc: UInt64 = 0
    var el = 1
    var nzcv: UInt64 = 0
    var sysregs: [SysRegEncoding: UInt64] = [:]
    var output: [UInt8] = []
    var uartWrites: [UARTWrite] = []
    var exceptionsTaken: [TakenException] = []
    var cpuOnCalls: [CPUOnCall] = []

    static let psciSystemOff: UInt64 = 0x8400_0008
    static let psciCPUOn: UInt64 = 0xC400_0003
    static let hcr = SysRegEncoding(3, 4, 1, 1, 0)
    static let vtcr = SysRegEncoding(3, 4, 2, 1, 2)
    static let vttbr = SysRegEncoding(3, 4, 2, 1, 0)

    init(program: GuestProgram, uartBase: UInt64, hasEL2: Bool, e2h: Bool = true) {
        self.uartBase = uartBase
        self.hasEL2 = hasEL2
        for (i, byte) in program.bytes.enumerated() { memory[program.loadAddress + UInt64(i)] = byte }
        pc = program.entryPoint
        el = Int(program.entryPSTATE >> 2 & 3)
        if hasEL2 { sysregs[Self.hcr] = e2h ? 0x4_8000_0000 : 0x8000_0000 }
        sysregs[SysRegEncoding(3, 0, 1, 0, 0)] = 0x00C5_0078  // SCTLR_EL1: KVM's reset value, M = 0
        sysregs[SysRegEncoding(3, 0, 0, 7, 0)] = 0x0000_0000_0000_0005  // ID_AA64MMFR0_EL1.PARange = 48 bits
    }

    var text: String { String(decoding: output, as: UTF8.self) }

    /// A system register's value (0 if never written).
    func sysreg(_ encoding: SysRegEncoding) -> UInt64 { sysregs[encoding] ?? 0 }

    /// Runs until the program powers off, waits for an interrupt, fails, or takes `limit` steps.
    mutating func run(limit: Int = 200_000) -> Stop {
        for _ in 0..<limit {
            if let stop = step() { return stop }
        }
        return .stepLimit(pc: pc)
    }

    // MARK: Execution

    private mutating func step() -> Stop? {
        guard let fetched = translate(pc, write: false, fetch: true) else { return nil }
        let w = UInt32(read(fetched.pa, 4))
        let next = pc &+ 4
        if let stop = execute(w, next: next) { return stop }
        return nil
    }

    /// Executes one instruction; sets `pc`. Returns a stop reason, or nil to go on.
    private mutating func execute(_ w: UInt32, next: UInt64) -> Stop? {
        let sf = w >> 31 == 1
        let rd = Int(w & 0x1F)
        let rn = Int(w >> 5 & 0x1F)
        let rm = Int(w >> 16 & 0x1F)
        pc = next
        switch w {
        case _ where w & 0x1F80_0000 == 0x1280_0000:  // move wide
            let hw = UInt64(w >> 21 & 3) * 16
            let imm = UInt64(w >> 5 & 0xFFFF) << hw
            switch w >> 29 & 3 {
            case 0: setX(rd, ~imm, sf)
            case 2: setX(rd, imm, sf)
            case 3: setX(rd, (reg(rd) & ~(0xFFFF << hw)) | imm, sf)
            default: return undefined(w)
            }
        case _ where w & 0x1F00_0000 == 0x1100_0000:  // add/sub immediate
            let imm = UInt64(w >> 10 & 0xFFF) << (w >> 22 & 1 == 1 ? 12 : 0)
            let setFlags = w >> 29 & 1 == 1
            addSub(rd, regOrSP(rn), imm, subtract: w >> 30 & 1 == 1, setFlags: setFlags, sf: sf, rdIsSP: !setFlags)
        case _ where w & 0x1F80_0000 == 0x1200_0000:  // logical immediate
            guard
                let mask = A64Emulator.decodeBitMasks(
                    n: Int(w >> 22 & 1), imms: Int(w >> 10 & 0x3F), immr: Int(w >> 16 & 0x3F))
            else { return undefined(w) }
            logical(w >> 29 & 3, rd, reg(rn), mask, sf: sf, rdIsSP: w >> 29 & 3 != 3)
        case _ where w & 0x1F80_0000 == 0x1300_0000 && w >> 29 & 3 == 2:  // UBFM
            setX(rd, ubfm(reg(rn), immr: Int(w >> 16 & 0x3F), imms: Int(w >> 10 & 0x3F), width: sf ? 64 : 32), sf)
        case _ where w & 0x1F00_0000 == 0x0A00_0000:  // logical shifted register (LSL only)
            guard w >> 22 & 3 == 0 else { return undefined(w) }
            var operand = reg(rm) << UInt64(w >> 10 & 0x3F)
            if w >> 21 & 1 == 1 { operand = ~operand }
            logical(w >> 29 & 3, rd, reg(rn), operand, sf: sf, rdIsSP: false)
        case _ where w & 0x1F20_0000 == 0x0B00_0000:  // add/sub shifted register (LSL only)
            guard w >> 22 & 3 == 0 else { return undefined(w) }
            let operand = reg(rm) << UInt64(w >> 10 & 0x3F)
            addSub(rd, reg(rn), operand, subtract: w >> 30 & 1 == 1, setFlags: w >> 29 & 1 == 1, sf: sf, rdIsSP: false)
        case _ where w & 0x7FE0_0000 == 0x1AC0_0000:  // LSLV/LSRV
            let amount = reg(rm) & (sf ? 63 : 31)
            let value = sf ? reg(rn) : reg(rn) & 0xFFFF_FFFF
            switch w >> 10 & 0x3F {
            case 0b001000: setX(rd, value << amount, sf)
            case 0b001001: setX(rd, value >> amount, sf)
            default: return undefined(w)
            }
        case _ where w & 0x3B00_0000 == 0x3900_0000,  // load/store unsigned offset
            _ where w & 0x3B20_0C00 == 0x3820_0800,  // register offset
            _ where w & 0x3B20_0400 == 0x3800_0400:  // pre/post-indexed
            return loadStore(w)
        case _ where w & 0xBF00_0000 == 0x1800_0000:  // LDR (literal)
            let offset = signExtend(UInt64(w >> 5 & 0x7_FFFF), bits: 19) << 2
            return load(rd, address: next &- 4 &+ offset, size: w >> 30 & 1 == 1 ? 8 : 4)
        case _ where w & 0x7C00_0000 == 0x1400_0000:  // B, BL
            if w >> 31 == 1 { x[30] = next }
            pc = next &- 4 &+ (signExtend(UInt64(w & 0x3FF_FFFF), bits: 26) << 2)
        case _ where w & 0xFF00_0010 == 0x5400_0000:  // B.cond
            if condition(w & 0xF) { pc = next &- 4 &+ (signExtend(UInt64(w >> 5 & 0x7_FFFF), bits: 19) << 2) }
        case _ where w & 0x7E00_0000 == 0x3400_0000:  // CBZ/CBNZ
            let value = sf ? reg(rd) : reg(rd) & 0xFFFF_FFFF
            if (value == 0) == (w >> 24 & 1 == 0) {
                pc = next &- 4 &+ (signExtend(UInt64(w >> 5 & 0x7_FFFF), bits: 19) << 2)
            }
        case _ where w & 0x7E00_0000 == 0x3600_0000:  // TBZ/TBNZ
            let bit = UInt64(w >> 31) << 5 | UInt64(w >> 19 & 0x1F)
            if (reg(rd) >> bit & 1 == 0) == (w >> 24 & 1 == 0) {
                pc = next &- 4 &+ (signExtend(UInt64(w >> 5 & 0x3FFF), bits: 14) << 2)
            }
        case _ where w & 0x9F00_0000 == 0x1000_0000:  // ADR
            let imm = UInt64(w >> 5 & 0x7_FFFF) << 2 | UInt64(w >> 29 & 3)
            setX(rd, next &- 4 &+ signExtend(imm, bits: 21), true)
        case _ where w & 0xFF9F_FC1F == 0xD61F_0000:  // BR, BLR, RET
            let target = reg(rn)
            if w >> 21 & 3 == 1 { x[30] = next }
            pc = target
        case 0xD69F_03E0:
            return eret(w)
        case _ where w & 0xFFE0_001F == 0xD400_0002:
            return hvc(UInt64(w >> 5 & 0xFFFF), w)
        case _ where w & 0xFFE0_001F == 0xD400_0003:
            return smc(w)
        case _ where w & 0xFFF0_0000 == 0xD530_0000:  // MRS
            guard let e = accessible(encoding(w)) else { return undefined(w) }
            setX(rd, e == SysRegEncoding(3, 0, 4, 2, 2) ? UInt64(el) << 2 : sysregs[e] ?? 0, true)
        case _ where w & 0xFFF0_0000 == 0xD510_0000:  // MSR (register)
            guard let e = accessible(encoding(w)), e != SysRegEncoding(3, 0, 4, 2, 2) else { return undefined(w) }
            sysregs[e] = reg(rd)
        case _ where w & 0xFFF8_F01F == 0xD500_401F, 0xD503_201F, 0xD503_3FDF:  // MSR imm, NOP, ISB
            break
        case _ where w & 0xFFFF_F0FF == 0xD503_309F:  // DSB
            break
        case _ where w & 0xFFF8_001F == 0xD508_001F:  // SYS (TLBI) with Rt = XZR
            guard el == 2 else { return undefined(w) }
        case 0xD503_207F:
            return .waitingForInterrupt(pc: next &- 4)
        default:
            return undefined(w)
        }
        return nil
    }

    // MARK: Registers and flags

    private func reg(_ n: Int) -> UInt64 { n == 31 ? 0 : x[n] }
    private func regOrSP(_ n: Int) -> UInt64 { x[n] }
    private mutating func setX(_ n: Int, _ value: UInt64, _ sf: Bool, isSP: Bool = false) {
        guard n != 31 || isSP else { return }
        x[n] = sf ? value : value & 0xFFFF_FFFF
    }

    private mutating func addSub(
        _ rd: Int, _ a: UInt64, _ b: UInt64, subtract: Bool, setFlags: Bool, sf: Bool, rdIsSP: Bool
    ) {
        let width: UInt64 = sf ? 64 : 32
        let mask: UInt64 = sf ? ~0 : 0xFFFF_FFFF
        let (a, b) = (a & mask, (subtract ? ~b : b) & mask)
        let carryIn: UInt64 = subtract ? 1 : 0
        let wide = UInt128(a) + UInt128(b) + UInt128(carryIn)
        let result = UInt64(truncatingIfNeeded: wide) & mask
        if setFlags {
            let sign = width - 1
            let n = result >> sign & 1
            let z: UInt64 = result == 0 ? 1 : 0
            let c: UInt64 = (wide >> UInt128(width)) & 1 == 1 ? 1 : 0
            let v: UInt64 = (a >> sign & 1) == (b >> sign & 1) && (result >> sign & 1) != (a >> sign & 1) ? 1 : 0
            nzcv = n << 3 | z << 2 | c << 1 | v
        }
        setX(rd, result, sf, isSP: rdIsSP)
    }

    private mutating func logical(_ opc: UInt32, _ rd: Int, _ a: UInt64, _ b: UInt64, sf: Bool, rdIsSP: Bool) {
        let mask: UInt64 = sf ? ~0 : 0xFFFF_FFFF
        let result: UInt64
        switch opc {
        case 0, 3: result = a & b & mask
        case 1: result = (a | b) & mask
        default: result = (a ^ b) & mask
        }
        if opc == 3 { nzcv = (result >> (sf ? 63 : 31) & 1) << 3 | (result == 0 ? 4 : 0) }
        setX(rd, result, sf, isSP: rdIsSP)
    }

    private func ubfm(_ src: UInt64, immr: Int, imms: Int, width: Int) -> UInt64 {
        let value = width == 64 ? src : src & 0xFFFF_FFFF
        func ones(_ n: Int) -> UInt64 { n >= 64 ? ~0 : (UInt64(1) << UInt64(n)) - 1 }
        if imms >= immr { return (value >> UInt64(immr)) & ones(imms - immr + 1) }
        return ((value & ones(imms + 1)) << UInt64(width - immr)) & ones(width)
    }

    private func condition(_ cond: UInt32) -> Bool {
        let (n, z, c, v) = (nzcv >> 3 & 1 == 1, nzcv >> 2 & 1 == 1, nzcv >> 1 & 1 == 1, nzcv & 1 == 1)
        let result: Bool
        switch cond >> 1 {
        case 0: result = z
        case 1: result = c
        case 2: result = n
        case 3: result = v
        case 4: result = c && !z
        case 5: result = n == v
        case 6: result = n == v && !z
        default: result = true
        }
        return cond & 1 == 1 && cond != 0xF ? !result : result
    }

    private func signExtend(_ value: UInt64, bits: Int) -> UInt64 {
        let shift = UInt64(64 - bits)
        return UInt64(bitPattern: Int64(bitPattern: value << shift) >> Int64(shift))
    }

    /// DecodeBitMasks() (Arm ARM J1 shared pseudocode), for immediate == TRUE and a 64-bit datasize.
    static func decodeBitMasks(n: Int, imms: Int, immr: Int) -> UInt64? {
        let combined = n << 6 | (~imms & 0x3F)
        guard combined != 0 else { return nil }
        let len = Int.bitWidth - 1 - combined.leadingZeroBitCount
        guard len >= 1 else { return nil }
        let levels = (1 << len) - 1
        guard imms & levels != levels else { return nil }
        let s = imms & levels
        let r = immr & levels
        let esize = 1 << len
        let run: UInt64 = (UInt64(1) << UInt64(s + 1)) &- 1
        let mask: UInt64 = esize == 64 ? ~0 : (UInt64(1) << UInt64(esize)) - 1
        let element = r == 0 ? run : ((run >> UInt64(r)) | (run << UInt64(esize - r))) & mask
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: esize) { value |= element << UInt64(shift) }
        return value
    }
}
