/// The general-purpose and EL1 exception-state members of `struct kvm_regs` (api.rst 4.68, arm64
/// core registers). The ONE_REG index is the member's byte offset divided by 4.
///
/// KVM zeroes `user_pt_regs` at VCPU_INIT; SP_EL1, ELR_EL1 and the SPSRs keep whatever they held.
/// SP_EL1, ELR_EL1 and SPSR_EL1 are core registers to userspace but have VNCR page slots, which is
/// where a FEAT_NV2 guest hypervisor's `MRS SP_EL1` etc. land (Arm ARM D8.12).
extension RegisterTable {
    static let coreRegisters: [RegisterDescriptor] = rows(
        family(0...30) { n in .core("X\(n)", offset: 8 * n, reset: .value(0)) },
        [
            // `user_pt_regs.sp` is the EL0 stack pointer.
            .core("SP_EL0", offset: 0xF8, reset: .value(0)),
            .core("PC", offset: 0x100, reset: .value(0)),
            // 0x3c5 is EL1h with D, A, I, F masked; a HAS_EL2 vCPU starts in EL2h, 0x3c9.
            .core("PSTATE", offset: 0x108, reset: .value(0x3C5)),
            .core("SP_EL1", offset: 0x110, vncr: 0x240),
            .core("ELR_EL1", offset: 0x118, vncr: 0x230),
            // spsr[0..4]: SPSR_EL1 (the AArch32 SVC view), then the AArch32 abt, und, irq, fiq banks.
            .core("SPSR_EL1", offset: 0x120, vncr: 0x160),
            .core("SPSR_ABT", offset: 0x128),
            .core("SPSR_UND", offset: 0x130),
            .core("SPSR_IRQ", offset: 0x138),
            .core("SPSR_FIQ", offset: 0x140),
        ])
}
