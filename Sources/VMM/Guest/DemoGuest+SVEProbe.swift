import SysRegs

/// A raw payload that proves the guest has SVE: it enables SVE at its EL (CPACR_EL1.ZEN and FPEN at EL1,
/// which an E2H=1 EL2 reaches as CPTR_EL2; CPTR_EL2.TZ and TFP clear at an E2H=0 EL2), asks for the
/// longest vector (ZCR_ELx.LEN = 0xf), and prints "sve: ZCR=<hex> RDVL=<hex>\n": the ZCR it reads back
/// and RDVL #1, the vector length in bytes (at most 16 × (LEN + 1), less where the host's is shorter).
extension DemoGuest {
    public static func sveProbe(uartBase: UInt64, hasEL2: Bool, e2h0: Bool) throws(DemoGuestError) -> [UInt8] {
        var w = GuestImageWriter(uartBase: uartBase)
        let cpacrEL1 = SysRegEncoding(3, 0, 1, 0, 2)
        let cptrEL2 = SysRegEncoding(3, 4, 1, 1, 2)
        let zcrEL1 = SysRegEncoding(3, 0, 1, 2, 0)
        let zcrEL2 = SysRegEncoding(3, 4, 1, 2, 0)
        w.loadUARTBase()
        if hasEL2 && e2h0 {
            // CPTR_EL2 (E2H=0): RES1 [13:12], [9], [7:0]; TFP (bit 10) and TZ (bit 8) clear.
            w.asm.mov(.x0, 0x32FF)
            w.asm.msr(cptrEL2, .x0)
        } else {
            // CPACR_EL1 (or CPTR_EL2 through it when E2H=1): ZEN [17:16] and FPEN [21:20] = 0b11.
            w.asm.mov(.x0, 3 << 16 | 3 << 20)
            w.asm.msr(cpacrEL1, .x0)
        }
        w.asm.isb()
        let zcr = hasEL2 && e2h0 ? zcrEL2 : zcrEL1  // ZCR_EL1 at an E2H=1 EL2 is ZCR_EL2
        w.asm.mov(.x0, 0xF)
        w.asm.msr(zcr, .x0)
        w.asm.isb()
        w.asm.mrs(.x23, zcr)
        w.asm.rdvl(.x24, 1)
        w.print("sve: ZCR=")
        w.printHex(.x23)
        w.print(" RDVL=")
        w.printHex(.x24)
        w.print("\n")
        w.powerOff(hasEL2 ? .smc : .hvc)
        w.endSection()
        return try assemble(w.asm)
    }
}
