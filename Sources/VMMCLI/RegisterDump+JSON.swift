import SysRegs
import VMM

extension RegisterDump {
    /// The JSON dump: `{"vcpus": [...], "gicDistributor": {...}, "counter": {...}, "memory": {...},
    /// "machine": {...}}`. Values are full-width `"0x..."` strings, never abbreviated.
    static func jsonValue(_ report: Report) -> JSONValue {
        let s = report.state
        var distributor: [(String, JSONValue)] = [("count", .int(s.gic.distributor.count))]
        if report.listsDistributor {
            distributor.append(("registers", .array(report.distributor.map(gicRegisterJSON))))
        }
        return .object([
            ("vcpus", .array(report.vcpus.map(vcpuJSON))),
            ("gicDistributor", .object(distributor)),
            (
                "counter",
                .object([
                    ("offset", .hex(hex64(s.counter.offset))),
                    ("guestCounterAtPause", .hex(hex64(s.counter.guestCounterAtPause))),
                ])
            ),
            (
                "memory",
                .object([
                    ("guestAddress", .hex(hex64(s.memory.guestAddress))), ("size", .hex(hexShort(s.memory.size))),
                    ("fileName", .string(s.memory.fileName)),
                    ("checksum", .hex(hex(UInt128(s.memory.checksum), byteCount: 4))),
                ])
            ),
            ("machine", machineJSON(s)),
        ])
    }

    static func machineJSON(_ s: MachineState) -> JSONValue {
        .object([
            ("version", .int(Int(s.version))), ("vcpuCount", .int(s.config.vcpuCount)),
            ("nested", .bool(s.config.nested)), ("e2h0", .bool(s.config.e2h0)),
        ])
    }

    static func vcpuJSON(_ dump: VCPUDump) -> JSONValue {
        let v = dump.vcpu
        let c = dump.context
        var members: [(String, JSONValue)] = [
            ("index", .int(v.index)), ("mpidr", .hex(hex64(v.mpidr))),
            ("features", .array(featureNames(v.features).map(JSONValue.string))),
            ("mpState", .string(MPState(rawValue: v.mpState).description)),
            ("exceptionLevel", c.exceptionLevel.map { .string("EL\($0)") } ?? .null),
            ("mode", c.mode.map(JSONValue.string) ?? .null),
            ("stackPointer", c.stackPointer.map(JSONValue.string) ?? .null),
            ("regime", c.regime.map { .string($0.rawValue) } ?? (c.exceptionLevel == 3 ? .string("EL3") : .null)),
        ]
        if c.hasEL2 { members.append(("hcr", hcrJSON(c))) }
        if v.events.serrorPending {
            members.append(("serrorPending", .object([("esr", .hex(hex64(v.events.serrorESR)))])))
        }
        members.append(("groups", .array(dump.groups.map(groupJSON))))
        if let gic = dump.gic { members.append(("gic", gicJSON(gic))) }
        if let vncr = dump.vncr {
            members.append(("vncrPresent", .int(vncr.present)))
            members.append(("vncr", .array(vncr.slots.map(slotJSON))))
        }
        return .object(members)
    }

    /// HCR_EL2's regime bits and the guest hypervisor's stage 2, for EL2 vCPUs.
    static func hcrJSON(_ c: ExecutionContext) -> JSONValue {
        var stage2: [(String, JSONValue)] = [("enabled", .bool(c.stage2Enabled))]
        if let vmid = c.vmid, let baddr = c.baddr {
            stage2 += [("vmid", .int(Int(vmid))), ("baddr", .hex(hex64(baddr)))]
        }
        return .object([
            ("present", .bool(c.hasHCR)), ("e2h", .bool(c.e2h)), ("tge", .bool(c.tge)),
            ("stage2", .object(stage2)),
        ])
    }

    static func groupJSON(_ group: RowGroup) -> JSONValue {
        .object([
            ("group", .string(group.group?.rawValue ?? "unknown")),
            ("registers", .array(group.rows.map(rowJSON))),
        ])
    }

    static func rowJSON(_ row: Row) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(row.name)), ("id", .hex(row.id.description)), ("value", .hex(hex(row.value.bytes))),
        ]
        if row.group == nil {
            members.append(("known", .bool(false)))
            if let stored = row.storedName { members.append(("recordedName", .string(stored))) }
        }
        if let d = row.decode { members += decodeJSON(d) }
        return .object(members)
    }

    static func decodeJSON(_ d: Decode) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if let layout = d.layout { members.append(("layout", .string(layout))) }
        members.append(("fields", .array(d.fields.map(RegisterJSON.field))))
        return members
    }

    static func gicJSON(_ gic: GICView) -> JSONValue {
        let cpuInterface = gic.cpuInterface.map { row -> JSONValue in
            var members: [(String, JSONValue)] = [
                ("name", .string(row.name)), ("encoding", .string(row.encoding.description)),
                ("value", .hex(hex64(row.value))),
            ]
            if let d = row.decode { members += decodeJSON(d) }
            return .object(members)
        }
        var redistributor: [(String, JSONValue)] = [("count", .int(gic.redistributorCount))]
        if gic.listsRedistributor {
            redistributor.append(("registers", .array(gic.redistributor.map(gicRegisterJSON))))
        }
        return .object([
            ("mpidr", .hex(hex64(gic.mpidr))), ("found", .bool(gic.found)), ("cpuInterface", .array(cpuInterface)),
            ("redistributor", .object(redistributor)),
        ])
    }

    static func gicRegisterJSON(_ reg: GICRegister) -> JSONValue {
        .object([
            ("offset", .hex(hexShort(reg.key))), ("name", .string(reg.name)), ("value", .hex(gicValueText(reg.value))),
        ])
    }

    static func slotJSON(_ slot: VNCRView.Slot) -> JSONValue {
        .object([
            ("offset", .hex(hexShort(slot.offset))), ("name", .string(slot.name)),
            ("value", .hex(hex(slot.value, byteCount: slot.byteCount))),
        ])
    }
}
