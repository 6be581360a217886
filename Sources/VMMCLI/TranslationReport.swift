import SysRegs

/// `translate`'s output: per address the PAR_EL1 value, what it means, and the walk, as text or JSON.
struct TranslationReport {
    let vcpu: Int
    let memory: GuestRAMReader
    let results: [TranslationResult]

    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    func text() -> String {
        results.map(text).joined()
    }

    func text(_ r: TranslationResult) -> String {
        var lines: [String] = []
        let head = "vCPU \(vcpu) AT \(r.operation) \(Self.hex(r.inputAddress)) (\(r.regime))"
        if let fault = r.fault {
            lines.append(head + ": fault")
            lines.append(
                "  PAR_EL1 \(Self.hex16(r.par)): F=1 FST=0b\(binary(fault.fst, 6)) S=\(fault.stage2 ? 1 : 0) "
                    + "PTW=\(fault.onStage1Walk ? 1 : 0)")
            lines.append("  \(fault)")
        } else {
            let pa = r.outputAddress ?? 0
            var where_ = "PA \(Self.hex(pa))"
            if r.operation.includesStage2 || !r.stage2Used {
                where_ +=
                    memory.fileOffset(of: pa).map { ", memory file offset \(Self.hex($0))" } ?? ", not in guest RAM"
            }
            lines.append(head + ": " + (r.stage2Used && !r.operation.includesStage2 ? "IPA \(Self.hex(pa))" : where_))
            if r.operation.includesStage2, let ipa = r.stage1Output, r.stage2Used {
                lines.append("  stage 1 output (IPA) \(Self.hex(ipa))")
            }
            lines.append(
                "  PAR_EL1 \(Self.hex16(r.par)): F=0 ATTR=0x\(String(r.attributes ?? 0, radix: 16)) "
                    + "SH=0b\(binary(r.shareability ?? 0, 2))")
            if let p = r.permissions { lines.append("  permissions \(p.text(regime: r.regime))") }
            if r.stage1Disabled { lines.append("  stage 1 is off (SCTLR.M=0): flat mapping") }
        }
        for note in r.notes { lines.append("  note: \(note)") }
        for step in r.steps {
            let descriptor = step.descriptor.map(Self.hex16) ?? "(not read)"
            lines.append(
                "  stage \(step.stage) level \(step.level) table \(Self.hex(step.tableAddress)) "
                    + "[\(Self.hex(step.descriptorAddress))] = \(descriptor): \(step.decision)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func binary(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 2)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    func json() -> JSONValue {
        .array(results.map(json))
    }

    func json(_ r: TranslationResult) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("vcpu", .int(vcpu)), ("operation", .string(r.operation.rawValue)), ("regime", .string(r.regime.rawValue)),
            ("address", .hex(Self.hex16(r.inputAddress))), ("par", .hex(Self.hex16(r.par))),
        ]
        if let fault = r.fault {
            members.append(
                (
                    "fault",
                    .object([
                        ("fst", .int(Int(fault.fst))), ("level", .int(fault.level)),
                        ("stage", .int(fault.stage2 ? 2 : 1)),
                        ("ptw", .bool(fault.onStage1Walk)), ("description", .string(fault.description)),
                    ])
                ))
        } else {
            if let ipa = r.stage1Output, r.stage2Used { members.append(("ipa", .hex(Self.hex16(ipa)))) }
            if let pa = r.outputAddress {
                members.append(("output", .hex(Self.hex16(pa))))
                let final = !r.stage2Used || r.operation.includesStage2
                let offset = final ? memory.fileOffset(of: pa) : nil
                members.append(("memoryFileOffset", offset.map { .hex(Self.hex16($0)) } ?? .null))
            }
            members.append(("attr", .hex("0x" + String(r.attributes ?? 0, radix: 16))))
            members.append(("sh", .int(Int(r.shareability ?? 0))))
            if let p = r.permissions { members.append(("permissions", .string(p.text(regime: r.regime)))) }
            members.append(("stage1Disabled", .bool(r.stage1Disabled)))
        }
        members.append(("notes", .array(r.notes.map(JSONValue.string))))
        members.append(
            (
                "walk",
                .array(
                    r.steps.map { step in
                        .object([
                            ("stage", .int(step.stage)), ("level", .int(step.level)),
                            ("table", .hex(Self.hex16(step.tableAddress))),
                            ("descriptorAddress", .hex(Self.hex16(step.descriptorAddress))),
                            ("descriptor", step.descriptor.map { .hex(Self.hex16($0)) } ?? .null),
                            ("decision", .string(step.decision.description)),
                        ])
                    })
            ))
        return .object(members)
    }
}
