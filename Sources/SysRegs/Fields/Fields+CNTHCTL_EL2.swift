// CNTHCTL_EL2 and the timer control registers (Arm ARM DDI0487, D24.2 "CNTHCTL_EL2", "CNTV_CTL_EL0").
//
// Like CPTR_EL2, CNTHCTL_EL2 changes shape with HCR_EL2.E2H: the E2H=1 layout is registered under the register
// name and the E2H=0 layout under "CNTHCTL_EL2.E2H0".

extension FieldLayout {
    /// CNTHCTL_EL2 when HCR_EL2.E2H is 1.
    static let CNTHCTL_EL2 = FieldLayout(
        [
            BitField("EL0PCTEN", bit: 0, "EL0 access to the physical counter"),
            BitField("EL0VCTEN", bit: 1, "EL0 access to the virtual counter"),
        ] + cnthctlEventStream
            + [
                BitField("EL0VTEN", bit: 8, "EL0 access to the virtual timer"),
                BitField("EL0PTEN", bit: 9, "EL0 access to the physical timer"),
                BitField("EL1PCTEN", bit: 10, "EL1 access to the physical counter (0 traps)"),
                BitField("EL1PTEN", bit: 11, "EL1 access to the physical timer (0 traps)"),
            ] + cnthctlECVAndTraps)

    /// CNTHCTL_EL2 when HCR_EL2.E2H is 0: bits 0-1 mean other things, bits 8-11 do not exist.
    static let CNTHCTL_EL2_E2H0 = FieldLayout(
        [
            BitField("EL1PCTEN", bit: 0, "EL0/EL1 access to the physical counter (0 traps)"),
            BitField("EL1PCEN", bit: 1, "EL0/EL1 access to the physical timer (0 traps)"),
        ] + cnthctlEventStream + cnthctlECVAndTraps)

    /// Bits 2-7, the same with either E2H.
    private static let cnthctlEventStream: [BitField] = [
        BitField("EVNTEN", bit: 2, "Event stream enable"),
        BitField("EVNTDIR", bit: 3, "Event stream trigger on counter bit 0-to-1 (0) or 1-to-0 (1)"),
        BitField("EVNTI", 7, 4, "Event stream counter bit select"),
    ]

    /// Bits 12-19, the same with either E2H.
    private static let cnthctlECVAndTraps: [BitField] = [
        BitField("ECV", bit: 12, "Enhanced Counter Virtualization enable (CNTPOFF_EL2)"),
        BitField("EL1TVT", bit: 13, "Trap EL1 virtual timer accesses"),
        BitField("EL1TVCT", bit: 14, "Trap EL1 virtual counter accesses"),
        BitField("EL1NVPCT", bit: 15, "Trap EL1 physical timer accesses under NV"),
        BitField("EL1NVVCT", bit: 16, "Trap EL1 virtual timer accesses under NV"),
        BitField("EVNTIS", bit: 17, "Event stream uses counter bits [23:8] instead of [15:0]"),
        BitField("CNTVMASK", bit: 18, "Mask the EL1 virtual timer interrupt"),
        BitField("CNTPMASK", bit: 19, "Mask the EL1 physical timer interrupt"),
    ]

    /// CNTV_CTL_EL0, CNTP_CTL_EL0, CNTHP_CTL_EL2 and CNTHV_CTL_EL2 share one layout.
    static let timerControl = FieldLayout([
        BitField("ENABLE", bit: 0, "Timer enabled"),
        BitField("IMASK", bit: 1, "Timer interrupt masked"),
        BitField("ISTATUS", bit: 2, "Timer condition met (read-only)"),
    ])
}
