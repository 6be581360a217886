/// Cache identification and selection. CCSIDR_EL1 is not a sysreg id in ONE_REG: KVM exposes one
/// 32-bit value per CSSELR_EL1 setting through the demux group (api.rst 4.68, "arm64 CCSIDR
/// registers are demultiplexed by CSSELR value"). The 14 selectors KVM lists are (level-1) * 2 + InD
/// for levels 1..7, data/unified and instruction.
extension RegisterTable {
    static let cacheRegisters: [RegisterDescriptor] = rows(
        family(0...13) { n in .ccsidr(csselr: UInt8(n)) },
        [
            .reg("CLIDR_EL1", (3, 1, 0, 0, 1), group: .cache, reset: .host),
            .el1("CSSELR_EL1", (3, 2, 0, 0, 0), group: .cache),
            .reg("CTR_EL0", (3, 3, 0, 0, 1), group: .cache, reset: .host),
        ])
}
