/// The PPIs (as INTIDs) of a vCPU's architected timers (vCPU attribute group
/// `KVM_ARM_VCPU_TIMER_CTRL`). The lab kernel reports VTIMER 27, PTIMER 30, HVTIMER 28, HPTIMER 26;
/// an EL2 guest needs all four in its device tree.
public struct TimerIRQs: Hashable, Sendable {
    public var virtual: UInt32?
    public var physical: UInt32?
    /// EL2 virtual timer (EL2 vCPUs only).
    public var hypervisorVirtual: UInt32?
    /// EL2 physical timer (EL2 vCPUs only).
    public var hypervisorPhysical: UInt32?

    public init(
        virtual: UInt32? = nil, physical: UInt32? = nil, hypervisorVirtual: UInt32? = nil,
        hypervisorPhysical: UInt32? = nil
    ) {
        self.virtual = virtual
        self.physical = physical
        self.hypervisorVirtual = hypervisorVirtual
        self.hypervisorPhysical = hypervisorPhysical
    }
}
