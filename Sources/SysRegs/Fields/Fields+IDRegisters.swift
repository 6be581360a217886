// ID registers: memory model, processor features, identification (Arm ARM DDI0487, D24.2 "ID_AA64MMFR0_EL1" ...
// "ID_AA64PFR1_EL1", "MIDR_EL1", "MPIDR_EL1"). Most fields are 4 bits and follow the ID scheme: higher
// values add features. Fields marked signed in the Arm ARM use 0b1111 for "not implemented".

extension FieldLayout {
    /// A 4-bit ID register field at bits [lsb+3:lsb].
    private static func id(
        _ name: String, _ lsb: Int, _ summary: String, _ meanings: [UInt128: String] = [:]
    )
        -> BitField
    {
        BitField(name, lsb + 3, lsb, summary, meanings: meanings)
    }

    /// The common "0b0000 not implemented, 0b0001 FEAT_x" pair.
    private static func feature(_ name: String) -> [UInt128: String] {
        [0b0000: "Not implemented", 0b0001: name]
    }

    private static let stage2Granule: [UInt128: String] = [
        0b0000: "As the stage 1 field", 0b0001: "Not supported at stage 2", 0b0010: "Supported at stage 2",
        0b0011: "Supported at stage 2 with 52-bit addresses",
    ]

    static let ID_AA64MMFR0_EL1 = FieldLayout([
        id(
            "PARange", 0, "Physical address range",
            [
                0b0000: "32 bits, 4GB", 0b0001: "36 bits, 64GB", 0b0010: "40 bits, 1TB", 0b0011: "42 bits, 4TB",
                0b0100: "44 bits, 16TB", 0b0101: "48 bits, 256TB", 0b0110: "52 bits, 4PB (FEAT_LPA)",
                0b0111: "56 bits, 64PB (FEAT_D128)",
            ]),
        id("ASIDBits", 4, "Number of ASID bits", [0b0000: "8 bits", 0b0010: "16 bits"]),
        id("BigEnd", 8, "Mixed-endian support", [0b0000: "Not supported", 0b0001: "Supported"]),
        id("SNSMem", 12, "Secure/Non-secure memory distinction", [0b0000: "Not supported", 0b0001: "Supported"]),
        id("BigEndEL0", 16, "Mixed-endian support at EL0 only", [0b0000: "Not supported", 0b0001: "Supported"]),
        id(
            "TGran16", 20, "16KB granule at stage 1",
            [0b0000: "Not supported", 0b0001: "Supported", 0b0010: "Supported with 52-bit addresses (FEAT_LPA2)"]),
        id("TGran64", 24, "64KB granule at stage 1 (signed)", [0b0000: "Supported", 0b1111: "Not supported"]),
        id(
            "TGran4", 28, "4KB granule at stage 1 (signed)",
            [
                0b0000: "Supported", 0b0001: "Supported with 52-bit addresses (FEAT_LPA2)",
                0b1111: "Not supported",
            ]),
        id("TGran16_2", 32, "16KB granule at stage 2", stage2Granule),
        id("TGran64_2", 36, "64KB granule at stage 2", stage2Granule),
        id("TGran4_2", 40, "4KB granule at stage 2", stage2Granule),
        id(
            "ExS", 44, "Non-context-synchronizing exception entry and exit",
            [0b0000: "Not supported", 0b0001: "FEAT_ExS"]),
        id("FGT", 56, "Fine-Grained Traps", [0b0000: "Not implemented", 0b0001: "FEAT_FGT", 0b0010: "FEAT_FGT2"]),
        id(
            "ECV", 60, "Enhanced Counter Virtualization",
            [0b0000: "Not implemented", 0b0001: "FEAT_ECV", 0b0010: "FEAT_ECV with CNTHCTL_EL2.ECV and CNTPOFF_EL2"]),
    ])

