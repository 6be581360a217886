/// Identification registers: MIDR_EL1, MPIDR_EL1, REVIDR_EL1, AIDR_EL1 and the whole feature ID
/// space (op0, op1, CRn, CRm) = (3, 0, 0, 1..7), Arm ARM D23.3 "Identification registers".
///
/// KVM lists every encoding of that space, allocated or not, so that userspace can save and restore
/// the guest's view without knowing which ones the kernel understands. The Arm ARM gives the
/// unallocated encodings no names: it describes them as reserved, RAZ ("Reserved, RAZ" rows of the
/// op0 == 0b11 encoding table, C5.3). We name them `ID_RESERVED_<CRn>_<CRm>_<op2>` (decimal; op0 = 3
/// and op1 = 0 implied), so a name never pretends to an allocation the architecture has not made and
/// the spelling stays grep-able. When the Arm ARM allocates one, rename it here and in the golden dump.
extension RegisterTable {
    static let idRegisters: [RegisterDescriptor] = [
        .id("MIDR_EL1", (3, 0, 0, 0, 0)),
        // KVM derives MPIDR_EL1 from the vCPU index, not from the host.
        .id("MPIDR_EL1", (3, 0, 0, 0, 5)),
        .id("REVIDR_EL1", (3, 0, 0, 0, 6)),
        // CRm = 1..3: AArch32 feature registers.
        .id("ID_PFR0_EL1", (3, 0, 0, 1, 0)),
        .id("ID_PFR1_EL1", (3, 0, 0, 1, 1)),
        .id("ID_DFR0_EL1", (3, 0, 0, 1, 2)),
        .id("ID_AFR0_EL1", (3, 0, 0, 1, 3)),
        .id("ID_MMFR0_EL1", (3, 0, 0, 1, 4)),
        .id("ID_MMFR1_EL1", (3, 0, 0, 1, 5)),
        .id("ID_MMFR2_EL1", (3, 0, 0, 1, 6)),
        .id("ID_MMFR3_EL1", (3, 0, 0, 1, 7)),
        .id("ID_ISAR0_EL1", (3, 0, 0, 2, 0)),
        .id("ID_ISAR1_EL1", (3, 0, 0, 2, 1)),
        .id("ID_ISAR2_EL1", (3, 0, 0, 2, 2)),
        .id("ID_ISAR3_EL1", (3, 0, 0, 2, 3)),
        .id("ID_ISAR4_EL1", (3, 0, 0, 2, 4)),
        .id("ID_ISAR5_EL1", (3, 0, 0, 2, 5)),
        .id("ID_MMFR4_EL1", (3, 0, 0, 2, 6)),
        .id("ID_ISAR6_EL1", (3, 0, 0, 2, 7)),
        .id("MVFR0_EL1", (3, 0, 0, 3, 0)),
        .id("MVFR1_EL1", (3, 0, 0, 3, 1)),
        .id("MVFR2_EL1", (3, 0, 0, 3, 2)),
        .id("ID_RESERVED_0_3_3", (3, 0, 0, 3, 3)),
        .id("ID_PFR2_EL1", (3, 0, 0, 3, 4)),
        .id("ID_DFR1_EL1", (3, 0, 0, 3, 5)),
        .id("ID_MMFR5_EL1", (3, 0, 0, 3, 6)),
        .id("ID_RESERVED_0_3_7", (3, 0, 0, 3, 7)),
        // CRm = 4..7: AArch64 feature registers.
        .id("ID_AA64PFR0_EL1", (3, 0, 0, 4, 0)),
        .id("ID_AA64PFR1_EL1", (3, 0, 0, 4, 1)),
        .id("ID_AA64PFR2_EL1", (3, 0, 0, 4, 2)),
        .id("ID_RESERVED_0_4_3", (3, 0, 0, 4, 3)),
        .id("ID_AA64ZFR0_EL1", (3, 0, 0, 4, 4)),
        .id("ID_AA64SMFR0_EL1", (3, 0, 0, 4, 5)),
        .id("ID_RESERVED_0_4_6", (3, 0, 0, 4, 6)),
        .id("ID_AA64FPFR0_EL1", (3, 0, 0, 4, 7)),
        .id("ID_AA64DFR0_EL1", (3, 0, 0, 5, 0)),
        .id("ID_AA64DFR1_EL1", (3, 0, 0, 5, 1)),
        .id("ID_AA64DFR2_EL1", (3, 0, 0, 5, 2)),
        .id("ID_RESERVED_0_5_3", (3, 0, 0, 5, 3)),
        .id("ID_AA64AFR0_EL1", (3, 0, 0, 5, 4)),
        .id("ID_AA64AFR1_EL1", (3, 0, 0, 5, 5)),
        .id("ID_RESERVED_0_5_6", (3, 0, 0, 5, 6)),
        .id("ID_RESERVED_0_5_7", (3, 0, 0, 5, 7)),
        .id("ID_AA64ISAR0_EL1", (3, 0, 0, 6, 0)),
        .id("ID_AA64ISAR1_EL1", (3, 0, 0, 6, 1)),
        .id("ID_AA64ISAR2_EL1", (3, 0, 0, 6, 2)),
        .id("ID_AA64ISAR3_EL1", (3, 0, 0, 6, 3)),
        .id("ID_RESERVED_0_6_4", (3, 0, 0, 6, 4)),
        .id("ID_RESERVED_0_6_5", (3, 0, 0, 6, 5)),
        .id("ID_RESERVED_0_6_6", (3, 0, 0, 6, 6)),
        .id("ID_RESERVED_0_6_7", (3, 0, 0, 6, 7)),
        .id("ID_AA64MMFR0_EL1", (3, 0, 0, 7, 0)),
        .id("ID_AA64MMFR1_EL1", (3, 0, 0, 7, 1)),
        .id("ID_AA64MMFR2_EL1", (3, 0, 0, 7, 2)),
        .id("ID_AA64MMFR3_EL1", (3, 0, 0, 7, 3)),
        .id("ID_AA64MMFR4_EL1", (3, 0, 0, 7, 4)),
        .id("ID_RESERVED_0_7_5", (3, 0, 0, 7, 5)),
        .id("ID_RESERVED_0_7_6", (3, 0, 0, 7, 6)),
        .id("ID_RESERVED_0_7_7", (3, 0, 0, 7, 7)),
        .id("AIDR_EL1", (3, 1, 0, 0, 7)),
        // DCZID_EL0 is computed from the host's at every read; KVM does not list it.
        .id("DCZID_EL0", (3, 3, 0, 0, 7), visibility: .notListed),
    ]
}
