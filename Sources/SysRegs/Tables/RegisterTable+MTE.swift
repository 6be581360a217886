/// FEAT_MTE2 state, listed only when the VM enabled KVM_CAP_ARM_MTE before creating vCPUs.
///
/// Lab findings (kernel 7.2, `MTEKVMTests` against the live KVM_GET_REG_LIST): with MTE and HAS_EL2 both
/// enabled, KVM hides MTE from the EL2 vCPU (ID_AA64PFR1_EL1.MTE reads 0, so vmmctl refuses `--mte` with
/// `--nested` there) yet still lists the four EL1 registers, so they are `.feature(.mte)` for every vCPU;
/// it never lists TFSR_EL2, hence `.notListed` (modelled for dump-regs and the decoder only).
extension RegisterTable {
    static let mteRegisters: [RegisterDescriptor] = [
        .reg("RGSR_EL1", (3, 0, 1, 0, 5), group: .mte, visibility: .feature(.mte)),
        .reg("GCR_EL1", (3, 0, 1, 0, 6), group: .mte, visibility: .feature(.mte)),
        .reg("TFSR_EL1", (3, 0, 5, 6, 0), group: .mte, vncr: 0x190, visibility: .feature(.mte)),
        .reg("TFSRE0_EL1", (3, 0, 5, 6, 1), group: .mte, visibility: .feature(.mte)),
        .reg("TFSR_EL2", (3, 4, 5, 6, 0), group: .mte, visibility: .notListed),
    ]
}