    static let ID_AA64MMFR1_EL1 = FieldLayout([
        id(
            "HAFDBS", 0, "Hardware Access flag and dirty state updates",
            [
                0b0000: "Not supported", 0b0001: "Access flag (FEAT_HAFDBS)", 0b0010: "Access flag and dirty state",
                0b0011: "As 0b0010 plus table Access flag (FEAT_HAFT)", 0b0100: "As 0b0011 plus FEAT_HDBSS",
            ]),
        id("VMIDBits", 4, "Number of VMID bits", [0b0000: "8 bits", 0b0010: "16 bits (FEAT_VMID16)"]),
        id("VH", 8, "Virtualization Host Extensions", feature("FEAT_VHE")),
        id(
            "HPDS", 12, "Hierarchical Permission Disables",
            [0b0000: "Not implemented", 0b0001: "FEAT_HPDS", 0b0010: "FEAT_HPDS2"]),
        id("LO", 16, "LORegions", feature("FEAT_LOR")),
        id(
            "PAN", 20, "Privileged Access Never",
            [0b0000: "Not implemented", 0b0001: "FEAT_PAN", 0b0010: "FEAT_PAN2", 0b0011: "FEAT_PAN3"]),
        id(
            "SpecSEI", 24, "SError from speculative reads",
            [0b0000: "Never generated", 0b0001: "Might be generated"]),
        id("XNX", 28, "Stage 2 execute-never by EL", feature("FEAT_XNX")),
        id("TWED", 32, "Delayed trapping of WFE", feature("FEAT_TWED")),
        id(
            "ETS", 36, "Enhanced Translation Synchronization",
            [0b0000: "Not implemented", 0b0001: "FEAT_ETS (deprecated)", 0b0010: "FEAT_ETS2", 0b0011: "FEAT_ETS3"]),
        id("HCX", 40, "HCRX_EL2", feature("FEAT_HCX")),
        id("AFP", 44, "FPCR.{AH, FIZ, NEP}", feature("FEAT_AFP")),
        id("nTLBPA", 48, "No intermediate caching of non-coherent walk entries", feature("FEAT_nTLBPA")),
        id("TIDCP1", 52, "SCTLR_ELx.TIDCP", feature("FEAT_TIDCP1")),
        id("CMOW", 56, "Cache maintenance needs write permission", feature("FEAT_CMOW")),
        id("ECBHB", 60, "Branch history restriction around exceptions", feature("FEAT_ECBHB")),
    ])

    static let ID_AA64MMFR2_EL1 = FieldLayout([
        id("CnP", 0, "Common not Private translations", feature("FEAT_TTCNP")),
        id("UAO", 4, "User Access Override", feature("FEAT_UAO")),
        id("LSM", 8, "SCTLR_ELx.{LSMAOE, nTLSMD}", feature("FEAT_LSMAOC")),
        id("IESB", 12, "SCTLR_ELx.IESB", feature("FEAT_IESB")),
        id(
            "VARange", 16, "Virtual address range",
            [0b0000: "48 bits", 0b0001: "52 bits (FEAT_LVA)", 0b0010: "56 bits (FEAT_LVA3)"]),
        id("CCIDX", 20, "64-bit CCSIDR_EL1 format", feature("FEAT_CCIDX")),
        id("NV", 24, "Nested Virtualization", [0b0000: "Not implemented", 0b0001: "FEAT_NV", 0b0010: "FEAT_NV2"]),
        id("ST", 28, "Small translation tables", feature("FEAT_TTST")),
        id("AT", 32, "Unaligned single-copy atomicity", feature("FEAT_LSE2")),
        id(
            "IDS", 36, "EC reported for ID space traps",
            [0b0000: "EC 0x00 (Unknown reason)", 0b0001: "EC 0x18 (FEAT_IDST)"]),
        id("FWB", 40, "HCR_EL2.FWB", feature("FEAT_S2FWB")),
        id("TTL", 48, "TTL hint in TLB maintenance", feature("FEAT_TTL")),
        id(
            "BBM", 52, "Break-before-make requirement when changing block size (FEAT_BBM)",
            [0b0000: "Level 0", 0b0001: "Level 1", 0b0010: "Level 2"]),
        id(
            "EVT", 56, "Enhanced Virtualization Traps",
            [0b0000: "Not implemented", 0b0001: "TOCU, TICAB, TID4 traps", 0b0010: "Also TTLBOS, TTLBIS (FEAT_EVT)"]),
        id("E0PD", 60, "TCR_ELx.E0PDn", feature("FEAT_E0PD")),
    ])

