import SysRegs
import VMM

extension RegisterDump {
    /// What each group is called in the text dump.
    static func label(_ group: RegisterGroup?) -> String {
        guard let group else { return "Unknown ids (not in the register model; named by their structure)" }
        switch group {
        case .core: return "Core registers (struct kvm_regs)"
        case .fpsimd: return "FP/SIMD registers"
        case .el0: return "EL0 system registers"
        case .el1: return "EL1 system registers"
        case .el2: return "EL2 system registers"
        case .el2Special: return "EL2 special registers (kept apart from the sysreg array, reached through ONE_REG)"
        case .timer: return "Generic timer registers"
        case .id: return "ID registers"
        case .debug: return "Debug registers"
        case .pmu: return "PMU registers"
        case .pauth: return "Pointer authentication keys"
        case .mte: return "MTE registers"
        case .gic: return "GIC CPU interface registers"
        case .firmware: return "KVM firmware pseudo-registers"
        case .sve: return "SVE registers"
        case .cache: return "Cache geometry (CCSIDR_EL1 through CSSELR_EL1)"
        }
    }

    /// The whole text dump: a machine header, then each vCPU.
    static func render(_ report: Report) -> String {
        var lines = machineHeader(report)
        for dump in report.vcpus {
            lines.append("")
            lines += vcpuText(dump, abbreviate: !report.filter.isPattern)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func machineHeader(_ report: Report) -> [String] {
        let s = report.state
        let c = s.config
        let kind = c.nested ? (c.e2h0 ? "nested (EL2, E2H0)" : "nested (EL2, VHE)") : "EL1 guest"
        var lines = [
            "machine   \(c.vcpuCount) vCPU\(c.vcpuCount == 1 ? "" : "s"), \(kind), state version \(s.version)",
            "memory    \(hexShort(s.memory.size)) bytes at \(hexShort(s.memory.guestAddress)) in "
                + "\(s.memory.fileName) (CRC-32C \(hex(UInt128(s.memory.checksum), byteCount: 4)))",
            "counter   VM-wide offset \(hex64(s.counter.offset)), guest counter at pause "
                + hex64(s.counter.guestCounterAtPause),
        ]
        if let tags = s.tags {
            lines.append(
                "tags      MTE allocation tags of \(hexShort(tags.size)) bytes at \(hexShort(tags.guestAddress)) in "
                    + "\(tags.fileName) (CRC-32C \(hex(UInt128(tags.checksum), byteCount: 4)))")
        }
        if report.listsDistributor {
            if !report.distributor.isEmpty {
                lines.append("GIC distributor")
                lines += report.distributor.map(gicRegisterLine)
            }
        } else if report.filter == .everything {
            lines.append("GIC distributor: \(s.gic.distributor.count) registers (--filter gic lists them)")
        }
        return lines
    }

    /// One vCPU: header, groups, GIC CPU interface, VNCR page view.
    static func vcpuText(_ dump: VCPUDump, abbreviate: Bool) -> [String] {
        var lines = vcpuHeader(dump)
        if dump.groups.isEmpty && dump.gic == nil && dump.vncr == nil {
            lines.append("(no matching registers on this vCPU)")
        }
        for group in dump.groups {
            let width = group.rows.map(\.name.count).max() ?? 0
            lines.append("")
            let key = group.group?.rawValue ?? "unknown"
            lines.append("\(label(group.group)) [\(key)]")
            for row in group.rows {
                lines += rowText(row, nameWidth: max(width, 12) + 1, abbreviate: abbreviate)
            }
            if group.group == .mte { lines += mteControlText(dump.vcpu) }
        }
        if let gic = dump.gic { lines += gicText(gic) }
        if let vncr = dump.vncr { lines += vncrText(vncr) }
        return lines
    }

    static func vcpuHeader(_ dump: VCPUDump) -> [String] {
        let v = dump.vcpu
        let names = featureNames(v.features)
        let features = names.isEmpty ? "none" : names.joined(separator: ", ")
        var lines = [
            "=== vCPU \(v.index)  MPIDR \(hex64(v.mpidr))  features \(features)  MP state "
                + MPState(rawValue: v.mpState).description,
            "  exception level  \(dump.context.levelText)",
            "  regime           \(dump.context.regimeText)",
        ]
        if let stage2 = dump.context.stage2Text { lines.append("  stage 2          \(stage2)") }
        let e = v.events
        if e.serrorPending {
            lines.append("  events           SError pending" + (e.serrorHasESR ? " (ESR \(hex64(e.serrorESR)))" : ""))
        }
        return lines
    }

    /// A register line (name, id, value) and its decoded fields underneath.
    static func rowText(_ row: Row, nameWidth: Int, abbreviate: Bool) -> [String] {
        var line = "  " + RegisterText.pad(row.name, nameWidth) + RegisterText.pad(row.id.description, 19)
        line += valueText(row.value, name: row.name, abbreviate: abbreviate)
        if row.group == nil {
            let recorded = row.storedName.map { "; recorded as \($0)" } ?? ""
            line += "  (\(UnknownRegister(id: row.id).groupName), \(row.id.byteCount) bytes\(recorded))"
        }
        return [line] + (row.decode.map(decodeText) ?? [])
    }

    /// A value at full width; values over 32 bytes (SVE Zn, the VLS bitmap) are cut to their low 16
    /// bytes unless the filter named them.
    static func valueText(_ value: RegisterValue, name: String, abbreviate: Bool) -> String {
        let bytes = value.bytes
        guard abbreviate, bytes.count > 32 else { return hex(bytes) }
        let low = String(hex(Array(bytes.prefix(16))).dropFirst(2))
        return "0x..." + low + " (\(bytes.count) bytes, low 16 shown; --filter \(name) shows all)"
    }

    /// Decoded fields, indented under their register.
    static func decodeText(_ decode: Decode) -> [String] {
        var lines: [String] = []
        if let layout = decode.layout {
            lines.append("      (fields as \(layout)" + (decode.reason.map { ": \($0)" } ?? "") + ")")
        }
        for f in decode.fields {
            var text = f.field.summary
            if let meaning = f.meaning { text = text.isEmpty ? meaning : text + ": " + meaning }
            lines.append(
                "      " + RegisterText.pad(f.field.name, 14) + RegisterText.pad(f.field.bitsText, 9)
                    + RegisterText.pad(hexShort(f.value), 12) + text)
        }
        return lines
    }

    static func gicText(_ gic: GICView) -> [String] {
        var lines = ["", "GIC CPU interface (vGICv3 CPU_SYSREGS) for MPIDR \(hex64(gic.mpidr)) [gic]"]
        guard gic.found else { return lines + ["  no GIC state for this MPIDR"] }
        for row in gic.cpuInterface {
            lines.append(
                "  " + RegisterText.pad(row.name, 18) + RegisterText.pad(row.encoding.description, 19)
                    + hex64(row.value))
            if let d = row.decode { lines += decodeText(d) }
        }
        if gic.listsRedistributor {
            if !gic.redistributor.isEmpty {
                lines.append("GIC redistributor")
                lines += gic.redistributor.map(gicRegisterLine)
            }
        } else {
            lines.append("GIC redistributor: \(gic.redistributorCount) registers (--filter gic lists them)")
        }
        return lines
    }

    /// A distributor or redistributor register: offset, name, value.
    static func gicRegisterLine(_ reg: GICRegister) -> String {
        "  " + RegisterText.pad(hexShort(reg.key), 8) + RegisterText.pad(reg.name, 18) + gicValueText(reg.value)
    }

    static func vncrText(_ vncr: VNCRView) -> [String] {
        var lines = [
            "",
            "VNCR page view: \(vncr.present) of the \(vncr.total) VNCR-backed registers present",
            "  KVM does not expose the VNCR_EL2 page itself; this is the page as the model lays it out",
            "  from the register values above (VNCRPage).",
        ]
        if vncr.e2h0 {
            lines.append("  This vCPU is E2H0: its guest hypervisor has no FEAT_NV2 and never sees such a page.")
        }
        for slot in vncr.slots {
            lines.append(
                "  " + RegisterText.pad(hexShort(slot.offset), 7) + RegisterText.pad(slot.name, 18)
                    + hex(slot.value, byteCount: slot.byteCount))
        }
        return lines
    }
}
