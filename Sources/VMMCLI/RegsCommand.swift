import SysRegs

/// `vmmctl regs`: the register model, for people and scripts.
enum RegsCommand: Subcommand {
    static let name = "regs"
    static let summary = "list, show and decode arm64 registers; print the VNCR_EL2 page layout"
    static let help = """
        Usage:
          vmmctl regs list [--group GROUP] [--features LIST] [--json]
          vmmctl regs show NAME|0xID [--json]
          vmmctl regs decode NAME VALUE [--json]
          vmmctl regs vncr [--json]

        list     every register the model knows, sorted by KVM ONE_REG id: id, name, group, width in
                 bits, storage (core/vncr offset/slot/special/...), visibility, reset value, encoding.
                 --group GROUP     only one group (\(RegisterGroup.allCases.map(\.rawValue).joined(separator: ", ")))
                 --features LIST   only registers KVM lists for a vCPU with these features, comma-separated
                                   from: none, \(VCPUFeatures.names.map(\.1).joined(separator: ", ")) (e.g. el2,e2h0)
        show     one register by name (HCR_EL2, case-insensitive) or by ONE_REG id (0x603000000013e088);
                 ids the model does not name are decoded structurally.
        decode   split VALUE (0x..., 0b..., decimal; up to 128 bits) into the register's fields.
        vncr     the VNCR_EL2 page: which register lives at which byte offset (FEAT_NV2).

        --json   machine-readable output (register values and ids as "0x..." strings).

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        guard let verb = args.first else {
            throw .usage("missing subcommand (list, show, decode or vncr)", command: name)
        }
        let rest = Array(args.dropFirst())
        switch verb {
        case "list": return try list(rest, io)
        case "show": return try show(rest, io)
        case "decode": return try decode(rest, io)
        case "vncr": return try vncr(rest, io)
        default:
            throw .usage("unknown subcommand 'regs \(verb)' (expected list, show, decode or vncr)", command: name)
        }
    }

    // MARK: list

    static func list(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["json"], options: ["group", "features"])
        _ = try a.positionals([], command: name)
        var rows = RegisterTable.all
        if let g = a.options["group"] {
            guard let group = RegisterGroup(rawValue: g) else {
                throw .usage(
                    "unknown group '\(g)'; groups are \(RegisterGroup.allCases.map(\.rawValue).joined(separator: ", "))",
                    command: name)
            }
            rows = rows.filter { $0.group == group }
        }
        if let f = a.options["features"] {
            let features = try parseFeatures(f)
            rows = rows.filter { $0.isInRegList(for: features) }
        }
        if a.has("json") {
            io.print(JSONValue.array(rows.map(RegisterJSON.descriptor)).rendered())
        } else {
            io.print(RegisterTable.dumpHeader)
            for d in rows { io.print(RegisterTable.dumpLine(d)) }
            io.print("\(rows.count) registers")
        }
        return 0
    }

    static func parseFeatures(_ text: String) throws(CLIError) -> VCPUFeatures {
        var features: VCPUFeatures = []
        for part in text.split(separator: ",").map(String.init) where part != "none" {
            guard let f = VCPUFeatures.names.first(where: { $0.1 == part.lowercased() }) else {
                throw .usage(
                    "unknown feature '\(part)'; features are none, \(VCPUFeatures.names.map(\.1).joined(separator: ", "))",
                    command: name)
            }
            features.insert(f.0)
        }
        return features
    }

    // MARK: show

    static func show(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["json"])
        let key = try a.positionals(["a register name or id"], command: name)[0]
        let lookup = try resolve(key)
        if a.has("json") {
            io.print(RegisterJSON.lookup(lookup).rendered())
            return 0
        }
        switch lookup {
        case .known(let d): io.out.write(RegisterText.show(d))
        case .unknown(let u): io.out.write(RegisterText.show(u))
        }
        return 0
    }

    /// A name, or a number taken as a ONE_REG id.
    static func resolve(_ key: String) throws(CLIError) -> RegisterLookup {
        if let d = RegisterTable.named(key) { return .known(d) }
        if let first = key.first, first.isNumber {
            guard let v = NumberParsing.parseUInt128(key), v <= UInt128(UInt64.max) else {
                throw CLIError("'\(key)' is not a valid ONE_REG id: ids are 64-bit numbers such as 0x603000000013e088")
            }
            return RegisterTable.lookup(OneRegID(UInt64(v)))
        }
        throw CLIError(unknownNameMessage(key))
    }

    static func unknownNameMessage(_ key: String) -> String {
        let upper = key.uppercased()
        let near = RegisterTable.all.map(\.name).filter {
            $0.hasPrefix(String(upper.prefix(4))) || upper.hasPrefix(String($0.prefix(max(4, $0.count - 1))))
        }.prefix(5)
        var message = "unknown register '\(key)'"
        if !near.isEmpty { message += "; did you mean \(near.joined(separator: ", "))?" }
        return message + "\nRun 'vmmctl regs list' for every register name."
    }

    // MARK: decode

    static func decode(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["json"])
        let p = try a.positionals(["a register name", "a value"], command: name)
        guard let d = RegisterTable.named(p[0]) else {
            throw CLIError(unknownNameMessage(p[0]))
        }
        guard let value = NumberParsing.parseUInt128(p[1]) else {
            throw CLIError("'\(p[1])' is not a number: write it as 0x..., 0b... or decimal")
        }
        let widthBits = d.width.rawValue
        if widthBits < 128, value >> UInt128(widthBits) != 0 {
            throw CLIError("\(hexShort(value)) does not fit in \(d.name), which is \(widthBits) bits wide")
        }
        guard let layout = FieldCatalog.layout(for: d.name) else {
            throw CLIError(
                "no field layout for \(d.name) yet; registers with layouts: \(FieldCatalog.names.joined(separator: ", "))"
            )
        }
        let fields = layout.decode(value)
        if a.has("json") {
            io.print(
                JSONValue.object([
                    ("register", .string(d.name)), ("value", .hex(hexShort(value))),
                    ("fields", .array(fields.map(RegisterJSON.field))),
                ]).rendered())
        } else {
            io.out.write(RegisterText.decoded(d.name, value: value, fields: fields))
        }
        return 0
    }

    // MARK: vncr

    static func vncr(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["json"])
        _ = try a.positionals([], command: name)
        let layout = RegisterTable.vncrLayout
        if a.has("json") {
            io.print(
                JSONValue.array(
                    layout.map { d in
                        .object([
                            ("offset", .hex(hexShort(d.vncrOffset!))), ("bytes", .int(min(d.width.byteCount, 16))),
                            ("name", .string(d.name)), ("id", .hex(d.id.description)),
                        ])
                    }
                ).rendered())
        } else {
            io.out.write(RegisterText.vncrLayout(layout))
        }
        return 0
    }
}
