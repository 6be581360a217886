// PAR_EL1, Physical Address Register (Arm ARM DDI0487, D24.2 "PAR_EL1").
//
// PAR_EL1 has four layouts: success (F == 0) or fault (F == 1), each in a 64-bit format or, with FEAT_D128,
// a 128-bit format flagged by bit 64 (D128). The fault layouts differ only in IMPLEMENTATION DEFINED bits, so
// the catalog holds three: "PAR_EL1" (64-bit success), "PAR_EL1.D128" (128-bit success) and "PAR_EL1.F1".
// `FieldCatalog.decodePAR_EL1` picks the right one.

extension FieldLayout {
    private static let parShareability: [UInt128: String] = [
        0b00: "Non-shareable", 0b10: "Outer Shareable", 0b11: "Inner Shareable",
    ]
    private static let parFormat: [UInt128: String] = [0: "64-bit format", 1: "128-bit format"]

    /// Fault status codes reported in PAR_EL1.FST (the Data Abort DFSC encoding).
    static let parFaultStatus: [UInt128: String] = [
        0b000000: "Address size fault, level 0 or translation table base register",
        0b000001: "Address size fault, level 1",
        0b000010: "Address size fault, level 2",
        0b000011: "Address size fault, level 3",
        0b000100: "Translation fault, level 0",
        0b000101: "Translation fault, level 1",
        0b000110: "Translation fault, level 2",
        0b000111: "Translation fault, level 3",
        0b001000: "Access flag fault, level 0",
        0b001001: "Access flag fault, level 1",
        0b001010: "Access flag fault, level 2",
        0b001011: "Access flag fault, level 3",
        0b001100: "Permission fault, level 0",
        0b001101: "Permission fault, level 1",
        0b001110: "Permission fault, level 2",
        0b001111: "Permission fault, level 3",
        0b010000: "Synchronous External abort, not on translation table walk",
        0b010100: "Synchronous External abort on translation table walk, level 0",
        0b010101: "Synchronous External abort on translation table walk, level 1",
        0b010110: "Synchronous External abort on translation table walk, level 2",
        0b010111: "Synchronous External abort on translation table walk, level 3",
        0b011011: "Synchronous parity or ECC error on translation table walk, level -1",
        0b011100: "Synchronous parity or ECC error on translation table walk, level 0",
        0b011101: "Synchronous parity or ECC error on translation table walk, level 1",
        0b011110: "Synchronous parity or ECC error on translation table walk, level 2",
        0b011111: "Synchronous parity or ECC error on translation table walk, level 3",
        0b100010: "Granule Protection Fault on translation table walk, level -2",
        0b100011: "Granule Protection Fault on translation table walk, level -1",
        0b100100: "Granule Protection Fault on translation table walk, level 0",
        0b100101: "Granule Protection Fault on translation table walk, level 1",
        0b100110: "Granule Protection Fault on translation table walk, level 2",
        0b100111: "Granule Protection Fault on translation table walk, level 3",
        0b101000: "Granule Protection Fault, not on translation table walk",
        0b101001: "Address size fault, level -1",
        0b101010: "Translation fault, level -2",
        0b101011: "Translation fault, level -1",
        0b101100: "Address size fault, level -2",
        0b110000: "TLB conflict abort",
        0b110001: "Unsupported atomic hardware update fault",
        0b111101: "Section Domain fault (AArch32 short-descriptor)",
        0b111110: "Page Domain fault (AArch32 short-descriptor)",
    ]

    /// PAR_EL1 after a successful translation, 64-bit format.
    static let PAR_EL1 = FieldLayout([
        BitField("F", bit: 0, "Translation aborted", meanings: [0: "Translation succeeded"]),
        BitField("SH", 8, 7, "Shareability of the output address", meanings: parShareability),
        BitField("NS", bit: 9, "Non-secure attribute of the output address"),
        BitField("NSE", bit: 11, "NSE attribute (EL3 regime, FEAT_RME)"),
        BitField("PA[47:12]", 47, 12, "Output address bits [47:12]"),
        BitField("PA[51:48]", 51, 48, "Output address bits [51:48] (FEAT_LPA)"),
        BitField("ATTR", 63, 56, "Memory attributes, MAIR_ELx Attr<n> encoding"),
        BitField("D128", bit: 64, "Register format", meanings: parFormat),
    ])

    /// PAR_EL1 after a successful translation, 128-bit format (FEAT_D128, D128 == 1).
    static let PAR_EL1_D128 = FieldLayout([
        BitField("F", bit: 0, "Translation aborted", meanings: [0: "Translation succeeded"]),
        BitField("SH", 8, 7, "Shareability of the output address", meanings: parShareability),
        BitField("NS", bit: 9, "Non-secure attribute of the output address"),
        BitField("NSE", bit: 11, "NSE attribute (EL3 regime, FEAT_RME)"),
        BitField("ATTR", 63, 56, "Memory attributes, MAIR_ELx Attr<n> encoding"),
        BitField("D128", bit: 64, "Register format", meanings: parFormat),
        BitField("PA", 119, 76, "Output address bits [55:12]"),
    ])

    /// PAR_EL1 after a faulting translation (F == 1), either format.
    static let PAR_EL1_F1 = FieldLayout([
        BitField("F", bit: 0, "Translation aborted", meanings: [1: "Translation aborted"]),
        BitField("FST", 6, 1, "Fault status code", meanings: parFaultStatus),
        BitField("PTW", bit: 8, "Stage 2 fault during a stage 1 table walk"),
        BitField("S", bit: 9, "Stage of the fault", meanings: [0: "Stage 1", 1: "Stage 2"]),
        BitField("AssuredOnly", bit: 12, "Fault due to AssuredOnly (FEAT_THE)"),
        BitField("TopLevel", bit: 13, "Fault due to TopLevel (FEAT_THE)"),
        BitField("Overlay", bit: 14, "Fault due to Overlay permissions"),
        BitField("DirtyBit", bit: 15, "Permission fault due to dirty state"),
        BitField("D128", bit: 64, "Register format", meanings: parFormat),
    ])
}

extension FieldCatalog {
    /// Decodes a PAR_EL1 value with the layout its F and D128 bits select.
    public static func decodePAR_EL1(_ value: UInt128) -> [DecodedField] {
        let failed = value & 1 == 1
        let is128 = (value >> 64) & 1 == 1
        let layout: FieldLayout = failed ? .PAR_EL1_F1 : (is128 ? .PAR_EL1_D128 : .PAR_EL1)
        return layout.decode(value)
    }
}
