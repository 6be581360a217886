/// A per-vCPU bring-up step that a vCPU feature adds, run in the same places on a fresh boot and on a
/// restore so that a restored vCPU is set up exactly as a booted one.
///
/// Where the steps run (api.rst 4.82 "KVM_ARM_VCPU_INIT", 4.117 "KVM_ARM_VCPU_FINALIZE"):
/// `afterInit` between KVM_ARM_VCPU_INIT and the vGIC's CTRL_INIT (SVE vector lengths, FINALIZE),
/// `afterGICInit` once the vGIC is initialised and before any register is written (the PMU's
/// overflow interrupt and PMU_V3_INIT need the vGIC).
protocol VCPUSetupStep {
    func afterInit(_ vcpu: VCPU) throws
    func afterGICInit(_ vcpu: VCPU) throws
}

extension VCPUSetupStep {
    func afterInit(_ vcpu: VCPU) throws {}
    func afterGICInit(_ vcpu: VCPU) throws {}
}

/// SVE: KVM refuses to run an SVE vCPU, and to read or write its SVE registers, before
/// KVM_ARM_VCPU_FINALIZE(KVM_ARM_VCPU_SVE); the vector lengths (KVM_REG_ARM64_SVE_VLS) may only be
/// written before it. With the default vector lengths there is nothing to write first.
struct SVEFinalizeStep: VCPUSetupStep {
    func afterInit(_ vcpu: VCPU) throws { try vcpu.finalize(.sve) }
}

extension Machine {
    /// The setup steps a vCPU with `features` needs, in order.
    static func setupSteps(for features: VCPUInitFeatures) -> [any VCPUSetupStep] {
        var steps: [any VCPUSetupStep] = []
        if features.sve { steps.append(SVEFinalizeStep()) }
        return steps
    }
}
