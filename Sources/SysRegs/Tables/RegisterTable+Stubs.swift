// TEMPORARY: replaced by the per-group table files.
extension RegisterTable {
    static let coreRegisters: [RegisterDescriptor] = [.core("X0", offset: 0)]
    static let fpsimdRegisters: [RegisterDescriptor] = []
    static let cacheRegisters: [RegisterDescriptor] = []
    static let debugRegisters: [RegisterDescriptor] = []
    static let idRegisters: [RegisterDescriptor] = []
    static let el1Registers: [RegisterDescriptor] = [.el1("SCTLR_EL1", (3, 0, 1, 0, 0), vncr: 0x110)]
    static let el0Registers: [RegisterDescriptor] = []
    static let pauthRegisters: [RegisterDescriptor] = []
    static let mteRegisters: [RegisterDescriptor] = []
    static let pmuRegisters: [RegisterDescriptor] = []
    static let timerRegisters: [RegisterDescriptor] = []
    static let gicRegisters: [RegisterDescriptor] = []
    static let el2Registers: [RegisterDescriptor] = [
        .el2("HCR_EL2", (3, 4, 1, 1, 0), vncr: 0x078),
        .el2("VTTBR_EL2", (3, 4, 2, 1, 0), vncr: 0x020, width: .bits128),
    ]
    static let firmwareRegisters: [RegisterDescriptor] = []
    static let sveRegisters: [RegisterDescriptor] = []
}
