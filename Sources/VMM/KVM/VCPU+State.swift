import CKVM
import Glibc

extension VCPU {
    /// The vCPU's power state. The corresponding ioctl is `KVM_GET_MP_STATE`.
    public func mpState() throws -> MPState {
        var state = ckvm_mp_state()
        try KVMCall.perform(KVMIoctl.getMPState.on("vcpu \(id)"), fd: fd, pointingTo: &state)
        return MPState(rawValue: state.mp_state)
    }

    /// Sets the vCPU's power state (restore it last, after registers and the vGIC).
    /// The corresponding ioctl is `KVM_SET_MP_STATE`.
    public func setMPState(_ state: MPState) throws {
        var request = ckvm_mp_state(mp_state: state.rawValue)
        try KVMCall.perform(KVMIoctl.setMPState.on("vcpu \(id), \(state)"), fd: fd, pointingTo: &request)
    }

    /// Pending SError / external abort state. The corresponding ioctl is `KVM_GET_VCPU_EVENTS`.
    public func events() throws -> VCPUEvents {
        var raw = ckvm_vcpu_events()
        try KVMCall.perform(KVMIoctl.getVCPUEvents.on("vcpu \(id)"), fd: fd, pointingTo: &raw)
        return VCPUEvents(
            serrorPending: raw.exception.serror_pending != 0, serrorHasESR: raw.exception.serror_has_esr != 0,
            externalDataAbortPending: raw.exception.ext_dabt_pending != 0, serrorESR: raw.exception.serror_esr)
    }

    /// Makes an SError / external abort pending. KVM only injects: `serrorPending == false` does not
    /// withdraw one already pending (lab-verified), so restore this onto a freshly initialised vCPU.
    /// The corresponding ioctl is `KVM_SET_VCPU_EVENTS`.
    public func setEvents(_ events: VCPUEvents) throws {
        var raw = ckvm_vcpu_events()
        raw.exception.serror_pending = events.serrorPending ? 1 : 0
        raw.exception.serror_has_esr = events.serrorHasESR ? 1 : 0
        raw.exception.ext_dabt_pending = events.externalDataAbortPending ? 1 : 0
        raw.exception.serror_esr = events.serrorESR
        try KVMCall.perform(KVMIoctl.setVCPUEvents.on("vcpu \(id)"), fd: fd, pointingTo: &raw)
    }

    /// Reads a vCPU attribute (timer PPIs, PMU IRQ) as a `T`.
    /// The corresponding ioctl is `KVM_GET_DEVICE_ATTR` on the vCPU fd.
    public func attribute<T: FixedWidthInteger>(group: UInt32, attr: UInt64, as: T.Type, label: String) throws -> T {
        var value = T.zero
        try DeviceAttribute.transfer(
            .getDeviceAttr, fd: fd, group: group, attr: attr, value: &value, target: "vcpu \(id) \(label)")
        return value
    }

    /// Sets a vCPU attribute to the bytes of `value`.
    /// The corresponding ioctl is `KVM_SET_DEVICE_ATTR` on the vCPU fd.
    public func setAttribute<T: FixedWidthInteger>(group: UInt32, attr: UInt64, _ value: T, label: String) throws {
        var value = value
        try DeviceAttribute.transfer(
            .setDeviceAttr, fd: fd, group: group, attr: attr, value: &value, target: "vcpu \(id) \(label)")
    }

    /// Issues a value-less vCPU attribute command (`KVM_ARM_VCPU_PMU_V3_INIT`).
    /// The corresponding ioctl is `KVM_SET_DEVICE_ATTR` on the vCPU fd.
    public func setAttribute(group: UInt32, attr: UInt64, label: String) throws {
        try DeviceAttribute.command(.setDeviceAttr, fd: fd, group: group, attr: attr, target: "vcpu \(id) \(label)")
    }

    /// Whether the vCPU knows an attribute. The corresponding ioctl is `KVM_HAS_DEVICE_ATTR`.
    public func hasAttribute(group: UInt32, attr: UInt64, label: String) throws -> Bool {
        do {
            try DeviceAttribute.command(.hasDeviceAttr, fd: fd, group: group, attr: attr, target: "vcpu \(id) \(label)")
            return true
        } catch let error as KVMError where error.errno == ENXIO {
            return false
        }
    }

    /// The timer PPIs (INTIDs) KVM wired to this vCPU. HVTIMER/HPTIMER exist only on EL2 vCPUs and
    /// are nil otherwise.
    public func timerIRQs() throws -> TimerIRQs {
        func read(_ attr: UInt64, _ label: String) throws -> UInt32 {
            try attribute(group: CKVM_ARM_VCPU_TIMER_CTRL, attr: attr, as: UInt32.self, label: label)
        }
        let el2 = features?.el2 ?? false
        return TimerIRQs(
            virtual: try read(CKVM_ARM_VCPU_TIMER_IRQ_VTIMER, "TIMER_IRQ_VTIMER"),
            physical: try read(CKVM_ARM_VCPU_TIMER_IRQ_PTIMER, "TIMER_IRQ_PTIMER"),
            hypervisorVirtual: el2 ? try read(CKVM_ARM_VCPU_TIMER_IRQ_HVTIMER, "TIMER_IRQ_HVTIMER") : nil,
            hypervisorPhysical: el2 ? try read(CKVM_ARM_VCPU_TIMER_IRQ_HPTIMER, "TIMER_IRQ_HPTIMER") : nil)
    }

    /// Sets the timer PPIs (all vCPUs of a VM must agree). Nil entries are left as KVM has them.
    public func setTimerIRQs(_ irqs: TimerIRQs) throws {
        let entries: [(UInt64, UInt32?, String)] = [
            (CKVM_ARM_VCPU_TIMER_IRQ_VTIMER, irqs.virtual, "TIMER_IRQ_VTIMER"),
            (CKVM_ARM_VCPU_TIMER_IRQ_PTIMER, irqs.physical, "TIMER_IRQ_PTIMER"),
            (CKVM_ARM_VCPU_TIMER_IRQ_HVTIMER, irqs.hypervisorVirtual, "TIMER_IRQ_HVTIMER"),
            (CKVM_ARM_VCPU_TIMER_IRQ_HPTIMER, irqs.hypervisorPhysical, "TIMER_IRQ_HPTIMER"),
        ]
        for (attr, value, label) in entries {
            if let value { try setAttribute(group: CKVM_ARM_VCPU_TIMER_CTRL, attr: attr, value, label: label) }
        }
    }
}
