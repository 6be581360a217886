/// A vCPU's power state as KVM reports it on arm64 (api.rst 4.38 "KVM_GET_MP_STATE").
public enum MPState: Hashable, Sendable, CustomStringConvertible {
    /// Running or ready to run.
    case runnable
    /// Powered off (PSCI CPU_OFF, or created with POWER_OFF).
    case stopped
    /// Suspended in PSCI SYSTEM_SUSPEND until a wake-up event.
    case suspended
    /// A state this model does not know.
    case other(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 0: self = .runnable
        case 5: self = .stopped
        case 10: self = .suspended
        default: self = .other(rawValue)
        }
    }

    /// The `KVM_MP_STATE_*` value.
    public var rawValue: UInt32 {
        switch self {
        case .runnable: return 0
        case .stopped: return 5
        case .suspended: return 10
        case .other(let value): return value
        }
    }

    public var description: String {
        switch self {
        case .runnable: return "runnable"
        case .stopped: return "stopped"
        case .suspended: return "suspended"
        case .other(let value): return "mp-state \(value)"
        }
    }
}
