/// EL1 system registers (Arm ARM D23.2). VNCR offsets are those of the FEAT_NV2 page (Arm ARM D8.12,
/// Linux `vncr_mapping.h`): with NV2 a guest hypervisor's accesses to these become memory accesses.
///
/// SCTLR2_EL1, TCR2_EL1, PIRE0_EL1 and PIR_EL1 depend on FEAT_SCTLR2, FEAT_TCR2 and FEAT_S1PIE, which
/// the lab host (QEMU `-cpu max`) has, so KVM lists them there: they are `.always` to reproduce the
/// lab lists. POR_EL1 (FEAT_S1POE), SCXTNUM_EL1 and MPAM1_EL1 are not listed there.
extension RegisterTable {
    static let el1Registers: [RegisterDescriptor] = [
        // KVM's reset value: the RES1 bits of the original ARMv8.0 layout (EOS, EIS, TSCXT, ...),
        // MMU and caches off, little-endian.
        .el1("SCTLR_EL1", (3, 0, 1, 0, 0), vncr: 0x110, reset: .value(0x00C5_0078)),
        // Copied from the host's ACTLR_EL1.
        .el1("ACTLR_EL1", (3, 0, 1, 0, 1), vncr: 0x118, reset: .host),
        .el1("CPACR_EL1", (3, 0, 1, 0, 2), vncr: 0x100, reset: .value(0)),
        .el1("SCTLR2_EL1", (3, 0, 1, 0, 3)),
        .el1("ZCR_EL1", (3, 0, 1, 2, 0), vncr: 0x1E0, visibility: .feature(.sve)),
        // FEAT_D128: 128 bits wide, 16-byte VNCR slots; KVM transfers the low 64 bits today.
        .el1("TTBR0_EL1", (3, 0, 2, 0, 0), vncr: 0x200, width: .bits128),
        .el1("TTBR1_EL1", (3, 0, 2, 0, 1), vncr: 0x210, width: .bits128),
        .el1("TCR_EL1", (3, 0, 2, 0, 2), vncr: 0x120),
        .el1("TCR2_EL1", (3, 0, 2, 0, 3), vncr: 0x270, reset: .value(0)),
        .el1("AFSR0_EL1", (3, 0, 5, 1, 0), vncr: 0x128),
        .el1("AFSR1_EL1", (3, 0, 5, 1, 1), vncr: 0x130),
        .el1("ESR_EL1", (3, 0, 5, 2, 0), vncr: 0x138),
        .el1("FAR_EL1", (3, 0, 6, 0, 0), vncr: 0x220),
        // FEAT_D128 widens PAR_EL1 too, but it has no VNCR slot: accesses from vEL2 trap.
        .el1("PAR_EL1", (3, 0, 7, 4, 0), width: .bits128),
        .el1("MAIR_EL1", (3, 0, 10, 2, 0), vncr: 0x140),
        .el1("PIRE0_EL1", (3, 0, 10, 2, 2), vncr: 0x290),
        .el1("PIR_EL1", (3, 0, 10, 2, 3), vncr: 0x2A0),
        .el1("POR_EL1", (3, 0, 10, 2, 4), vncr: 0x2A8, visibility: .notListed),
        // Copied from the host's AMAIR_EL1.
        .el1("AMAIR_EL1", (3, 0, 10, 3, 0), vncr: 0x148, reset: .host),
        // FEAT_MPAM: KVM keeps the VNCR slot but gives the guest no MPAM, so nothing is listed.
        .el1("MPAM1_EL1", (3, 0, 10, 5, 0), vncr: 0x900, visibility: .notListed),
        .el1("VBAR_EL1", (3, 0, 12, 0, 0), vncr: 0x250, reset: .value(0)),
        .el1("DISR_EL1", (3, 0, 12, 1, 1), reset: .value(0)),
        .el1("CONTEXTIDR_EL1", (3, 0, 13, 0, 1), vncr: 0x108, reset: .value(0)),
        .el1("TPIDR_EL1", (3, 0, 13, 0, 4)),
        .el1("SCXTNUM_EL1", (3, 0, 13, 0, 7), vncr: 0x188, visibility: .notListed),
    ]
}
