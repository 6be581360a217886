import SysRegs
import VMM

/// What `vmmctl dump-regs` shows of a machine state.
public struct RegisterDumpOptions: Hashable, Sendable {
    /// Only the vCPU with this index; nil for every vCPU.
    public var vcpu: Int?
    /// A register name (case-insensitive), a glob or name prefix such as `ICH_*` or `ICH_`, or a group
    /// name (`core`, `el2`, `el2-special`, `gic`, ...); nil for everything.
    public var filter: String?
    /// Whether key registers (PSTATE, HCR_EL2, TCR_EL1, ...) are decoded into fields underneath.
    public var decode: Bool = true

    public init(vcpu: Int? = nil, filter: String? = nil, decode: Bool = true) {
        self.vcpu = vcpu
        self.filter = filter
        self.decode = decode
    }
}

/// The renderer behind `vmmctl dump-regs`: a machine state's registers, per vCPU, grouped, with the
/// current exception level and translation regime, key registers decoded, the GIC CPU interface and,
/// for EL2 vCPUs, the VNCR_EL2 page as the model lays it out. Pure: it reads only the state.
public enum RegisterDump {
    /// The dump as text.
    ///
    /// - Throws: `CLIError` when `options.vcpu` names no vCPU or `options.filter` matches nothing.
    public static func text(_ state: MachineState, _ options: RegisterDumpOptions) throws(CLIError) -> String {
        render(try report(state, options))
    }

    /// The dump as JSON: the same information, structured; values are `"0x..."` strings.
    ///
    /// - Throws: `CLIError` when `options.vcpu` names no vCPU or `options.filter` matches nothing.
    public static func json(_ state: MachineState, _ options: RegisterDumpOptions) throws(CLIError) -> JSONValue {
        jsonValue(try report(state, options))
    }

    /// Everything one dump shows, rendered to text or JSON by `RegisterDump+Text` and `RegisterDump+JSON`.
    struct Report {
        let state: MachineState
        let filter: Filter
        let vcpus: [VCPUDump]
        /// Distributor registers to list (empty when only their count is shown).
        let distributor: [GICRegister]
        /// Whether the distributor is listed rather than summarised.
        let listsDistributor: Bool
    }

    /// Selects the vCPUs, resolves the filter and builds each vCPU's dump.
    static func report(_ state: MachineState, _ options: RegisterDumpOptions) throws(CLIError) -> Report {
        let selected = try selectVCPUs(state, options.vcpu)
        let filter = try resolveFilter(options.filter, state: state, vcpus: selected)
        let dumps = selected.map { vcpu in
            vcpuDump(vcpu, gic: state.gic, filter: filter, decode: options.decode)
        }
        let lists = filter.listsAllGIC || filter.isPattern
        let distributor = lists ? state.gic.distributor.filter { filter.matchesGIC($0.name) } : []
        return Report(
            state: state, filter: filter, vcpus: dumps, distributor: distributor, listsDistributor: lists)
    }

    /// The vCPUs `--vcpu` selects: all of them, or the one with that index.
    static func selectVCPUs(_ state: MachineState, _ index: Int?) throws(CLIError) -> [VCPUState] {
        guard let index else { return state.vcpus }
        if let vcpu = state.vcpus.first(where: { $0.index == index }) { return [vcpu] }
        let count = state.vcpus.count
        let range =
            switch count {
            case 0: "none"
            case 1: "1 (0)"
            default: "\(count) (0-\(count - 1))"
            }
        throw CLIError("vCPU \(index) does not exist; this VM has \(range)")
    }

    /// Parses `--filter`; a plain name that names nothing is retried as a prefix, and a name, prefix or
    /// glob that still matches nothing is an error (a group name never is: its group may just be empty).
    static func resolveFilter(_ text: String?, state: MachineState, vcpus: [VCPUState]) throws(CLIError) -> Filter {
        guard let text else { return .everything }
        let filter = Filter(text)
        switch filter {
        case .everything, .group: return filter
        case .name(let name):
            if matchCount(filter, state: state, vcpus: vcpus) > 0 { return filter }
            let prefix = Filter.prefix(name)
            if matchCount(prefix, state: state, vcpus: vcpus) > 0 { return prefix }
        case .prefix, .glob:
            if matchCount(filter, state: state, vcpus: vcpus) > 0 { return filter }
        }
        let groups = RegisterGroup.allCases.map(\.rawValue).joined(separator: ", ")
        throw CLIError("no register or group matches '\(text)'; groups are \(groups)")
    }

    /// How many registers of the selected vCPUs (and of the GIC) a filter selects.
    static func matchCount(_ filter: Filter, state: MachineState, vcpus: [VCPUState]) -> Int {
        var count = 0
        for vcpu in vcpus {
            count += vcpu.registers.count { filter.matches(row(for: $0)) }
            if let cpu = gicCPU(for: vcpu.mpidr, in: state.gic) {
                count += cpu.cpuInterface.count { filter.matchesGIC(cpuInterfaceName($0)) }
                count += cpu.redistributor.count { filter.matchesGIC($0.name) }
            }
        }
        return count + state.gic.distributor.count { filter.matchesGIC($0.name) }
    }

    /// The feature names `KVM_ARM_VCPU_INIT` was given, as printed and in JSON.
    static func featureNames(_ f: VCPUInitFeatures) -> [String] {
        let all: [(Bool, String)] = [
            (f.el2, "el2"), (f.e2h0, "e2h0"), (f.sve, "sve"), (f.pmu, "pmu"), (f.pauth, "pauth"),
            (f.powerOff, "power-off"), (f.psci0_2, "psci-0.2"),
        ]
        return all.filter(\.0).map(\.1)
    }

    /// A register value as `0x` and two hex digits per byte, most significant first: full width.
    static func hex(_ bytes: [UInt8]) -> String {
        "0x" + bytes.reversed().map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    /// A value `byteCount` bytes wide, full width.
    static func hex(_ value: UInt128, byteCount: Int) -> String {
        hex((0..<byteCount).map { UInt8(truncatingIfNeeded: value >> (8 * UInt128($0))) })
    }
}
