/// PMUv3 (Arm ARM D12), listed for vCPUs initialised with KVM_ARM_VCPU_PMU_V3, and the Statistical
/// Profiling Extension buffer and sampling controls, which have VNCR slots but which KVM does not
/// list (it gives guests no SPE).
extension RegisterTable {
    static let pmuRegisters: [RegisterDescriptor] = rows(
        [
            spe("PMSCR_EL1", (3, 0, 9, 9, 0), vncr: 0x828),
            spe("PMSICR_EL1", (3, 0, 9, 9, 2), vncr: 0x838),
            spe("PMSIRR_EL1", (3, 0, 9, 9, 3), vncr: 0x840),
            spe("PMSEVFR_EL1", (3, 0, 9, 9, 5), vncr: 0x830),
            spe("PMSLATFR_EL1", (3, 0, 9, 9, 6), vncr: 0x848),
            spe("PMBLIMITR_EL1", (3, 0, 9, 10, 0), vncr: 0x800),
            spe("PMBPTR_EL1", (3, 0, 9, 10, 1), vncr: 0x810),
            spe("PMBSR_EL1", (3, 0, 9, 10, 3), vncr: 0x820),
            pmu("PMINTENSET_EL1", (3, 0, 9, 14, 1)),
            pmu("PMINTENCLR_EL1", (3, 0, 9, 14, 2)),
            pmu("PMMIR_EL1", (3, 0, 9, 14, 6), reset: .host),
            // PMCR_EL0.N and IMP come from the host PMU.
            pmu("PMCR_EL0", (3, 3, 9, 12, 0), reset: .host),
            pmu("PMCNTENSET_EL0", (3, 3, 9, 12, 1)),
            pmu("PMCNTENCLR_EL0", (3, 3, 9, 12, 2)),
            pmu("PMOVSCLR_EL0", (3, 3, 9, 12, 3)),
            pmu("PMSWINC_EL0", (3, 3, 9, 12, 4)),
            pmu("PMSELR_EL0", (3, 3, 9, 12, 5)),
            pmu("PMCEID0_EL0", (3, 3, 9, 12, 6), reset: .host),
            pmu("PMCEID1_EL0", (3, 3, 9, 12, 7), reset: .host),
            pmu("PMCCNTR_EL0", (3, 3, 9, 13, 0)),
            pmu("PMXEVTYPER_EL0", (3, 3, 9, 13, 1)),
            pmu("PMXEVCNTR_EL0", (3, 3, 9, 13, 2)),
            pmu("PMUSERENR_EL0", (3, 3, 9, 14, 0)),
            pmu("PMOVSSET_EL0", (3, 3, 9, 14, 3)),
        ],
        // PMEVCNTRn_EL0 is (3, 3, 14, 0b10:n[4:3], n[2:0]); PMEVTYPERn_EL0 is (3, 3, 14, 0b11:n[4:3],
        // n[2:0]), whose n = 31 slot is PMCCFILTR_EL0.
        family(0...30) { n in pmu("PMEVCNTR\(n)_EL0", (3, 3, 14, UInt8(8 + n / 8), UInt8(n % 8))) },
        family(0...30) { n in pmu("PMEVTYPER\(n)_EL0", (3, 3, 14, UInt8(12 + n / 8), UInt8(n % 8))) },
        [pmu("PMCCFILTR_EL0", (3, 3, 14, 15, 7))])

    private static func pmu(
        _ name: String, _ e: RegisterDescriptor.Enc, reset: Reset = .unknown
    ) -> RegisterDescriptor {
        .reg(name, e, group: .pmu, reset: reset, visibility: .feature(.pmu))
    }

    private static func spe(_ name: String, _ e: RegisterDescriptor.Enc, vncr: Int) -> RegisterDescriptor {
        .reg(name, e, group: .pmu, vncr: vncr, visibility: .notListed)
    }
}
