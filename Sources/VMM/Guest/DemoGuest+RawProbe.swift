import SysRegs

/// A raw payload (a flat binary with no Image header) that reports how it was entered, for the raw-boot
/// tests: run as `vmmctl run FILE` it prints one line and ends with PSCI.
///
/// Output: "raw payload: CurrentEL=<n> DAIF=<hex> x0=<hex> dtb=<hex>[ E2H=<0|1>][ initrd=<hex>]\n", where
/// x0 is the register at entry (the device tree address), `dtb` the first word there read little-endian
/// (an FDT's big-endian magic 0xd00dfeed reads 0xedfe0dd0), E2H is HCR_EL2.E2H (with `hasEL2`) and
/// `initrd` the first word at `initrdAddress`. It uses no stack and no vectors, runs with the MMU off,
/// and touches only those two words and the PL011 data register.
extension DemoGuest {
    /// What the probe ends with: PSCI 0.2 SYSTEM_OFF (vmmctl exits 0) or SYSTEM_RESET (exit 10).
    public enum RawProbeEnd: Sendable {
        case systemOff, systemReset

        /// The SMC32 function id (Arm DEN0022 "PSCI" 5.1.9 and 5.1.10).
        var function: UInt64 {
            switch self {
            case .systemOff: 0x8400_0008
            case .systemReset: 0x8400_0009
            }
        }
    }

    public static let rawProbePrefix = "raw payload: CurrentEL="

    /// The probe's bytes, position independent (PC-relative addressing only), to be written to a file.
    /// With `hasEL2` it reads HCR_EL2 and calls PSCI with SMC, as a payload entered at EL2 must.
    public static func rawProbe(
        uartBase: UInt64, hasEL2: Bool, initrdAddress: UInt64? = nil, end: RawProbeEnd = .systemOff
    ) throws(DemoGuestError) -> [UInt8] {
        let regs = try DemoRegisters()
        let daif = SysRegEncoding(3, 3, 4, 2, 1)
        var w = GuestImageWriter(uartBase: uartBase)
        w.asm.mov(.x22, .x0)  // x0 at entry: the device tree address
        w.loadUARTBase()
        w.print(rawProbePrefix)
        w.printCurrentEL(regs.currentEL)
        w.print(" DAIF=")
        w.asm.mrs(.x0, daif)
        w.printHex(.x0)
        w.print(" x0=")
        w.printHex(.x22)
        w.print(" dtb=")
        w.asm.ldr(.w0, .offset(.x22))
        w.printHex(.x0)
        if hasEL2 {
            w.print(" E2H=")
            w.asm.mrs(.x0, regs.hcrEL2)
            w.asm.lsr(.x0, .x0, 34)  // HCR_EL2.E2H is bit 34
            w.asm.and(.x0, .x0, 1)
            w.printHex(.x0)
        }
        if let initrdAddress {
            w.print(" initrd=")
            w.asm.mov(.x1, initrdAddress)
            w.asm.ldr(.w0, .offset(.x1))
            w.printHex(.x0)
        }
        w.print("\n")
        w.asm.mov(.x0, end.function)
        if hasEL2 { w.asm.smc(0) } else { w.asm.hvc(0) }
        w.halt()
        w.endSection()
        return try assemble(w.asm)
    }

    /// The line `rawProbe` prints when entered as vmmctl enters a raw payload (KVM's reset PSTATE: D, A,
    /// I and F masked, so DAIF reads 0x3c0), given the DTB address and, if asked, the initrd's first word.
    public static func rawProbeExpectedOutput(
        el: Int, e2h: Bool?, dtbAddress: UInt64, initrdWord: UInt32? = nil
    ) -> String {
        var line = rawProbePrefix + "\(el) DAIF=3c0 x0=\(String(dtbAddress, radix: 16)) dtb=edfe0dd0"
        if let e2h { line += " E2H=\(e2h ? 1 : 0)" }
        if let initrdWord { line += " initrd=\(String(initrdWord, radix: 16))" }
        return line + "\n"
    }
}
