/// EL0 thread and permission registers.
extension RegisterTable {
    static let el0Registers: [RegisterDescriptor] = [
        // FEAT_S1POE; absent on the lab host, so never listed there.
        .el0("POR_EL0", (3, 3, 10, 2, 4), visibility: .notListed),
        .el0("TPIDR_EL0", (3, 3, 13, 0, 2)),
        .el0("TPIDRRO_EL0", (3, 3, 13, 0, 3)),
    ]
}
