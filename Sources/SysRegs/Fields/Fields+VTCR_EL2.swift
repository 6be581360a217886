// VTCR_EL2, Virtualization Translation Control Register (Arm ARM DDI0487, D24.2 "VTCR_EL2").

extension FieldLayout {
    /// VTCR_EL2: controls stage 2 of the EL1&0 translation regime. SL0's meaning depends on TG0, so its
    /// meanings name both cases.
    static let VTCR_EL2 = FieldLayout([
        BitField("T0SZ", 5, 0, "Size offset of the IPA space: 2^(64-T0SZ) bytes"),
        BitField(
            "SL0", 7, 6, "Starting level of the stage 2 walk (depends on TG0)",
            meanings: [
                0b00: "4KB: level 2; 16KB/64KB: level 3",
                0b01: "4KB: level 1; 16KB/64KB: level 2",
                0b10: "4KB: level 0; 16KB/64KB: level 1",
                0b11: "4KB: level 3 (FEAT_TTST); 16KB: level 0 (DS=1)",
            ]),
        BitField("IRGN0", 9, 8, "Inner cacheability of stage 2 walks", meanings: walkInnerCacheability),
        BitField("ORGN0", 11, 10, "Outer cacheability of stage 2 walks", meanings: walkOuterCacheability),
        BitField("SH0", 13, 12, "Shareability of stage 2 walks", meanings: walkShareability),
        BitField("TG0", 15, 14, "Stage 2 granule size", meanings: granuleTG0),
        BitField("PS", 18, 16, "Physical address size of the stage 2 output", meanings: addressSize),
        BitField("VS", bit: 19, "VMID size", meanings: [0: "8 bit", 1: "16 bit"]),
        BitField("HA", bit: 21, "Hardware Access flag update at stage 2"),
        BitField("HD", bit: 22, "Hardware management of dirty state at stage 2"),
        BitField("HWU59", bit: 25, "Hardware use of stage 2 descriptor bit 59"),
        BitField("HWU60", bit: 26, "Hardware use of stage 2 descriptor bit 60"),
        BitField("HWU61", bit: 27, "Hardware use of stage 2 descriptor bit 61"),
        BitField("HWU62", bit: 28, "Hardware use of stage 2 descriptor bit 62"),
        BitField("NSW", bit: 29, "Secure EL1&0 Non-secure IPA walks go to the Non-secure PA space"),
        BitField("NSA", bit: 30, "Secure EL1&0 Non-secure IPA output goes to the Non-secure PA space"),
        BitField("DS", bit: 32, "52-bit output addresses with 4KB/16KB granules (FEAT_LPA2)"),
        BitField("SL2", bit: 33, "Starting level extension with DS=1 and 4KB granule (level -1)"),
        BitField("AssuredOnly", bit: 34, "Descriptor bit 58 is the AssuredOnly attribute (FEAT_THE)"),
        BitField("TL1", bit: 35, "Check the TopLevel1 permission attribute"),
        BitField("S2PIE", bit: 36, "Stage 2 Permission Indirection enable", meanings: [0: "Direct", 1: "Indirect"]),
        BitField("S2POE", bit: 37, "Stage 2 Permission Overlay enable"),
        BitField("D128", bit: 38, "VMSAv9-128 (128-bit descriptors) at stage 2"),
        BitField("GCSH", bit: 40, "Privileged GCS accesses require AssuredOnly at stage 2"),
        BitField("TL0", bit: 41, "Check the TopLevel0 permission attribute"),
        BitField("HAFT", bit: 44, "Hardware Access flag for Table descriptors"),
        BitField("HDBSS", bit: 45, "Hardware Dirty state tracking Structure enable"),
    ])
}
