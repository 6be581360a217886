/// FEAT_MTE2 state, listed only when the VM enabled KVM_CAP_ARM_MTE before creating vCPUs.
///
/// Lab finding (kernel 7.2): with MTE and HAS_EL2 both enabled, KVM hides MTE from the EL2 vCPU
/// (ID_AA64PFR1_EL1.MTE reads 0). `Visibility` cannot say "MTE and not EL2", and no lab list covers
/// that combination, so these stay `.feature(.mte)`; TFSR_EL2 needs both.
extension RegisterTable {
    static let mteRegisters: [RegisterDescriptor] = [
        .reg("RGSR_EL1", (3, 0, 1, 0, 5), group: .mte, visibility: .feature(.mte)),
        .reg("GCR_EL1", (3, 0, 1, 0, 6), group: .mte, visibility: .feature(.mte)),
        .reg("TFSR_EL1", (3, 0, 5, 6, 0), group: .mte, vncr: 0x190, visibility: .feature(.mte)),
        .reg("TFSRE0_EL1", (3, 0, 5, 6, 1), group: .mte, visibility: .feature(.mte)),
        .reg("TFSR_EL2", (3, 4, 5, 6, 0), group: .mte, visibility: .feature([.mte, .el2])),
    ]
}
