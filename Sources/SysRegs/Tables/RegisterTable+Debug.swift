/// Self-hosted debug (Arm ARM D2, the op0 == 2 space) and trace filtering.
///
/// KVM lists all 16 breakpoint and watchpoint register pairs whatever the host implements
/// (ID_AA64DFR0_EL1.BRPs/WRPs tell the guest how many are real); they reset to 0.
extension RegisterTable {
    static let debugRegisters: [RegisterDescriptor] = rows(
        (0...1).flatMap(breakpointAndWatchpoint) as [RegisterDescriptor],
        [
            .reg("MDCCINT_EL1", (2, 0, 0, 2, 0), group: .debug, reset: .value(0)),
            .reg("MDSCR_EL1", (2, 0, 0, 2, 2), group: .debug, vncr: 0x158, reset: .value(0)),
        ],
        (2...15).flatMap(breakpointAndWatchpoint) as [RegisterDescriptor],
        [
            // Write-only: nothing to save, so KVM does not list it.
            .reg("OSLAR_EL1", (2, 0, 1, 0, 4), group: .debug, visibility: .notListed),
            // OSLM = 0b10 (OS Lock implemented), OSLK = 0: the OS Lock starts unlocked.
            .reg("OSLSR_EL1", (2, 0, 1, 1, 4), group: .debug, reset: .value(0x8)),
            // AArch32 state kept for 32-bit EL1; KVM lists it for every vCPU.
            .reg("DBGVCR32_EL2", (2, 4, 0, 7, 0), group: .debug, reset: .value(0)),
            // FEAT_TRF: has a VNCR slot, but KVM does not list it.
            .reg("TRFCR_EL1", (3, 0, 1, 2, 1), group: .debug, vncr: 0x880, visibility: .notListed),
        ])

    /// DBGBVRn_EL1, DBGBCRn_EL1, DBGWVRn_EL1, DBGWCRn_EL1: (2, 0, 0, n, 4..7).
    private static func breakpointAndWatchpoint(_ n: Int) -> [RegisterDescriptor] {
        let crm = UInt8(n)
        return [
            .reg("DBGBVR\(n)_EL1", (2, 0, 0, crm, 4), group: .debug, reset: .value(0)),
            .reg("DBGBCR\(n)_EL1", (2, 0, 0, crm, 5), group: .debug, reset: .value(0)),
            .reg("DBGWVR\(n)_EL1", (2, 0, 0, crm, 6), group: .debug, reset: .value(0)),
            .reg("DBGWCR\(n)_EL1", (2, 0, 0, crm, 7), group: .debug, reset: .value(0)),
        ]
    }
}
