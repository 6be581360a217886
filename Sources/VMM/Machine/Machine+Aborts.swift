/// Data aborts KVM cannot decode into an MMIO exit.
extension Machine {
    /// Asks KVM to hand a guest data abort it cannot emulate (no valid instruction syndrome,
    /// ESR_ELx.ISV == 0: a load/store pair, or an access with writeback, to an address no memslot
    /// backs) to vmmctl as a KVM_EXIT_ARM_NISV exit, so the run stops with a guest fault naming the
    /// faulting IPA instead of KVM_RUN failing with a bare ENOSYS (api.rst, "KVM_CAP_ARM_NISV_TO_USER").
    /// A lab finding of the malformed-input corpus (t-malformed.sh, an STP to unmapped MMIO). Optional:
    /// on a host without the capability such a guest still stops, with the ENOSYS.
    static func reportAbortsWithoutSyndrome(_ system: KVMSystem, _ vm: VirtualMachine) throws {
        guard try system.checkExtension(.nisvToUser) > 0 else { return }
        try vm.enableCap(.nisvToUser)
    }
}
