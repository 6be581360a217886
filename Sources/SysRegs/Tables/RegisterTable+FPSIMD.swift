/// FP/SIMD state: `struct kvm_regs.fp_regs` (V0..V31, then the 32-bit FPSR and FPCR) and FPMR.
extension RegisterTable {
    static let fpsimdRegisters: [RegisterDescriptor] = rows(
        [
            .core("FPSR", offset: 0x350, width: .bits32, group: .fpsimd, reset: .value(0)),
            .core("FPCR", offset: 0x354, width: .bits32, group: .fpsimd, reset: .value(0)),
            // FEAT_FPMR (FP8 mode). Listed because the lab host implements it; KVM hides it otherwise.
            .el0("FPMR", (3, 3, 4, 4, 2), group: .fpsimd),
        ],
        // KVM rejects the V registers on SVE vCPUs and leaves them out of REG_LIST: there the low
        // 128 bits of Zn (slice 0) are the same state.
        family(0...31) { n in
            .core(
                "V\(n)", offset: 0x150 + 16 * n, width: .bits128, group: .fpsimd, reset: .value(0),
                visibility: .withoutFeature(.sve))
        })
}