    static let ID_AA64MMFR3_EL1 = FieldLayout([
        id("TCRX", 0, "TCR2_ELx", feature("FEAT_TCR2")),
        id("SCTLRX", 4, "SCTLR2_ELx", feature("FEAT_SCTLR2")),
        id("S1PIE", 8, "Stage 1 Permission Indirection", feature("FEAT_S1PIE")),
        id("S2PIE", 12, "Stage 2 Permission Indirection", feature("FEAT_S2PIE")),
        id("S1POE", 16, "Stage 1 Permission Overlay", feature("FEAT_S1POE")),
        id("S2POE", 20, "Stage 2 Permission Overlay", feature("FEAT_S2POE")),
        id("AIE", 24, "Attribute Index Enhancement", feature("FEAT_AIE")),
        id("MEC", 28, "Memory Encryption Contexts", feature("FEAT_MEC")),
        id("D128", 32, "128-bit translation table descriptors", feature("FEAT_D128")),
        id("D128_2", 36, "128-bit descriptors at stage 2"),
        id("SNERR", 40, "Synchronous Normal memory error exceptions"),
        id("ANERR", 44, "Asynchronous Normal memory error exceptions"),
        id("SDERR", 52, "Synchronous Device memory error exceptions"),
        id("ADERR", 56, "Asynchronous Device memory error exceptions"),
        id("Spec_FPACC", 60, "Speculation after PAC authentication failure"),
    ])

    static let ID_AA64MMFR4_EL1 = FieldLayout([
        id("PoPS", 0, "DC CIVAPS to the Point of Physical Storage", feature("FEAT_PoPS")),
        id("EIESB", 4, "Early Implicit Error Synchronization event"),
        id("ASID2", 8, "Concurrent use of two ASIDs", feature("FEAT_ASID2")),
        id("HACDBS", 12, "Hardware accelerator for cleaning dirty state", feature("FEAT_HACDBS")),
        id("FGWTE3", 16, "Fine-grained write traps at EL3", feature("FEAT_FGWTE3")),
        id(
            "NV_frac", 20, "Subset of FEAT_NV/FEAT_NV2 behaviours",
            [
                0b0000: "As ID_AA64MMFR2_EL1.NV", 0b0001: "FEAT_NV2 with restrictions (see Arm ARM)",
                0b0010: "As 0b0001 plus stateful _EL1 bits (FEAT_NV2p1)",
            ]),
        id(
            "E2H0", 24, "HCR_EL2.E2H programmable (signed)",
            [
                0b0000: "FEAT_E2H0 implemented", 0b1110: "FEAT_E2H0 not implemented; HCR_EL2.NV1 is RES0",
                0b1111: "FEAT_E2H0 not implemented",
            ]),
        id("RMEGDI", 28, "RME Granular Data Isolation", feature("FEAT_RME_GDI")),
        id("E3DSE", 36, "Delegated SError exceptions from EL3", feature("FEAT_E3DSE")),
        id("SRMASK", 44, "Bitwise write masks for control registers", feature("FEAT_SRMASK")),
    ])

    private static let exceptionLevel: [UInt128: String] = [
        0b0000: "Not implemented", 0b0001: "AArch64 only", 0b0010: "AArch64 and AArch32",
    ]
    private static let floatingPoint: [UInt128: String] = [
        0b0000: "Implemented", 0b0001: "Implemented with half-precision", 0b1111: "Not implemented",
    ]

    static let ID_AA64PFR0_EL1 = FieldLayout([
        id("EL0", 0, "EL0 Execution states", exceptionLevel),
        id("EL1", 4, "EL1 Execution states", exceptionLevel),
        id("EL2", 8, "EL2 Execution states", exceptionLevel),
        id("EL3", 12, "EL3 Execution states", exceptionLevel),
        id("FP", 16, "Floating-point (signed)", floatingPoint),
        id("AdvSIMD", 20, "Advanced SIMD (signed)", floatingPoint),
        id(
            "GIC", 24, "GIC CPU interface system registers",
            [0b0000: "Not implemented", 0b0001: "GICv3 or GICv4", 0b0011: "GICv4.1"]),
        id(
            "RAS", 28, "RAS Extension version",
            [0b0000: "Not implemented", 0b0001: "FEAT_RAS", 0b0010: "FEAT_RASv1p1", 0b0011: "FEAT_RASv2"]),
        id("SVE", 32, "Scalable Vector Extension", feature("FEAT_SVE")),
        id("SEL2", 36, "Secure EL2", feature("FEAT_SEL2")),
        id("MPAM", 40, "MPAM major version (with MPAM_frac)"),
        id("AMU", 44, "Activity Monitors", [0b0000: "Not implemented", 0b0001: "FEAT_AMUv1", 0b0010: "FEAT_AMUv1p1"]),
        id("DIT", 48, "Data Independent Timing", feature("FEAT_DIT")),
        id("RME", 52, "Realm Management Extension", feature("FEAT_RME")),
        id(
            "CSV2", 56, "Speculative use of out-of-context branch targets",
            [0b0000: "Not implemented", 0b0001: "FEAT_CSV2", 0b0010: "FEAT_CSV2_2", 0b0011: "FEAT_CSV2_3"]),
        id("CSV3", 60, "Speculative use of faulting data", feature("FEAT_CSV3")),
    ])

