// TCR_EL1 and TCR_EL2 (Arm ARM DDI0487, D24.2 "TCR_EL1", "TCR_EL2"); the encodings are shared with VTCR_EL2.

extension FieldLayout {
    /// Inner cacheability of translation table walks (IRGNn).
    static let walkInnerCacheability: [UInt128: String] = [
        0b00: "Normal Non-cacheable",
        0b01: "Write-Back Read-Allocate Write-Allocate",
        0b10: "Write-Through Read-Allocate No Write-Allocate",
        0b11: "Write-Back Read-Allocate No Write-Allocate",
    ]
    /// Outer cacheability of translation table walks (ORGNn); the same encoding.
    static let walkOuterCacheability = walkInnerCacheability

    /// Shareability of translation table walks (SHn).
    static let walkShareability: [UInt128: String] = [
        0b00: "Non-shareable", 0b10: "Outer Shareable", 0b11: "Inner Shareable",
    ]

    /// TG0 (and VTCR_EL2.TG0) granule encoding.
    static let granuleTG0: [UInt128: String] = [0b00: "4KB", 0b01: "64KB", 0b10: "16KB"]

    /// TG1 uses a different encoding from TG0.
    static let granuleTG1: [UInt128: String] = [0b01: "16KB", 0b10: "4KB", 0b11: "64KB"]

    /// Physical or intermediate physical address size (IPS, PS).
    static let addressSize: [UInt128: String] = [
        0b000: "32 bits, 4GB", 0b001: "36 bits, 64GB", 0b010: "40 bits, 1TB", 0b011: "42 bits, 4TB",
        0b100: "44 bits, 16TB", 0b101: "48 bits, 256TB", 0b110: "52 bits, 4PB", 0b111: "56 bits, 64PB",
    ]

    /// TCR_EL1, Translation Control Register (EL1).
    ///
    /// TCR_EL2 has this layout too when HCR_EL2.E2H is 1 (two VA ranges); see `TCR_EL2` for the E2H=0 view.
    static let TCR_EL1 = FieldLayout([
        BitField("T0SZ", 5, 0, "Size offset of the TTBR0 region: 2^(64-T0SZ) bytes"),
        BitField("EPD0", bit: 7, "Translation table walk disable for TTBR0"),
        BitField("IRGN0", 9, 8, "Inner cacheability of TTBR0 walks", meanings: walkInnerCacheability),
        BitField("ORGN0", 11, 10, "Outer cacheability of TTBR0 walks", meanings: walkOuterCacheability),
        BitField("SH0", 13, 12, "Shareability of TTBR0 walks", meanings: walkShareability),
        BitField("TG0", 15, 14, "TTBR0 granule size", meanings: granuleTG0),
        BitField("T1SZ", 21, 16, "Size offset of the TTBR1 region: 2^(64-T1SZ) bytes"),
        BitField("A1", bit: 22, "ASID comes from TTBR1 (1) or TTBR0 (0)"),
        BitField("EPD1", bit: 23, "Translation table walk disable for TTBR1"),
        BitField("IRGN1", 25, 24, "Inner cacheability of TTBR1 walks", meanings: walkInnerCacheability),
        BitField("ORGN1", 27, 26, "Outer cacheability of TTBR1 walks", meanings: walkOuterCacheability),
        BitField("SH1", 29, 28, "Shareability of TTBR1 walks", meanings: walkShareability),
        BitField("TG1", 31, 30, "TTBR1 granule size", meanings: granuleTG1),
        BitField("IPS", 34, 32, "Intermediate Physical Address Size", meanings: addressSize),
        BitField("AS", bit: 36, "ASID size", meanings: [0: "8 bit", 1: "16 bit"]),
        BitField("TBI0", bit: 37, "Top Byte Ignore for TTBR0 addresses"),
        BitField("TBI1", bit: 38, "Top Byte Ignore for TTBR1 addresses"),
        BitField("HA", bit: 39, "Hardware Access flag update"),
        BitField("HD", bit: 40, "Hardware management of dirty state"),
        BitField("HPD0", bit: 41, "Hierarchical Permission Disable for TTBR0"),
        BitField("HPD1", bit: 42, "Hierarchical Permission Disable for TTBR1"),
        BitField("HWU059", bit: 43, "Hardware use of bit 59 of TTBR0 descriptors"),
        BitField("HWU060", bit: 44, "Hardware use of bit 60 of TTBR0 descriptors"),
        BitField("HWU061", bit: 45, "Hardware use of bit 61 of TTBR0 descriptors"),
        BitField("HWU062", bit: 46, "Hardware use of bit 62 of TTBR0 descriptors"),
        BitField("HWU159", bit: 47, "Hardware use of bit 59 of TTBR1 descriptors"),
        BitField("HWU160", bit: 48, "Hardware use of bit 60 of TTBR1 descriptors"),
        BitField("HWU161", bit: 49, "Hardware use of bit 61 of TTBR1 descriptors"),
        BitField("HWU162", bit: 50, "Hardware use of bit 62 of TTBR1 descriptors"),
        BitField("TBID0", bit: 51, "Top Byte Ignore for data accesses only, TTBR0"),
        BitField("TBID1", bit: 52, "Top Byte Ignore for data accesses only, TTBR1"),
        BitField("NFD0", bit: 53, "Non-fault SVE accesses to TTBR0 fault on TLB miss"),
        BitField("NFD1", bit: 54, "Non-fault SVE accesses to TTBR1 fault on TLB miss"),
        BitField("E0PD0", bit: 55, "EL0 access to TTBR0 region faults"),
        BitField("E0PD1", bit: 56, "EL0 access to TTBR1 region faults"),
        BitField("TCMA0", bit: 57, "Unchecked accesses for tag 0b0000 in TTBR0 region"),
        BitField("TCMA1", bit: 58, "Unchecked accesses for tag 0b1111 in TTBR1 region"),
        BitField("DS", bit: 59, "52-bit output addresses with 4KB/16KB granules (FEAT_LPA2)"),
        BitField("MTX0", bit: 60, "Extended memory tag checking for TTBR0"),
        BitField("MTX1", bit: 61, "Extended memory tag checking for TTBR1"),
    ])

