/// The EL1 generic timer registers KVM exposes (Arm ARM D12 "The Generic Timer"). The EL2 timers
/// (CNTHP_*, CNTHV_*) and CNTVOFF_EL2, CNTHCTL_EL2 are in the EL2 table.
///
/// KVM's ONE_REG ids for CNTV_CVAL_EL0 and CNTVCT_EL0 were defined with each other's encodings
/// (KVM_REG_ARM_TIMER_CVAL is ARM64_SYS_REG(3,3,14,0,2), the encoding of CNTVCT_EL0, and
/// KVM_REG_ARM_TIMER_CNT is (3,3,14,3,2), that of CNTV_CVAL_EL0). The mistake is frozen ABI, so those
/// two rows pass the id KVM really uses and keep the architectural encoding; `descriptor(for: id)`
/// and `descriptor(for: encoding)` therefore both answer correctly.
extension RegisterTable {
    static let timerRegisters: [RegisterDescriptor] = [
        .reg("CNTKCTL_EL1", (3, 0, 14, 1, 0), group: .timer, reset: .value(0)),
        .reg("CNTPCT_EL0", (3, 3, 14, 0, 1), group: .timer),
        // Swapped id: 0x...DF02 is (3,3,14,0,2), CNTVCT_EL0's encoding.
        .reg(
            "CNTV_CVAL_EL0", (3, 3, 14, 3, 2), group: .timer, vncr: 0x168,
            id: OneRegID(0x6030_0000_0013_DF02)),
        .reg("CNTP_CTL_EL0", (3, 3, 14, 2, 1), group: .timer, vncr: 0x180, reset: .value(0)),
        .reg("CNTP_CVAL_EL0", (3, 3, 14, 2, 2), group: .timer, vncr: 0x178),
        .reg("CNTV_CTL_EL0", (3, 3, 14, 3, 1), group: .timer, vncr: 0x170, reset: .value(0)),
        // Swapped id: 0x...DF1A is (3,3,14,3,2), CNTV_CVAL_EL0's encoding.
        .reg("CNTVCT_EL0", (3, 3, 14, 0, 2), group: .timer, id: OneRegID(0x6030_0000_0013_DF1A)),
    ]
}
