import SysRegs

/// JSON renderings of registers for `--json` output.
enum RegisterJSON {
    static func descriptor(_ d: RegisterDescriptor) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(d.name)), ("id", .hex(d.id.description)), ("transferBytes", .int(d.id.byteCount)),
            ("group", .string(d.group.rawValue)), ("width", .int(d.width.rawValue)),
            ("storage", storage(d.storage)), ("visibility", .string(d.visibility.description)),
            ("reset", reset(d.reset)),
        ]
        if let e = d.encoding {
            members.append(
                (
                    "encoding",
                    .object([
                        ("op0", .int(Int(e.op0))), ("op1", .int(Int(e.op1))), ("CRn", .int(Int(e.crn))),
                        ("CRm", .int(Int(e.crm))), ("op2", .int(Int(e.op2))),
                    ])
                ))
        }
        if let layout = FieldCatalog.layout(for: d.name) {
            members.append(
                (
                    "fields",
                    .array(
                        layout.fields.map { f in
                            .object([
                                ("name", .string(f.name)), ("msb", .int(f.msb)), ("lsb", .int(f.lsb)),
                                ("summary", .string(f.summary)),
                            ])
                        })
                ))
        }
        return .object(members)
    }

    static func lookup(_ l: RegisterLookup) -> JSONValue {
        switch l {
        case .known(let d): return descriptor(d)
        case .unknown(let u):
            return .object([
                ("name", .string(u.name)), ("id", .hex(u.id.description)), ("known", .bool(false)),
                ("arm64", .bool(u.id.isARM64)), ("group", .string(u.groupName)),
                ("transferBytes", .int(u.id.byteCount)), ("index", .hex(hexShort(u.id.index))),
            ])
        }
    }

    static func storage(_ s: Storage) -> JSONValue {
        switch s {
        case .core(let offset, let vncr):
            var m: [(String, JSONValue)] = [("kind", .string("core")), ("offset", .hex(hexShort(offset)))]
            if let v = vncr { m.append(("vncrOffset", .hex(hexShort(v)))) }
            return .object(m)
        case .vncr(let offset): return .object([("kind", .string("vncr")), ("offset", .hex(hexShort(offset)))])
        default:
            if let v = s.vncrOffsetIfAny {
                return .object([("kind", .string(s.description)), ("vncrOffset", .hex(hexShort(v)))])
            }
            return .object([("kind", .string(s.description))])
        }
    }

    static func reset(_ r: Reset) -> JSONValue {
        switch r {
        case .value(let v): return .hex(hex64(v))
        case .unknown: return .string("unknown")
        case .host: return .string("host")
        }
    }

    static func field(_ f: DecodedField) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("name", .string(f.field.name)), ("msb", .int(f.field.msb)), ("lsb", .int(f.field.lsb)),
            ("value", .hex(hexShort(f.value))),
        ]
        if let meaning = f.meaning { m.append(("meaning", .string(meaning))) }
        return .object(m)
    }
}

extension Storage {
    /// Placeholder for storages other than core/vncr that may carry a VNCR offset (GIC ICH registers).
    fileprivate var vncrOffsetIfAny: Int? { nil }
}
