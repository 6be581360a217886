import SysRegs
import VMM

extension RegisterDump {
    /// One vCPU's part of the vGICv3 state: its CPU interface system registers (ICC_*, and ICH_*_EL2
    /// for EL2 vCPUs, read through the `CPU_SYSREGS` device group rather than ONE_REG) and its
    /// redistributor, listed or counted.
    struct GICView {
        /// A CPU interface register, named by the state or by the register table.
        struct Row {
            let name: String
            let encoding: SysRegEncoding
            let value: UInt64
            var decode: Decode? = nil
        }

        /// The CPU interface registers that decode into fields.
        static let decodedCPUInterface: [SysReg] = [.ICH_HCR_EL2, .ICH_VMCR_EL2]

        let mpidr: UInt64
        /// The GIC state had an entry for this vCPU's MPIDR.
        let found: Bool
        let cpuInterface: [Row]
        /// Redistributor registers to list (empty when only counted).
        let redistributor: [GICRegister]
        let redistributorCount: Int
        let listsRedistributor: Bool

        /// The view the filter selects, or nil when it selects nothing of the GIC.
        init?(mpidr: UInt64, cpu: GICCPUState?, filter: Filter, decode: Bool) {
            if case .group(let g) = filter, g != .gic { return nil }
            self.mpidr = mpidr
            found = cpu != nil
            var rows: [Row] = []
            for reg in cpu?.cpuInterface ?? [] where filter.matchesGIC(cpuInterfaceName(reg)) {
                var row = Row(
                    name: cpuInterfaceName(reg), encoding: SysRegEncoding(packed: UInt16(truncatingIfNeeded: reg.key)),
                    value: reg.value)
                if decode, let handle = Self.decodedCPUInterface.first(where: { $0.encoding == row.encoding }) {
                    row.decode = Decode(register: handle.name, id: handle.id, value: UInt128(reg.value), e2h: false)
                }
                rows.append(row)
            }
            cpuInterface = rows
            redistributorCount = cpu?.redistributor.count ?? 0
            listsRedistributor = filter.listsAllGIC || filter.isPattern
            redistributor = listsRedistributor ? (cpu?.redistributor ?? []).filter { filter.matchesGIC($0.name) } : []
            if filter.isPattern && rows.isEmpty && redistributor.isEmpty { return nil }
        }
    }

    /// The GIC state of the vCPU with this MPIDR, compared on the affinity fields (Aff3, Aff2..Aff0) so
    /// that MPIDR_EL1's RES1 bit 31 and MT/U bits do not matter.
    static func gicCPU(for mpidr: UInt64, in gic: GICState) -> GICCPUState? {
        let affinity: UInt64 = 0xFF_00FF_FFFF
        return gic.cpus.first { $0.mpidr & affinity == mpidr & affinity }
    }

    /// A CPU interface register's name: as the state recorded it, else from the table by encoding,
    /// else the generic `S3_4_C12_C11_0` spelling.
    static func cpuInterfaceName(_ reg: GICRegister) -> String {
        if !reg.name.isEmpty { return reg.name }
        let encoding = SysRegEncoding(packed: UInt16(truncatingIfNeeded: reg.key))
        return RegisterTable.descriptor(for: encoding)?.name ?? encoding.description
    }

    /// A GIC register value: 8 hex digits when it fits in 32 bits (distributor and redistributor
    /// registers are 32-bit accesses), 16 otherwise.
    static func gicValueText(_ value: UInt64) -> String {
        value <= UInt64(UInt32.max) ? hex(UInt128(value), byteCount: 4) : hex64(value)
    }
}
