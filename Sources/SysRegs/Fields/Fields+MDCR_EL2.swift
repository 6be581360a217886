// MDCR_EL2, Monitor Debug Configuration Register (EL2) (Arm ARM DDI0487, D24.2 "MDCR_EL2").

extension FieldLayout {
    private static let bufferOwner: [UInt128: String] = [
        0b00: "Owned by EL2; EL1 accesses trap",
        0b10: "Owned by EL1&0; EL1 accesses trap",
        0b11: "Owned by EL1&0; EL1 accesses do not trap",
    ]

    /// MDCR_EL2: debug, PMU, SPE and trace controls for the EL1&0 regime.
    static let MDCR_EL2 = FieldLayout([
        BitField("HPMN", 4, 0, "Number of event counters accessible from EL1 and EL0"),
        BitField("TPMCR", bit: 5, "Trap PMCR_EL0 accesses"),
        BitField("TPM", bit: 6, "Trap Performance Monitors accesses"),
        BitField("HPME", bit: 7, "Enable the EL2-reserved event counters"),
        BitField("TDE", bit: 8, "Route debug exceptions to EL2"),
        BitField("TDA", bit: 9, "Trap debug register accesses"),
        BitField("TDOSA", bit: 10, "Trap OS-related debug register accesses"),
        BitField("TDRA", bit: 11, "Trap Debug ROM address register accesses"),
        BitField("E2PB", 13, 12, "EL2 Profiling Buffer ownership and trap", meanings: bufferOwner),
        BitField("TPMS", bit: 14, "Trap Statistical Profiling register accesses"),
        BitField("EnSPM", bit: 15, "Enable System PMU register access"),
        BitField("HPMD", bit: 17, "Prohibit event counting at EL2"),
        BitField("TTRF", bit: 19, "Trap Trace Filter Control register accesses"),
        BitField("HCCD", bit: 23, "Prohibit cycle counting at EL2"),
        BitField("E2TB", 25, 24, "EL2 Trace Buffer ownership and trap", meanings: bufferOwner),
        BitField("HLP", bit: 26, "EL2-reserved event counters overflow at 64 bits"),
        BitField("TDCC", bit: 27, "Trap Debug Comms Channel accesses"),
        BitField("MTPME", bit: 28, "Multi-threaded PMU enable"),
        BitField("HPMFZO", bit: 29, "Freeze EL2-reserved counters on overflow"),
        BitField("PMSSE", 31, 30, "Performance Monitors Snapshot enable"),
        BitField("HPMFZS", bit: 36, "Freeze EL2-reserved counters on SPE event"),
        BitField("PMEE", 41, 40, "Performance Monitors exception enable"),
        BitField("EBWE", bit: 43, "Extended breakpoint and watchpoint enable"),
        BitField("EnSTEPOP", bit: 50, "Enable MDSTEPOP_EL1 step operations"),
    ])
}
