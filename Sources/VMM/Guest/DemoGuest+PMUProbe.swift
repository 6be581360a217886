import SysRegs

/// A raw payload that proves the guest has a working PMUv3 (Arm ARM D12): it enables the cycle counter and
/// event counter 0 counting CPU_CYCLES (event 0x11), filtered to count at EL1 and EL2 as well, spins, and
/// reports whether each counter moved. Run at EL1, or at EL2 with `hasEL2` (PSCI then by SMC).
///
/// Output when the PMU works: `pmuProbeSuccess`. Each counter that did not move is named instead.
extension DemoGuest {
    public static let pmuProbeSuccess = "pmu: PMCCNTR_EL0 counts, PMEVCNTR0_EL0 (CPU_CYCLES) counts\n"

    public static func pmuProbe(uartBase: UInt64, hasEL2: Bool) throws(DemoGuestError) -> [UInt8] {
        var w = GuestImageWriter(uartBase: uartBase)
        func encoding(_ register: SysReg) throws(DemoGuestError) -> SysRegEncoding {
            guard let e = register.encoding else { throw .noSystemRegisterEncoding(register.name) }
            return e
        }
        // PMEVTYPER<n>_EL0 / PMCCFILTR_EL0.NSH (bit 27) = 1: also count at EL2 (with P, U = 0, EL1 and EL0 count).
        let countAtEL2: UInt64 = 1 << 27
        w.loadUARTBase()
        w.asm.mov(.x0, 0x11 | countAtEL2)  // CPU_CYCLES
        w.asm.msr(try encoding(SysReg.PMEVTYPER0_EL0), .x0)
        w.asm.mov(.x0, countAtEL2)
        w.asm.msr(try encoding(SysReg.PMCCFILTR_EL0), .x0)
        w.asm.mov(.x0, 1 << 31 | 1)  // PMCNTENSET_EL0: C (cycle counter) and P0
        w.asm.msr(try encoding(SysReg.PMCNTENSET_EL0), .x0)
        w.asm.mov(.x0, 0b111)  // PMCR_EL0: E (enable), P (reset event counters), C (reset cycle counter)
        w.asm.msr(try encoding(SysReg.PMCR_EL0), .x0)
        w.asm.isb()
        w.asm.mov(.x1, 100_000)
        let loop = w.asm.here("loop")
        w.asm.sub(.x1, .x1, 1)
        w.asm.cbnz(.x1, loop)
        w.asm.mrs(.x23, try encoding(SysReg.PMCCNTR_EL0))
        w.asm.mrs(.x24, try encoding(SysReg.PMEVCNTR0_EL0))
        let cyclesMissing = w.asm.makeLabel("cyclesMissing")
        let eventMissing = w.asm.makeLabel("eventMissing")
        let done = w.asm.makeLabel("done")
        w.asm.cbz(.x23, cyclesMissing)
        w.asm.cbz(.x24, eventMissing)
        w.print(pmuProbeSuccess)
        w.asm.b(done)
        w.asm.bind(cyclesMissing)
        w.print("pmu: PMCCNTR_EL0 did not count\n")
        w.asm.b(done)
        w.asm.bind(eventMissing)
        w.print("pmu: PMEVCNTR0_EL0 (CPU_CYCLES) did not count\n")
        w.asm.bind(done)
        w.powerOff(hasEL2 ? .smc : .hvc)
        w.endSection()
        return try assemble(w.asm)
    }
}
