/// Why a machine could not be built, restored or run. Every case is typed; the command line words
/// them with its own flags (VMMCLI), the library never names a flag.
public enum MachineError: Error, CustomStringConvertible {
    /// The configuration is inconsistent (caught before KVM is touched).
    case invalidConfig(ConfigProblem)
    /// The guest images are unusable (not an arm64 Image, do not fit, ...).
    case badGuest(String)
    /// A snapshot's own fields disagree, or its state cannot be put back; caught before anything
    /// is built where the state itself shows it.
    case badSnapshot(SnapshotError)
    /// A device refused its saved state.
    case deviceState(DeviceStateError)
    /// The device list itself is inconsistent (two devices of one kind and instance, overlapping MMIO
    /// windows): a bug in the registry, caught before anything runs.
    case deviceConflict(String)
    /// The host lacks what the configuration needs; the text says what to do.
    case hostUnsupported(String)
    /// MTE was asked for (or a snapshot holds tags) and cannot be had.
    case mte(MTEProblem)
    /// A pause or snapshot was asked of a machine that is not running (any more).
    case notRunning
    /// The run ended while a pause was being waited for.
    case stoppedWhilePausing
    /// Writing a snapshot failed; nothing was left behind.
    case snapshotFailed(SnapshotError)
    /// A control-socket request could not be understood.
    case badRequest(String)
    /// A disk image cannot be used (missing, locked, not whole sectors, changed since the snapshot).
    case disk(DiskError)
    /// A KVM or system call failed.
    case kvm(any Error)

    public var description: String {
        switch self {
        case .invalidConfig(let problem): return problem.description
        case .mte(let problem): return problem.description
        case .badGuest(let s), .hostUnsupported(let s), .badRequest(let s), .deviceConflict(let s): return s
        case .snapshotFailed(let e): return "\(e)"
        case .badSnapshot(let e): return "\(e)"
        case .deviceState(let e): return "\(e)"
        case .disk(let e): return "\(e)"
        case .notRunning: return "the VM is not running"
        case .stoppedWhilePausing: return "the VM stopped while pausing"
        case .kvm(let e): return "\(e)"
        }
    }
}

/// How a run ended.
public enum MachineExit: Equatable, Sendable, CustomStringConvertible {
    /// PSCI SYSTEM_OFF.
    case poweredOff
    /// PSCI SYSTEM_RESET (vmmctl does not reboot the guest; the status tells the caller).
    case reset
    /// PSCI SYSTEM_CRASH or a KVM crash event.
    case crashed
    /// The guest did something vmmctl cannot continue from.
    case guestFault(GuestFault)
    /// A signal (SIGINT, SIGTERM) or the console escape asked the VMM to stop.
    case stopped(signal: Int32)
    /// A `shutdown` request (or `snapshot ... stop`) on the control socket.
    case shutdownRequested

    public var description: String {
        switch self {
        case .poweredOff: return "the guest powered off"
        case .reset: return "the guest requested a system reset"
        case .crashed: return "the guest crashed (PSCI SYSTEM_CRASH)"
        case .guestFault(let f): return f.description
        case .stopped(let s): return "stopped by signal \(s)"
        case .shutdownRequested: return "stopped by a shutdown request on the control socket"
        }
    }
}

/// A guest fault, located: which vCPU, where, and the syndrome.
public struct GuestFault: Equatable, Sendable, CustomStringConvertible {
    public let vcpu: Int
    public let what: String
    public let pc: UInt64?
    /// The guest's own exception syndrome register at its current EL (ESR_EL1, or ESR_EL2 at EL2).
    public let esr: (name: String, value: UInt64)?

    public init(vcpu: Int, what: String, pc: UInt64?, esr: (name: String, value: UInt64)?) {
        self.vcpu = vcpu
        self.what = what
        self.pc = pc
        self.esr = esr
    }

    public static func == (a: GuestFault, b: GuestFault) -> Bool {
        a.vcpu == b.vcpu && a.what == b.what && a.pc == b.pc && a.esr?.name == b.esr?.name
            && a.esr?.value == b.esr?.value
    }

    public var description: String {
        var s = "vCPU \(vcpu): \(what)"
        if let pc { s += " at PC \(hex(pc))" }
        if let esr { s += ", \(esr.name) \(hex(esr.value))" }
        return s
    }

    private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
