import SysRegs

/// Human-readable renderings of registers for `vmmctl regs` (and later dump-regs).
enum RegisterText {
    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }

    static func show(_ d: RegisterDescriptor) -> String {
        var lines = [
            d.name,
            "  id          \(d.id) (\(d.id.byteCount)-byte ONE_REG transfer)",
            "  encoding    "
                + (d.encoding.map { e in
                    "op0=\(e.op0) op1=\(e.op1) CRn=\(e.crn) CRm=\(e.crm) op2=\(e.op2) (\(e))"
                } ?? "none (not a system register)"),
            "  group       \(d.group.rawValue)",
            "  width       \(d.width.rawValue) bits",
            "  storage     \(storageText(d.storage))",
            "  visibility  \(visibilityText(d.visibility))",
            "  reset       \(resetText(d.reset))",
        ]
        if let sysEnc = d.encoding, OneRegID.sysreg(sysEnc) != d.id {
            lines.append(
                "  note        KVM's id for this register carries the encoding \(d.id.sysRegEncoding.map(\.description) ?? "?"), "
                    + "not its own: a frozen ABI quirk")
        }
        if let layout = FieldCatalog.layout(for: d.name) {
            lines.append("  fields")
            for f in layout.fields {
                lines.append("    " + pad(f.name, 14) + pad(f.bitsText, 9) + f.summary)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func show(_ u: UnknownRegister) -> String {
        var lines = [
            "\(u.name): not in the register model",
            "  id          \(u.id)",
            "  arch        " + (u.id.isARM64 ? "arm64" : "not arm64 (arch field \(hexShort(u.id.rawValue >> 56)))"),
            "  group       \(u.groupName)",
            "  size        \(u.id.byteCount) bytes",
            "  index       \(hexShort(u.id.index))",
        ]
        if let e = u.id.sysRegEncoding, u.id.isARM64 {
            lines.append("  encoding    op0=\(e.op0) op1=\(e.op1) CRn=\(e.crn) CRm=\(e.crm) op2=\(e.op2)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func storageText(_ s: Storage) -> String {
        switch s {
        case .core(let offset, let vncr):
            return "struct kvm_regs member at byte \(hexShort(offset))"
                + (vncr.map { "; VNCR_EL2 page slot at \(hexShort($0))" } ?? "")
        case .vncr(let offset): return "VNCR_EL2 page slot at byte \(hexShort(offset))"
        case .slot: return "register-file slot (no VNCR slot)"
        case .special: return "EL2 special register (kept apart from the sysreg array; ONE_REG sysreg id)"
        case .firmware: return "KVM firmware pseudo-register"
        case .sve: return "SVE register"
        case .demux: return "CCSIDR_EL1 through the CSSELR demultiplexer"
        default: return s.description
        }
    }

    static func visibilityText(_ v: Visibility) -> String {
        switch v {
        case .always: return "every vCPU"
        case .el2: return "vCPUs with KVM_ARM_VCPU_HAS_EL2"
        case .el2VHE: return "vCPUs with KVM_ARM_VCPU_HAS_EL2, not HAS_EL2_E2H0"
        case .el2E2H0: return "vCPUs with KVM_ARM_VCPU_HAS_EL2 and HAS_EL2_E2H0"
        case .feature: return "vCPUs with \(v.description)"
        case .notListed: return "not in KVM_GET_REG_LIST"
        default: return v.description
        }
    }

    static func resetText(_ r: Reset) -> String {
        switch r {
        case .value(let v): return hex64(v)
        case .unknown: return "UNKNOWN (KVM writes \(hex64(Reset.poison)))"
        case .host: return "from the host"
        }
    }

    static func decoded(_ name: String, value: UInt128, fields: [DecodedField]) -> String {
        var lines = ["\(name) = \(value > UInt128(UInt64.max) ? hex128(value) : hex64(UInt64(value)))"]
        for f in fields {
            var line = "  " + pad(f.field.name, 14) + pad(f.field.bitsText, 9) + pad(hexShort(f.value), 8)
            if let m = f.meaning { line += m } else if !f.field.summary.isEmpty { line += f.field.summary }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func vncrLayout(_ layout: [RegisterDescriptor]) -> String {
        var lines = [pad("OFFSET", 8) + pad("BYTES", 6) + pad("NAME", 20) + "ONE_REG ID"]
        for d in layout {
            lines.append(
                pad(hexShort(d.vncrOffset!), 8) + pad(String(min(d.width.byteCount, 16)), 6) + pad(d.name, 20)
                    + d.id.description)
        }
        let used = layout.reduce(0) { $0 + min($1.width.byteCount, 16) }
        lines.append("\(layout.count) registers, \(used) of \(VNCRPage.size) bytes named")
        return lines.joined(separator: "\n") + "\n"
    }
}
