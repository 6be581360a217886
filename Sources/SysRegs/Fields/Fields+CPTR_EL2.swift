// CPTR_EL2 and CPACR_EL1: SVE/SIMD/FP/SME/trace access traps (Arm ARM DDI0487, D24.2 "CPTR_EL2", "CPACR_EL1").
//
// CPTR_EL2 has two architecturally different layouts: with HCR_EL2.E2H == 1 it takes the CPACR_EL1 shape
// (two-bit enables), with E2H == 0 it has single trap bits. The catalog registers the E2H=1 layout under the
// register name, since that is how the model runs, and the E2H=0 layout under "CPTR_EL2.E2H0".

extension FieldLayout {
    private static let el2AccessEnable: [UInt128: String] = [
        0b00: "Trap at EL0, EL1 and EL2", 0b01: "Trap at EL0 when HCR_EL2.TGE is 1", 0b10: "Trap at EL0, EL1 and EL2",
        0b11: "No trap",
    ]
    private static let el1AccessEnable: [UInt128: String] = [
        0b00: "Trap at EL0 and EL1", 0b01: "Trap at EL0", 0b10: "Trap at EL0 and EL1", 0b11: "No trap",
    ]

    /// CPTR_EL2 when HCR_EL2.E2H is 1.
    static let CPTR_EL2 = FieldLayout([
        BitField("ZEN", 17, 16, "SVE access enable", meanings: el2AccessEnable),
        BitField("FPEN", 21, 20, "Advanced SIMD and floating-point access enable", meanings: el2AccessEnable),
        BitField("SMEN", 25, 24, "SME access enable", meanings: el2AccessEnable),
        BitField("TTA", bit: 28, "Trap trace register accesses"),
        BitField("E0POE", bit: 29, "Enable POR_EL0 at EL0"),
        BitField("TAM", bit: 30, "Trap Activity Monitor accesses"),
        BitField("TCPAC", bit: 31, "Trap EL1 CPACR_EL1 accesses"),
    ])

    /// CPTR_EL2 when HCR_EL2.E2H is 0 (bits [13], [9] and [7:0] are RES1).
    static let CPTR_EL2_E2H0 = FieldLayout([
        BitField("TZ", bit: 8, "Trap SVE accesses"),
        BitField("TFP", bit: 10, "Trap Advanced SIMD and floating-point accesses"),
        BitField("TSM", bit: 12, "Trap SME accesses"),
        BitField("TTA", bit: 20, "Trap trace register accesses"),
        BitField("TAM", bit: 30, "Trap Activity Monitor accesses"),
        BitField("TCPAC", bit: 31, "Trap EL1 CPACR_EL1 accesses"),
    ])

    /// CPACR_EL1, Architectural Feature Access Control Register.
    static let CPACR_EL1 = FieldLayout([
        BitField("ZEN", 17, 16, "SVE access enable", meanings: el1AccessEnable),
        BitField("FPEN", 21, 20, "Advanced SIMD and floating-point access enable", meanings: el1AccessEnable),
        BitField("SMEN", 25, 24, "SME access enable", meanings: el1AccessEnable),
        BitField("TTA", bit: 28, "Trap trace register accesses"),
        BitField("E0POE", bit: 29, "Enable POR_EL0 at EL0"),
    ])
}
