/// SVE state (api.rst 4.68 "arm64 SVE registers"), listed for finalized SVE vCPUs only.
///
/// KVM splits each register into 2048-bit (Zn) or 256-bit (Pn, FFR) slices; index bits [4:0] are the
/// slice. Vector lengths up to 2048 bits fit in slice 0, the only slice KVM lists today, so the model
/// has slice 0 only. KVM_REG_ARM64_SVE_VLS (a 512-bit bitmap of allowed vector lengths) must be set
/// before KVM_ARM_VCPU_FINALIZE and cannot be changed after.
extension RegisterTable {
    static let sveRegisters: [RegisterDescriptor] = rows(
        // Pn: index 0b0000_01:n[3:0]:slice[4:0]; FFR: 0b0000_0110_000:slice.
        family(0...15) { n in .sve("P\(n)", width: .bits256, index: UInt16(0x400 | n << 5)) },
        [
            .sve("FFR", width: .bits256, index: 0x600),
            .sve("KVM_REG_ARM64_SVE_VLS", width: .bits512, index: 0xFFFF),
        ],
        // Zn: index 0b0000_00:n[4:0]:slice[4:0].
        family(0...31) { n in .sve("Z\(n)", width: .bits2048, index: UInt16(n << 5)) })
}
