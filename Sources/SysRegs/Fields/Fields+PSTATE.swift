// PSTATE and SPSR_ELx for exceptions taken from AArch64 (Arm ARM DDI0487, D1.4 "Process state, PSTATE" and
// D24.2 "SPSR_EL1", "SPSR_EL2"). SPSR saves PSTATE in this shape, so one layout serves all three.

extension FieldLayout {
    /// The AArch64 view of PSTATE as saved in SPSR_ELx. When M[4] is 1 the saved state is AArch32 and bits
    /// [27:10] and [5] mean Q, IT, GE, E and T instead; the model's guests are AArch64 only.
    static let PSTATE = FieldLayout([
        BitField(
            "M[3:0]", 3, 0, "Exception level and stack pointer",
            meanings: [
                0b0000: "EL0t", 0b0100: "EL1t", 0b0101: "EL1h", 0b1000: "EL2t", 0b1001: "EL2h",
                0b1100: "EL3t", 0b1101: "EL3h",
            ]),
        BitField("M[4]", bit: 4, "Execution state (PSTATE.nRW)", meanings: [0: "AArch64", 1: "AArch32"]),
        BitField("F", bit: 6, "FIQ mask"),
        BitField("I", bit: 7, "IRQ mask"),
        BitField("A", bit: 8, "SError mask"),
        BitField("D", bit: 9, "Debug exception mask"),
        BitField(
            "BTYPE", 11, 10, "Branch Type for Branch Target Identification",
            meanings: [
                0b00: "Not a branch target", 0b01: "BR via X16/X17 or from a non-guarded page", 0b10: "BLR",
                0b11: "BR via another register to a guarded page",
            ]),
        BitField("SSBS", bit: 12, "Speculative Store Bypass Safe"),
        BitField("ALLINT", bit: 13, "All interrupt mask (FEAT_NMI)"),
        BitField("IL", bit: 20, "Illegal Execution state"),
        BitField("SS", bit: 21, "Software Step"),
        BitField("PAN", bit: 22, "Privileged Access Never"),
        BitField("UAO", bit: 23, "User Access Override"),
        BitField("DIT", bit: 24, "Data Independent Timing"),
        BitField("TCO", bit: 25, "Tag Check Override"),
        BitField("V", bit: 28, "Overflow condition flag"),
        BitField("C", bit: 29, "Carry condition flag"),
        BitField("Z", bit: 30, "Zero condition flag"),
        BitField("N", bit: 31, "Negative condition flag"),
        BitField("PM", bit: 32, "PMU exception mask (FEAT_EBEP)"),
        BitField("PPEND", bit: 33, "PMU Profiling exception pending (FEAT_SEBEP)"),
        BitField("EXLOCK", bit: 34, "Exception return state lock (FEAT_GCS)"),
        BitField("PACM", bit: 35, "PACM modifier (FEAT_PAuth_LR)"),
        BitField("UINJ", bit: 36, "Inject Undefined Instruction exception (FEAT_UINJ)"),
    ])
}
