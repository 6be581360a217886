import SysRegs
import VMM

extension RegisterDump {
    /// The MTE controls that live in other registers, shown with the MTE group so one place answers
    /// "is tag checking on, and how": SCTLR_EL1's TCF/TCF0 (fault mode), ATA/ATA0 (tag access),
    /// ITFSB and TCSO/TCSO0, and for EL2 vCPUs HCR_EL2's ATA, DCT and TID5.
    static let mteControls: [(register: SysReg, fields: [String])] = [
        (SysReg.SCTLR_EL1, ["TCF", "TCF0", "ATA", "ATA0", "ITFSB", "TCSO", "TCSO0"]),
        (SysReg.HCR_EL2, ["ATA", "DCT", "TID5"]),
    ]

    /// Lines for the MTE controls of `vcpu` that it has (HCR_EL2 only on EL2 vCPUs).
    static func mteControlText(_ vcpu: VCPUState) -> [String] {
        var lines: [String] = []
        for (register, names) in mteControls {
            guard let value = vcpu.value(of: register), let layout = FieldCatalog.layout(for: register.name) else {
                continue
            }
            lines.append("  MTE controls in \(register.name) (\(hex64(value)))")
            for decoded in layout.decode(UInt128(value)) where names.contains(decoded.field.name) {
                var text = decoded.field.summary
                if let meaning = decoded.meaning { text += ": " + meaning }
                lines.append(
                    "      " + RegisterText.pad(decoded.field.name, 14) + RegisterText.pad(decoded.field.bitsText, 9)
                        + RegisterText.pad(hexShort(decoded.value), 12) + text)
            }
        }
        return lines
    }
}
