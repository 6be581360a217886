/// One request to a running VM over its control socket (docs/control-protocol.md). The one typed
/// form both sides use: `vmmctl pause|snapshot|...` build a value, `ControlServer` decodes the same
/// value, and only `ControlRequest+Wire.swift` knows how it travels.
///
/// Adding a request: a case here and its `ControlVerb`, then one arm in each switch the compiler
/// points at (`verb`, `encodeFields`, `decode` in ControlRequest+Wire.swift, and the handler in
/// ControlServer+Machine.swift).
public enum ControlRequest: Equatable, Sendable {
    /// Whether the VM is running or paused.
    case status
    /// Park every vCPU at an instruction boundary; the reply comes when all are parked.
    case pause
    /// Let parked vCPUs run again.
    case resume
    /// The machine state in the snapshot state encoding, without memory.
    case dumpRegs
    /// Write a snapshot to `directory` (any path, spaces and all), then carry on as `then` says. With
    /// `base` (a snapshot directory) the snapshot is incremental: only the pages dirtied since `base`.
    case snapshot(directory: String, then: AfterSnapshot, base: String? = nil)
    /// Stop the VM; its `vmmctl run` exits 0.
    case shutdown
    /// `count` bytes of guest RAM at guest-physical `address`, served only while the VM is paused
    /// (`vmmctl translate` and `vmmctl mem read` on a running VM).
    case readMemory(address: UInt64, count: UInt32)

    /// What the VM does once a snapshot is written.
    public enum AfterSnapshot: UInt8, CaseIterable, Sendable, CustomStringConvertible {
        case resume = 0
        case pause = 1
        case stop = 2

        /// The command-line spelling (`--then resume|pause|stop`).
        public var description: String {
            switch self {
            case .resume: "resume"
            case .pause: "pause"
            case .stop: "stop"
            }
        }

        /// Parses the command-line spelling.
        public init?(name: String) {
            guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
            self = match
        }
    }

    /// Whether the request only reads the VM's run state, so it may be answered while another
    /// request (a long snapshot) holds the machine.
    public var isReadOnly: Bool { self == .status }
}

/// The name a request travels under. Names, not numbers, so a capture reads and reordering the
/// cases can never change the meaning of a request.
public enum ControlVerb: String, CaseIterable, Sendable {
    case status
    case pause
    case resume
    case dumpRegs = "dump-regs"
    case snapshot
    case shutdown
    case readMemory = "read-memory"
}
