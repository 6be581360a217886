import SysRegs
import VMM

extension RegisterDump {
    /// One register of a vCPU as dumped.
    struct Row {
        /// The model's name, or the structural name of an id the model does not know.
        let name: String
        let id: OneRegID
        /// nil for an id the model does not know.
        let group: RegisterGroup?
        let value: RegisterValue
        /// For unknown ids, the name the snapshot recorded when it differs from the structural one.
        let storedName: String?
        var decode: Decode? = nil
    }

    /// The rows of one group, in KVM_GET_REG_LIST order; `group` nil holds the unknown ids.
    struct RowGroup {
        let group: RegisterGroup?
        let rows: [Row]
    }

    /// Everything shown for one vCPU.
    struct VCPUDump {
        let vcpu: VCPUState
        let context: ExecutionContext
        /// Non-empty groups, in `groupOrder`, unknown ids last.
        let groups: [RowGroup]
        /// nil when the filter selects nothing of the GIC.
        let gic: GICView?
        /// EL2 vCPUs only, and nil when the filter selects none of the page's registers.
        let vncr: VNCRView?
    }

    /// The order groups are dumped in. GIC CPU interface registers are not ONE_REG registers (they
    /// come from the vGIC device), so `.gic` is normally empty here and has its own section.
    static let groupOrder: [RegisterGroup] = [
        .core, .fpsimd, .el0, .el1, .el2, .el2Special, .timer, .id, .debug, .pmu, .pauth, .mte, .gic, .firmware,
        .sve, .cache,
    ]

    /// The registers that decode into fields (Arm ARM D24.2 register descriptions).
    static let decodedRegisters: [SysReg] = [
        .PSTATE, .SPSR_EL1, .SPSR_EL2, .HCR_EL2, .SCTLR_EL1, .SCTLR_EL2, .TCR_EL1, .TCR_EL2, .VTCR_EL2,
        .ESR_EL1, .ESR_EL2, .CPTR_EL2, .CNTHCTL_EL2, .MDCR_EL2, .PAR_EL1, .VTTBR_EL2, .VNCR_EL2,
        .GCR_EL1, .RGSR_EL1, .TFSR_EL1, .TFSRE0_EL1, .TFSR_EL2,
    ]
    static let decodedIDs = Set(decodedRegisters.map(\.id))

    /// A register entry as a row: named by the table, or structurally when the table lacks its id.
    static func row(for entry: RegisterEntry) -> Row {
        switch RegisterTable.lookup(entry.id) {
        case .known(let d):
            return Row(name: d.name, id: entry.id, group: d.group, value: entry.value, storedName: nil)
        case .unknown(let u):
            let stored = entry.name.isEmpty || entry.name == u.name ? nil : entry.name
            return Row(name: u.name, id: entry.id, group: nil, value: entry.value, storedName: stored)
        }
    }

    /// Builds one vCPU's dump: header facts from all its registers, rows and sections from the filter.
    static func vcpuDump(_ vcpu: VCPUState, gic: GICState, filter: Filter, decode: Bool) -> VCPUDump {
        let file = vcpu.registerFile
        let context = ExecutionContext(vcpu: vcpu, file: file)
        var rows = vcpu.registers.map(row(for:)).filter(filter.matches)
        if decode {
            for i in rows.indices where decodedIDs.contains(rows[i].id) {
                rows[i].decode = Decode(
                    register: rows[i].name, id: rows[i].id, value: rows[i].value.u128, e2h: context.e2h)
            }
        }
        var groups = groupOrder.compactMap { g -> RowGroup? in
            let members = rows.filter { $0.group == g }
            return members.isEmpty ? nil : RowGroup(group: g, rows: members)
        }
        let unknown = rows.filter { $0.group == nil }
        if !unknown.isEmpty { groups.append(RowGroup(group: nil, rows: unknown)) }
        let cpu = gicCPU(for: vcpu.mpidr, in: gic)
        let gicView = GICView(mpidr: vcpu.mpidr, cpu: cpu, filter: filter, decode: decode)
        let vncr =
            vcpu.features.el2 ? VNCRView(file: file, gicCPU: cpu, filter: filter, e2h0: vcpu.features.e2h0) : nil
        return VCPUDump(vcpu: vcpu, context: context, groups: groups, gic: gicView, vncr: vncr)
    }
}
