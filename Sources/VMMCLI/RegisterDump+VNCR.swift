import SysRegs
import VMM

extension RegisterDump {
    /// An EL2 vCPU's registers laid out as the VNCR_EL2 page (Arm ARM D8.12 "Enhanced support for nested
    /// virtualization"), in which FEAT_NV2 keeps a guest hypervisor's EL1/EL2 context.
    ///
    /// KVM does not expose the page to userspace: the values come from ONE_REG (and, for the ICH_*_EL2
    /// slots, from the vGIC's CPU_SYSREGS group), rendered through `VNCRPage(rendering:)` and read back,
    /// so this is the page as the model lays it out.
    struct VNCRView {
        struct Slot {
            let offset: Int
            let byteCount: Int
            let name: String
            let value: UInt128
        }

        /// The slots the filter selects whose register had a value, by offset.
        let slots: [Slot]
        /// How many VNCR-backed registers had a value (before filtering).
        let present: Int
        /// How many VNCR-backed registers the model knows.
        let total: Int
        /// The vCPU is HAS_EL2_E2H0: its guest hypervisor has no FEAT_NV2 and never sees such a page.
        let e2h0: Bool

        /// The view, or nil when a filter selects none of the page's registers.
        init?(file: RegisterFile, gicCPU: GICCPUState?, filter: Filter, e2h0: Bool) {
            self.e2h0 = e2h0
            var file = file
            for reg in gicCPU?.cpuInterface ?? [] {
                let encoding = SysRegEncoding(packed: UInt16(truncatingIfNeeded: reg.key))
                if let d = RegisterTable.descriptor(for: encoding), d.vncrOffset != nil {
                    file[d] = UInt128(reg.value)
                }
            }
            let page = VNCRPage(rendering: file)
            let backed = RegisterTable.vncrLayout.filter { file[$0.id] != nil }
            present = backed.count
            total = RegisterTable.vncrLayout.count
            slots = backed.filter(filter.matches).map { d in
                Slot(
                    offset: d.vncrOffset ?? 0, byteCount: min(d.width.byteCount, 16), name: d.name,
                    value: page[d] ?? 0)
            }
            if filter != .everything && slots.isEmpty { return nil }
        }
    }
}
