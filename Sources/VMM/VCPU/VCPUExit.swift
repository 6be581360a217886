/// Why `KVM_RUN` returned, copied out of `kvm_run` into Swift values (api.rst 5 "The kvm_run
/// structure"). The copy makes exits plain values: loggable, comparable, and testable without KVM.
public enum VCPUExit: Hashable, Sendable {
    /// A guest access to an address no memory slot covers. For a read, supply the data with
    /// `VCPU.completeMMIORead` before the next run. `data` holds the `length` bytes little-endian.
    case mmio(address: UInt64, data: UInt64, isWrite: Bool, length: Int)
    /// PSCI SYSTEM_OFF / SYSTEM_RESET / SYSTEM_SUSPEND / CPU wake-up, or a crash report.
    case systemEvent(SystemEvent, flags: UInt64)
    /// An SMCCC call routed to userspace by a hypercall filter: `functionID` is the SMCCC function,
    /// `isSMC` whether the conduit was SMC (else HVC).
    case hypercall(functionID: UInt64, isSMC: Bool)
    /// KVM failed internally; `suberror` is a `KVM_INTERNAL_ERROR_*` value.
    case internalError(suberror: UInt32, data: [UInt64])
    /// The hardware refused to enter the guest.
    case failEntry(reason: UInt64, cpu: UInt32)
    /// A signal, `immediate_exit` or KVM_EXIT_INTR ended the run; nothing happened in the guest.
    case interrupted
    /// A debug exception (breakpoint, watchpoint, single step); `esr` is the exception syndrome.
    case debug(esr: UInt64, far: UInt64)
    /// A data abort without a valid instruction syndrome, routed to userspace
    /// (KVM_CAP_ARM_NISV_TO_USER).
    case dataAbortWithoutSyndrome(esrISS: UInt64, faultIPA: UInt64)
    /// A synchronous external abort routed to userspace (KVM_CAP_ARM_SEA_TO_USER).
    case externalAbort(esr: UInt64, gva: UInt64, gpa: UInt64?)
    /// KVM_EXIT_UNKNOWN: the guest exited for a reason KVM could not classify.
    case unknown(hardwareReason: UInt64)
    /// An exit reason this model does not decode (the escape hatch).
    case unsupported(reason: UInt32)
}

/// The kind of a system event exit (`KVM_SYSTEM_EVENT_*`).
public enum SystemEvent: Hashable, Sendable, CustomStringConvertible {
    case shutdown
    case reset
    case crash
    case wakeup
    case suspend
    case other(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 1: self = .shutdown
        case 2: self = .reset
        case 3: self = .crash
        case 4: self = .wakeup
        case 5: self = .suspend
        default: self = .other(rawValue)
        }
    }

    public var description: String {
        switch self {
        case .shutdown: return "shutdown"
        case .reset: return "reset"
        case .crash: return "crash"
        case .wakeup: return "wakeup"
        case .suspend: return "suspend"
        case .other(let value): return "system-event \(value)"
        }
    }
}