    /// TCR_EL2 when HCR_EL2.E2H is 0 (one VA range). With E2H=1, TCR_EL2 uses the `TCR_EL1` layout.
    static let TCR_EL2 = FieldLayout([
        BitField("T0SZ", 5, 0, "Size offset of the region: 2^(64-T0SZ) bytes"),
        BitField("IRGN0", 9, 8, "Inner cacheability of walks", meanings: walkInnerCacheability),
        BitField("ORGN0", 11, 10, "Outer cacheability of walks", meanings: walkOuterCacheability),
        BitField("SH0", 13, 12, "Shareability of walks", meanings: walkShareability),
        BitField("TG0", 15, 14, "Granule size", meanings: granuleTG0),
        BitField("PS", 18, 16, "Physical Address Size", meanings: addressSize),
        BitField("TBI", bit: 20, "Top Byte Ignore"),
        BitField("HA", bit: 21, "Hardware Access flag update"),
        BitField("HD", bit: 22, "Hardware management of dirty state"),
        BitField("HPD", bit: 24, "Hierarchical Permission Disable"),
        BitField("HWU59", bit: 25, "Hardware use of descriptor bit 59"),
        BitField("HWU60", bit: 26, "Hardware use of descriptor bit 60"),
        BitField("HWU61", bit: 27, "Hardware use of descriptor bit 61"),
        BitField("HWU62", bit: 28, "Hardware use of descriptor bit 62"),
        BitField("TBID", bit: 29, "Top Byte Ignore for data accesses only"),
        BitField("TCMA", bit: 30, "Unchecked accesses for tag 0b0000"),
        BitField("DS", bit: 32, "52-bit output addresses with 4KB/16KB granules (FEAT_LPA2)"),
        BitField("MTX", bit: 33, "Extended memory tag checking"),
    ])
}