    static let ID_AA64PFR1_EL1 = FieldLayout([
        id("BT", 0, "Branch Target Identification", feature("FEAT_BTI")),
        id(
            "SSBS", 4, "Speculative Store Bypass Safe",
            [0b0000: "Not implemented", 0b0001: "FEAT_SSBS", 0b0010: "FEAT_SSBS2"]),
        id(
            "MTE", 8, "Memory Tagging Extension",
            [0b0000: "Not implemented", 0b0001: "FEAT_MTE", 0b0010: "FEAT_MTE2", 0b0011: "FEAT_MTE3"]),
        id("RAS_frac", 12, "RAS fractional version", [0b0000: "As RAS", 0b0001: "FEAT_RASv1p1"]),
        id("MPAM_frac", 16, "MPAM minor version"),
        id(
            "SME", 24, "Scalable Matrix Extension",
            [0b0000: "Not implemented", 0b0001: "FEAT_SME", 0b0010: "FEAT_SME2"]),
        id("RNDR_trap", 28, "RNDR trap to EL3", feature("FEAT_RNG_TRAP")),
        id(
            "CSV2_frac", 32, "CSV2 fractional version",
            [0b0000: "As CSV2", 0b0001: "FEAT_CSV2_1p1", 0b0010: "FEAT_CSV2_1p2"]),
        id("NMI", 36, "Non-maskable interrupts", feature("FEAT_NMI")),
        id(
            "MTE_frac", 40, "Asynchronous Tag Check Fault reporting (signed)",
            [0b0000: "Supported (FEAT_MTE_ASYNC)", 0b1111: "Not supported"]),
        id("GCS", 44, "Guarded Control Stack", feature("FEAT_GCS")),
        id("THE", 48, "Translation Hardening Extension", feature("FEAT_THE")),
        id("MTEX", 52, "Additional MTE tag checking modes"),
        id("DF2", 56, "Error exception routing extensions", feature("FEAT_DoubleFault2")),
        id("PFAR", 60, "Physical fault address registers", feature("FEAT_PFAR")),
    ])

    /// MIDR_EL1, Main ID Register.
    static let MIDR_EL1 = FieldLayout([
        BitField("Revision", 3, 0, "Revision number"),
        BitField("PartNum", 15, 4, "Primary part number"),
        BitField("Architecture", 19, 16, "Architecture", meanings: [0b1111: "Individual ID registers"]),
        BitField("Variant", 23, 20, "Variant (major revision)"),
        BitField(
            "Implementer", 31, 24, "Implementer code",
            meanings: [
                0x41: "Arm Limited", 0x42: "Broadcom", 0x43: "Cavium", 0x46: "Fujitsu", 0x48: "HiSilicon",
                0x4E: "NVIDIA", 0x51: "Qualcomm", 0x61: "Apple", 0xC0: "Ampere",
            ]),
    ])

    /// MPIDR_EL1, Multiprocessor Affinity Register (bit 31 is RES1).
    static let MPIDR_EL1 = FieldLayout([
        BitField("Aff0", 7, 0, "Affinity level 0"),
        BitField("Aff1", 15, 8, "Affinity level 1"),
        BitField("Aff2", 23, 16, "Affinity level 2"),
        BitField("MT", bit: 24, "Lowest affinity level is multithreaded"),
        BitField("U", bit: 30, "Uniprocessor system"),
        BitField("Aff3", 39, 32, "Affinity level 3"),
    ])
}
