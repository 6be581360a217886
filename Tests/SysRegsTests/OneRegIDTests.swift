import Testing

@testable import SysRegs

/// Decoding ids, known and unknown, and finding ids by name.
@Suite struct OneRegIDTests {
    @Test(arguments: [
        ("HCR_EL2", 0x6030_0000_0013_E088 as UInt64),
        ("MIDR_EL1", 0x6030_0000_0013_C000),
        ("SP_EL2", 0x6030_0000_0013_F208),
        ("SPSR_EL2", 0x6030_0000_0013_E200),
        ("ELR_EL2", 0x6030_0000_0013_E201),
        ("VNCR_EL2", 0x6030_0000_0013_E110),
        ("CNTV_CVAL_EL0", 0x6030_0000_0013_DF02),
        ("CNTVCT_EL0", 0x6030_0000_0013_DF1A),
        ("CNTV_CTL_EL0", 0x6030_0000_0013_DF19),
        ("X0", 0x6030_0000_0010_0000),
        ("X30", 0x6030_0000_0010_003C),
        ("SP_EL0", 0x6030_0000_0010_003E),
        ("PC", 0x6030_0000_0010_0040),
        ("PSTATE", 0x6030_0000_0010_0042),
        ("SP_EL1", 0x6030_0000_0010_0044),
        ("ELR_EL1", 0x6030_0000_0010_0046),
        ("SPSR_EL1", 0x6030_0000_0010_0048),
        ("SPSR_FIQ", 0x6030_0000_0010_0050),
        ("V0", 0x6040_0000_0010_0054),
        ("V31", 0x6040_0000_0010_00D0),
        ("FPSR", 0x6020_0000_0010_00D4),
        ("FPCR", 0x6020_0000_0010_00D5),
        ("KVM_REG_ARM_PSCI_VERSION", 0x6030_0000_0014_0000),
        ("KVM_REG_ARM_VENDOR_HYP_BMAP_2", 0x6030_0000_0016_0003),
        ("CCSIDR_EL1[13]", 0x6020_0000_0011_000D),
        ("Z31", 0x6080_0000_0015_03E0),
        ("P15", 0x6050_0000_0015_05E0),
        ("FFR", 0x6050_0000_0015_0600),
        ("KVM_REG_ARM64_SVE_VLS", 0x6060_0000_0015_FFFF),
    ])
    func nameToID(name: String, raw: UInt64) throws {
        let d = try #require(RegisterTable.named(name))
        #expect(d.id == OneRegID(raw))
        #expect(RegisterTable.lookup(OneRegID(raw)) == .known(d))
    }

    @Test func namesAreCaseInsensitive() {
        #expect(RegisterTable.named("hcr_el2")?.id == OneRegID(0x6030_0000_0013_E088))
    }

    @Test func swappedTimerIDsStillResolveByEncoding() throws {
        let cval = try #require(RegisterTable.descriptor(for: SysRegEncoding(3, 3, 14, 3, 2)))
        #expect(cval.name == "CNTV_CVAL_EL0")
        #expect(RegisterTable.descriptor(for: .sysreg(SysRegEncoding(3, 3, 14, 3, 2)))?.name == "CNTVCT_EL0")
    }

    @Test func unknownSysregDecodesToTheGenericSpelling() {
        let lookup = RegisterTable.lookup(OneRegID(0x6030_0000_0013_FFFF))
        #expect(lookup.name == "S3_7_C15_C15_7")
        guard case .unknown(let u) = lookup else {
            Issue.record("S3_7_C15_C15_7 should be unknown")
            return
        }
        #expect(u.groupName == "sysreg")
        #expect(u.description == "S3_7_C15_C15_7 (0x603000000013ffff, 8 bytes, sysreg)")
    }

    @Test(arguments: [
        0x0000_0000_0000_0000 as UInt64,  // not arm64 at all
        0x4030_0000_0013_C000,  // x86-style arch field
        0x6030_0000_0FFF_1234,  // garbage coproc
        0x6FF0_0000_0ABC_FFFF,  // out-of-range size field
        0xFFFF_FFFF_FFFF_FFFF,
        0x6030_0000_0010_0001,  // core index between registers
    ])
    func arbitraryIDsDecodeWithoutTrapping(raw: UInt64) {
        let lookup = RegisterTable.lookup(OneRegID(raw))
        #expect(!lookup.name.isEmpty)
        if case .unknown(let u) = lookup { #expect(!u.description.isEmpty) }
    }

    @Test func structuralNamesOfUnknownIDs() {
        #expect(RegisterTable.lookup(OneRegID(0x0000_0000_0013_C000)).name == "non-arm64[0xc000]")
        #expect(RegisterTable.lookup(OneRegID(0x6030_0000_0FFF_1234)).name == "coproc-0xfff[0x1234]")
        #expect(RegisterTable.lookup(OneRegID(0x6030_0000_0010_0001)).name == "core[0x1]")
    }
}
