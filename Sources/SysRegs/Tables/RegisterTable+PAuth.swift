/// FEAT_PAuth keys (Arm ARM D8.8). Listed only for vCPUs initialised with
/// KVM_ARM_VCPU_PTRAUTH_ADDRESS and _GENERIC.
extension RegisterTable {
    static let pauthRegisters: [RegisterDescriptor] = [
        .reg("APIAKEYLO_EL1", (3, 0, 2, 1, 0), group: .pauth, visibility: .feature(.pauth)),
        .reg("APIAKEYHI_EL1", (3, 0, 2, 1, 1), group: .pauth, visibility: .feature(.pauth)),
        .reg("APIBKEYLO_EL1", (3, 0, 2, 1, 2), group: .pauth, visibility: .feature(.pauth)),
        .reg("APIBKEYHI_EL1", (3, 0, 2, 1, 3), group: .pauth, visibility: .feature(.pauth)),
        .reg("APDAKEYLO_EL1", (3, 0, 2, 2, 0), group: .pauth, visibility: .feature(.pauth)),
        .reg("APDAKEYHI_EL1", (3, 0, 2, 2, 1), group: .pauth, visibility: .feature(.pauth)),
        .reg("APDBKEYLO_EL1", (3, 0, 2, 2, 2), group: .pauth, visibility: .feature(.pauth)),
        .reg("APDBKEYHI_EL1", (3, 0, 2, 2, 3), group: .pauth, visibility: .feature(.pauth)),
        .reg("APGAKEYLO_EL1", (3, 0, 2, 3, 0), group: .pauth, visibility: .feature(.pauth)),
        .reg("APGAKEYHI_EL1", (3, 0, 2, 3, 1), group: .pauth, visibility: .feature(.pauth)),
    ]
}
