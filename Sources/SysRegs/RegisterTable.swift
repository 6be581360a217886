/// The one register table: every register the model knows, sorted by KVM ONE_REG id.
///
/// Rows are declared per group in `RegisterTable+<Group>.swift`, each sorted by id in the source (a
/// test checks this, as it checks that names and ids are unique and VNCR slots do not overlap).
public enum RegisterTable {
    /// The per-group tables as declared, in declaration order. Tests check each is sorted by id.
    public static let declaredGroups: [(name: String, rows: [RegisterDescriptor])] = [
        ("core", coreRegisters),
        ("fpsimd", fpsimdRegisters),
        ("cache", cacheRegisters),
        ("debug", debugRegisters),
        ("id", idRegisters),
        ("el1", el1Registers),
        ("el0", el0Registers),
        ("pauth", pauthRegisters),
        ("mte", mteRegisters),
        ("pmu", pmuRegisters),
        ("timer", timerRegisters),
        ("gic", gicRegisters),
        ("el2", el2Registers),
        ("firmware", firmwareRegisters),
        ("sve", sveRegisters),
    ]

    /// Every register, sorted by ONE_REG id.
    public static let all: [RegisterDescriptor] = declaredGroups.flatMap(\.rows).sorted { $0.id < $1.id }

    private static let byID: [OneRegID: RegisterDescriptor] = Dictionary(
        all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    private static let byName: [String: RegisterDescriptor] = Dictionary(
        all.map { ($0.name.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
    private static let byEncoding: [SysRegEncoding: RegisterDescriptor] = Dictionary(
        all.compactMap { d in d.encoding.map { ($0, d) } }, uniquingKeysWith: { first, _ in first })

    /// The register with this name (case-insensitive), if any.
    public static func named(_ name: String) -> RegisterDescriptor? { byName[name.uppercased()] }

    /// The register with this ONE_REG id, if the table has it.
    public static func descriptor(for id: OneRegID) -> RegisterDescriptor? { byID[id] }

    /// The system register with this architectural encoding, if the table has it.
    public static func descriptor(for encoding: SysRegEncoding) -> RegisterDescriptor? { byEncoding[encoding] }

    /// Decodes any 64-bit ONE_REG id: a named register, or its structure when the table lacks it.
    public static func lookup(_ id: OneRegID) -> RegisterLookup {
        if let d = byID[id] { return .known(d) }
        return .unknown(UnknownRegister(id: id))
    }

    /// The registers a vCPU with `features` should list in KVM_GET_REG_LIST, by this model.
    public static func regList(for features: VCPUFeatures) -> [RegisterDescriptor] {
        all.filter { $0.isInRegList(for: features) }
    }

    /// The registers that have a VNCR_EL2 page slot, by offset.
    public static let vncrLayout: [RegisterDescriptor] = all.filter { $0.vncrOffset != nil }
        .sorted { $0.vncrOffset! < $1.vncrOffset! }
}

/// The answer to "what is this id?".
public enum RegisterLookup: Hashable, Sendable {
    case known(RegisterDescriptor)
    case unknown(UnknownRegister)

    /// A printable name: the register's, or a structural one such as `S3_4_C15_C0_0` or `core[0x1f0]`.
    public var name: String {
        switch self {
        case .known(let d): return d.name
        case .unknown(let u): return u.name
        }
    }
}

/// The structure of an id the table does not name.
public struct UnknownRegister: Hashable, Sendable, CustomStringConvertible {
    public let id: OneRegID

    public init(id: OneRegID) { self.id = id }

    /// The group, as text: a known coproc's name or the raw field.
    public var groupName: String {
        guard id.isARM64 else { return "non-arm64" }
        switch id.coproc {
        case .core: return "core"
        case .demux: return "demux"
        case .sysreg: return "sysreg"
        case .firmware: return "firmware"
        case .sve: return "sve"
        case .firmwareFeatures: return "firmware-features"
        case nil: return "coproc-" + hexShort(id.coprocField)
        }
    }

    /// A structural name: the generic sysreg spelling for sysreg ids, else group and index.
    public var name: String {
        if id.isARM64, let e = id.sysRegEncoding { return e.description }
        return "\(groupName)[\(hexShort(id.index))]"
    }

    public var description: String { "\(name) (\(id), \(id.byteCount) bytes, \(groupName))" }
}

extension RegisterTable {
    /// Rows `make(n)` for each `n` in `range`: a numbered register family (ICH_LR<n>_EL2, X<n>, ...).
    /// The closure's type is fixed here so the type checker never has to infer it: Swift 6.2 gives up
    /// on long `+` chains of inferred closures ("unable to type-check this expression in reasonable time").
    static func family(_ range: ClosedRange<Int>, _ make: (Int) -> RegisterDescriptor) -> [RegisterDescriptor] {
        range.map(make)
    }

    /// A group's rows, concatenated in declaration order (each part type-checked on its own).
    static func rows(_ parts: [RegisterDescriptor]...) -> [RegisterDescriptor] { parts.flatMap { $0 } }
}
