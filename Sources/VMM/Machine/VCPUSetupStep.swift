import CKVM
import SysRegs

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
/// written before it (api.rst 4.68 "arm64 SVE registers"). A fresh boot keeps KVM's default lengths (all
/// the host supports); a restore writes the snapshot's set first, so the Z and P registers it then writes
/// have the width they were saved with, and a host that cannot offer that set refuses here, by name.
struct SVEFinalizeStep: VCPUSetupStep {
    /// KVM_REG_ARM64_SVE_VLS from a snapshot; nil on a fresh boot.
    let vectorLengths: RegisterValue?

    /// The ONE_REG id of KVM_REG_ARM64_SVE_VLS: 512 bits, SVE coprocessor, index 0xffff.
    static let vectorLengthsID = OneRegID(coproc: OneRegID.Coproc.sve.rawValue, byteCount: 64, index: 0xFFFF)

    func afterInit(_ vcpu: VCPU) throws {
        if let vectorLengths { try vcpu.setOneReg(Self.vectorLengthsID, vectorLengths) }
        try vcpu.finalize(.sve)
    }
}

/// PMUv3 (api.rst 4.82 "KVM_ARM_VCPU_INIT" bit KVM_ARM_VCPU_PMU_V3, and "KVM_ARM_VCPU_PMU_V3_CTRL" in
/// devices/vcpu.rst): the overflow interrupt (a PPI, the same INTID on every vCPU) is set with
/// KVM_ARM_VCPU_PMU_V3_IRQ, then KVM_ARM_VCPU_PMU_V3_INIT, both after the in-kernel vGIC is
/// initialised (KVM refuses INIT before, and with no IRQ set the PMU could not signal overflow) and
/// before the first KVM_RUN. On a restore the same steps run with the snapshot's INTID before any PMU
/// register is written: KVM resets the PMU's counters at INIT.
struct PMUInitStep: VCPUSetupStep {
    /// The overflow interrupt's INTID (23, PPI 7, on a fresh boot).
    let overflowIRQ: UInt32

    func afterGICInit(_ vcpu: VCPU) throws {
        try vcpu.setAttribute(
            group: CKVM_ARM_VCPU_PMU_V3_CTRL, attr: CKVM_ARM_VCPU_PMU_V3_IRQ, Int32(overflowIRQ),
            label: "PMU_V3_IRQ \(overflowIRQ)")
        try vcpu.setAttribute(group: CKVM_ARM_VCPU_PMU_V3_CTRL, attr: CKVM_ARM_VCPU_PMU_V3_INIT, label: "PMU_V3_INIT")
    }
}

extension VCPU {
    /// The PMU overflow interrupt's INTID KVM has for this vCPU.
    /// The corresponding ioctl is `KVM_GET_DEVICE_ATTR` (KVM_ARM_VCPU_PMU_V3_IRQ).
    func pmuOverflowIRQ() throws -> UInt32 {
        UInt32(
            bitPattern: try attribute(
                group: CKVM_ARM_VCPU_PMU_V3_CTRL, attr: CKVM_ARM_VCPU_PMU_V3_IRQ, as: Int32.self, label: "PMU_V3_IRQ"))
    }
}

extension Machine {
    /// The PMU overflow interrupt of a freshly booted machine: PPI 7 (INTID 23), as QEMU's virt board.
    static let pmuOverflowIRQ = 16 + MachineLayout.pmuPPI

    /// The setup steps a vCPU with `features` needs, in order; `pmuIRQ` is the PMU overflow INTID
    /// (a snapshot's on restore).
    static func setupSteps(
        for features: VCPUInitFeatures, pmuIRQ: UInt32 = Machine.pmuOverflowIRQ, sveVectorLengths: RegisterValue? = nil
    ) -> [any VCPUSetupStep] {
        var steps: [any VCPUSetupStep] = []
        if features.sve { steps.append(SVEFinalizeStep(vectorLengths: sveVectorLengths)) }
        if features.pmu { steps.append(PMUInitStep(overflowIRQ: pmuIRQ)) }
        return steps
    }
}
