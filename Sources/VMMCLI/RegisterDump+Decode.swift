import SysRegs

extension RegisterDump {
    /// A register decoded into its non-zero fields, each with its enumerated meaning where the layout
    /// has one (zero fields are left out: most are "trap disabled" or RES0, and listing them buries
    /// the few that are set).
    struct Decode {
        /// The FieldCatalog layout used, when it is not the register's own or depends on HCR_EL2.E2H
        /// (`CPTR_EL2.E2H0`, `TCR_EL1` for TCR_EL2 under E2H=1, `PAR_EL1.F1`).
        let layout: String?
        /// Why that layout was chosen.
        let reason: String?
        let fields: [DecodedField]

        /// Decodes the register `name` with ONE_REG id `id` (whose layout is the catalog's `name` unless
        /// the id picks another); E2H-dependent registers take the layout the vCPU's HCR_EL2.E2H selects.
        /// nil when the catalog has no layout for it.
        init?(register: String, id: OneRegID, value: UInt128, e2h: Bool) {
            let e2hText = "HCR_EL2.E2H=\(e2h ? 1 : 0)"
            var layoutName = register
            var reason: String? = nil
            switch id {
            case SysReg.PAR_EL1.id:
                let all = FieldCatalog.decodePAR_EL1(value)
                let f = value & 1 == 1
                let d128 = (value >> 64) & 1 == 1
                let name = f ? "PAR_EL1.F1" : (d128 ? "PAR_EL1.D128" : nil)
                self.init(layout: name, reason: name == nil ? nil : "PAR_EL1.F/D128 select it", all: all)
                return
            case SysReg.CPTR_EL2.id, SysReg.CNTHCTL_EL2.id:
                if !e2h { layoutName = register + ".E2H0" }
                reason = e2hText
            case SysReg.TCR_EL2.id:
                // With E2H=1, TCR_EL2 has the two-range TCR_EL1 shape (Arm ARM D24.2 "TCR_EL2").
                if e2h { layoutName = SysReg.TCR_EL1.name }
                reason = e2hText
            case SysReg.SCTLR_EL2.id:
                // The catalog's layout is the E2H=1 view; under E2H=0 some of its bits are RES1 instead.
                if !e2h {
                    layoutName = SysReg.SCTLR_EL1.name
                    reason = "the E2H=1 view; with HCR_EL2.E2H=0 several of these bits are RES1"
                }
            default: break
            }
            guard let layout = FieldCatalog.layout(for: layoutName) else { return nil }
            // E2H-dependent registers always say which view they were decoded with.
            let named = layoutName != register || reason != nil
            self.init(layout: named ? layoutName : nil, reason: reason, all: layout.decode(value))
        }

        init(layout: String?, reason: String?, all: [DecodedField]) {
            self.layout = layout
            self.reason = reason
            self.fields = all.filter { $0.value != 0 }
        }
    }
}
