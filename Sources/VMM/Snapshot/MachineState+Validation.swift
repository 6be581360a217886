import SysRegs

/// Cross-checks between a snapshot's sections, so a restore refuses a state that disagrees with
/// itself before a VM, a memory mapping or a vCPU is made from it.
///
/// The codec checks each section on its own (framing, checksums, field ranges); these checks need
/// several sections at once. Every message names both sides of the disagreement.
extension MachineState {
    /// Throws `SnapshotError.inconsistent` naming the first disagreement found.
    public func validate() throws(SnapshotError) {
        try validateMemory()
        try validateTags()
        try validateBase()
        try validateVCPUs()
        try validateGIC()
        try validatePMU()
        try validateITS()
    }

    private func validateMemory() throws(SnapshotError) {
        guard memory.guestAddress == config.ramBase else {
            throw .inconsistent(
                "guest RAM is recorded at \(hex(memory.guestAddress)) but the machine's RAM starts at "
                    + hex(config.ramBase))
        }
        guard memory.size == config.memorySize else {
            throw .inconsistent(
                "the memory section holds \(memory.size) bytes but the machine has \(config.memorySize) bytes of RAM")
        }
    }

    private func validateVCPUs() throws(SnapshotError) {
        guard vcpus.count == config.vcpuCount, !vcpus.isEmpty else {
            throw .inconsistent("\(vcpus.count) vCPU states for a machine of \(config.vcpuCount) vCPUs")
        }
        for (position, vcpu) in vcpus.enumerated() {
            guard vcpu.index == position else {
                throw .inconsistent("vCPU state \(position) is recorded as vCPU \(vcpu.index)")
            }
            guard vcpu.features.el2 == config.nested, vcpu.features.e2h0 == config.e2h0 else {
                throw .inconsistent(
                    "vCPU \(vcpu.index) was initialised with \(vcpu.features) but the machine is "
                        + (config.nested ? (config.e2h0 ? "nested without VHE" : "nested") : "not nested"))
            }
            if let recorded = vcpu.value(of: SysReg.MPIDR_EL1), recorded != vcpu.mpidr {
                throw .inconsistent(
                    "vCPU \(vcpu.index)'s MPIDR_EL1 register is \(hex(recorded)) but its state says \(hex(vcpu.mpidr))")
            }
        }
        let affinities = vcpus.map { MachineConfig.affinity(ofMPIDR: $0.mpidr) }
        guard Set(affinities).count == affinities.count else {
            throw .inconsistent("two vCPUs share an MPIDR affinity")
        }
    }

    private func validateGIC() throws(SnapshotError) {
        let gicCPUs = gic.cpus.map(\.mpidr)
        let vcpuMPIDRs = vcpus.map(\.mpidr)
        guard gicCPUs == vcpuMPIDRs else {
            throw .inconsistent(
                "the GIC holds CPU interfaces for MPIDRs [\(gicCPUs.map(hex).joined(separator: ", "))] but the "
                    + "vCPUs are [\(vcpuMPIDRs.map(hex).joined(separator: ", "))]")
        }
    }
}
