import Testing

@testable import SysRegs

/// VNCR page offsets against the kernel's layout (from Linux
/// `vncr_mapping.h`), written out row by row.
@Suite struct VNCRLayoutTests {
    static let reference: [(name: String, offset: Int)] =
        [
            ("VTTBR_EL2", 0x020), ("VTCR_EL2", 0x040), ("VMPIDR_EL2", 0x050), ("CNTVOFF_EL2", 0x060),
            ("HCR_EL2", 0x078), ("HSTR_EL2", 0x080), ("VPIDR_EL2", 0x088), ("TPIDR_EL2", 0x090),
            ("HCRX_EL2", 0x0A0), ("VNCR_EL2", 0x0B0), ("CPACR_EL1", 0x100), ("CONTEXTIDR_EL1", 0x108),
            ("SCTLR_EL1", 0x110), ("ACTLR_EL1", 0x118), ("TCR_EL1", 0x120), ("AFSR0_EL1", 0x128),
            ("AFSR1_EL1", 0x130), ("ESR_EL1", 0x138), ("MAIR_EL1", 0x140), ("AMAIR_EL1", 0x148),
            ("MDSCR_EL1", 0x158), ("SPSR_EL1", 0x160), ("CNTV_CVAL_EL0", 0x168), ("CNTV_CTL_EL0", 0x170),
            ("CNTP_CVAL_EL0", 0x178), ("CNTP_CTL_EL0", 0x180), ("SCXTNUM_EL1", 0x188), ("TFSR_EL1", 0x190),
            ("HDFGRTR2_EL2", 0x1A0), ("HDFGWTR2_EL2", 0x1B0), ("HFGRTR_EL2", 0x1B8), ("HFGWTR_EL2", 0x1C0),
            ("HFGITR_EL2", 0x1C8), ("HDFGRTR_EL2", 0x1D0), ("HDFGWTR_EL2", 0x1D8), ("ZCR_EL1", 0x1E0),
            ("HAFGRTR_EL2", 0x1E8), ("TTBR0_EL1", 0x200), ("TTBR1_EL1", 0x210), ("FAR_EL1", 0x220),
            ("ELR_EL1", 0x230), ("SP_EL1", 0x240), ("VBAR_EL1", 0x250), ("TCR2_EL1", 0x270),
            ("PIRE0_EL1", 0x290), ("PIR_EL1", 0x2A0), ("POR_EL1", 0x2A8), ("HFGRTR2_EL2", 0x2C0),
            ("HFGWTR2_EL2", 0x2C8), ("HFGITR2_EL2", 0x310),
            ("ICH_LR0_EL2", 0x400), ("ICH_LR1_EL2", 0x408), ("ICH_LR2_EL2", 0x410), ("ICH_LR3_EL2", 0x418),
            ("ICH_LR4_EL2", 0x420), ("ICH_LR5_EL2", 0x428), ("ICH_LR6_EL2", 0x430), ("ICH_LR7_EL2", 0x438),
            ("ICH_LR8_EL2", 0x440), ("ICH_LR9_EL2", 0x448), ("ICH_LR10_EL2", 0x450), ("ICH_LR11_EL2", 0x458),
            ("ICH_LR12_EL2", 0x460), ("ICH_LR13_EL2", 0x468), ("ICH_LR14_EL2", 0x470), ("ICH_LR15_EL2", 0x478),
            ("ICH_AP0R0_EL2", 0x480), ("ICH_AP0R1_EL2", 0x488), ("ICH_AP0R2_EL2", 0x490), ("ICH_AP0R3_EL2", 0x498),
            ("ICH_AP1R0_EL2", 0x4A0), ("ICH_AP1R1_EL2", 0x4A8), ("ICH_AP1R2_EL2", 0x4B0), ("ICH_AP1R3_EL2", 0x4B8),
            ("ICH_HCR_EL2", 0x4C0), ("ICH_VMCR_EL2", 0x4C8), ("VDISR_EL2", 0x500), ("VSESR_EL2", 0x508),
            ("PMBLIMITR_EL1", 0x800), ("PMBPTR_EL1", 0x810), ("PMBSR_EL1", 0x820), ("PMSCR_EL1", 0x828),
            ("PMSEVFR_EL1", 0x830), ("PMSICR_EL1", 0x838), ("PMSIRR_EL1", 0x840), ("PMSLATFR_EL1", 0x848),
            ("TRFCR_EL1", 0x880), ("MPAM1_EL1", 0x900), ("MPAMHCR_EL2", 0x930), ("MPAMVPMV_EL2", 0x938),
            ("MPAMVPM0_EL2", 0x940), ("MPAMVPM1_EL2", 0x948), ("MPAMVPM2_EL2", 0x950), ("MPAMVPM3_EL2", 0x958),
            ("MPAMVPM4_EL2", 0x960), ("MPAMVPM5_EL2", 0x968), ("MPAMVPM6_EL2", 0x970), ("MPAMVPM7_EL2", 0x978),
        ]

    @Test(arguments: reference.map(\.name))
    func offsetMatchesTheReference(name: String) throws {
        let expected = try #require(Self.reference.first { $0.name == name }).offset
        let d = try #require(RegisterTable.named(name), "\(name) missing from the table")
        let actual = d.vncrOffset.map(hexShort) ?? "none"
        #expect(d.vncrOffset == expected, "\(name): \(actual), want \(hexShort(expected))")
    }

    @Test func theTableHasNoVNCRSlotTheReferenceLacks() {
        let model = Set(RegisterTable.vncrLayout.map(\.name))
        let reference = Set(Self.reference.map(\.name))
        #expect(model == reference, "extra: \(model.subtracting(reference).sorted())")
        #expect(Self.reference.count == reference.count, "duplicate reference rows")
    }

    @Test func oneHundredTwentyEightBitSlots() throws {
        for name in ["VTTBR_EL2", "TTBR0_EL1", "TTBR1_EL1"] {
            #expect(try #require(RegisterTable.named(name)).width == .bits128)
        }
        let par = try #require(RegisterTable.named("PAR_EL1"))
        #expect(par.width == .bits128)
        #expect(par.vncrOffset == nil)
        for name in ["TTBR0_EL2", "TTBR1_EL2"] {
            let d = try #require(RegisterTable.named(name))
            #expect(d.width == .bits128)
            #expect(d.vncrOffset == nil)
        }
    }

    @Test func ichRegistersKeepGICStorageWithTheirSlot() throws {
        let lr15 = try #require(RegisterTable.named("ICH_LR15_EL2"))
        #expect(lr15.storage == .gicCPUInterface(vncr: 0x478))
        #expect(lr15.visibility == .el2)
        #expect(try #require(RegisterTable.named("ICH_VTR_EL2")).vncrOffset == nil)
    }
}
