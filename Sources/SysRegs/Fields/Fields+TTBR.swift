// Translation table base registers and VNCR_EL2 (Arm ARM DDI0487, D24.2 "VTTBR_EL2", "TTBR0_EL1", "VNCR_EL2").

extension FieldLayout {
    /// VTTBR_EL2 in its 64-bit format (VTCR_EL2.D128 == 0). The 128-bit FEAT_D128 format is not decoded:
    /// its upper half stays undescribed. With FEAT_LPA/LPA2, BADDR bits [5:2] carry address bits [51:48].
    static let VTTBR_EL2 = FieldLayout([
        BitField("CnP", bit: 0, "Common not Private"),
        BitField("BADDR", 47, 1, "Stage 2 translation table base address"),
        BitField("VMID", 63, 48, "Virtual Machine Identifier (bits [63:56] RES0 with 8-bit VMIDs)"),
    ])

    /// TTBR0_EL1 and TTBR1_EL1 in their 64-bit format (TCR2_EL1.D128 == 0).
    static let TTBRn_EL1 = FieldLayout([
        BitField("CnP", bit: 0, "Common not Private"),
        BitField("BADDR", 47, 1, "Translation table base address"),
        BitField("ASID", 63, 48, "Address Space Identifier"),
    ])

    /// VNCR_EL2, Virtual Nested Control Register (FEAT_NV2): where EL1 register accesses are redirected.
    static let VNCR_EL2 = FieldLayout([
        BitField("BADDR", 56, 12, "Base address of the 4KB VNCR page, bits [56:12]"),
        BitField("RESS", 63, 57, "Sign extension of BADDR"),
    ])
}
