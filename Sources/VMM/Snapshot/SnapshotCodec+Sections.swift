import SysRegs

// Payloads of the machine-wide sections: MACH, CNTR, GIC3, DEV, MEM, and format 1's UART
// (docs/snapshot-format.md).

extension SnapshotCodec {
    static func encodeMachine(_ shape: MachineShape) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.count(shape.vcpuCount)
        out.u64(shape.memorySize)
        out.bool(shape.nested)
        out.bool(shape.e2h0)
        out.string(shape.cmdline)
        out.u64(shape.ramBase)
        out.u64(shape.uartBase)
        out.u64(shape.gicDistributorBase)
        out.u64(shape.gicRedistributorBase)
        return out.bytes
    }

    static func decodeMachine(_ r: inout SnapshotByteReader) throws(SnapshotError) -> MachineShape {
        let vcpuCount = Int(try r.u32("vCPU count"))
        let memorySize = try r.u64("memory size")
        let nested = try r.bool("nested")
        let e2h0 = try r.bool("e2h0")
        let cmdline = try r.string("command line")
        let ramBase = try r.u64("RAM base")
        let uartBase = try r.u64("UART base")
        let distributor = try r.u64("GIC distributor base")
        let redistributor = try r.u64("GIC redistributor base")
        return MachineShape(
            vcpuCount: vcpuCount, memorySize: memorySize, nested: nested, e2h0: e2h0, cmdline: cmdline,
            ramBase: ramBase, uartBase: uartBase, gicDistributorBase: distributor,
            gicRedistributorBase: redistributor)
    }

    static func encodeCounter(_ counter: CounterState) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u64(counter.offset)
        out.u64(counter.guestCounterAtPause)
        return out.bytes
    }

    static func decodeCounter(_ r: inout SnapshotByteReader) throws(SnapshotError) -> CounterState {
        let offset = try r.u64("counter offset")
        let atPause = try r.u64("guest counter at pause")
        return CounterState(offset: offset, guestCounterAtPause: atPause)
    }

    static func encodeGIC(_ gic: GICState) -> [UInt8] {
        var out = SnapshotByteWriter()
        encodeGICRegisters(gic.distributor, to: &out)
        out.count(gic.cpus.count)
        for cpu in gic.cpus {
            out.u64(cpu.mpidr)
            encodeGICRegisters(cpu.redistributor, to: &out)
            encodeGICRegisters(cpu.cpuInterface, to: &out)
        }
        return out.bytes
    }

    static func decodeGIC(_ r: inout SnapshotByteReader) throws(SnapshotError) -> GICState {
        let distributor = try decodeGICRegisters(&r, "distributor")
        // mpidr plus two empty register lists.
        let count = try r.count("GIC CPU count", minimumSize: 8 + 4 + 4)
        var cpus: [GICCPUState] = []
        cpus.reserveCapacity(count)
        for _ in 0..<count {
            let mpidr = try r.u64("GIC CPU MPIDR")
            let redistributor = try decodeGICRegisters(&r, "redistributor")
            let cpuInterface = try decodeGICRegisters(&r, "CPU interface")
            cpus.append(GICCPUState(mpidr: mpidr, redistributor: redistributor, cpuInterface: cpuInterface))
        }
        return GICState(distributor: distributor, cpus: cpus)
    }

    static func encodeGICRegisters(_ registers: [GICRegister], to out: inout SnapshotByteWriter) {
        out.count(registers.count)
        for register in registers {
            out.u64(register.key)
            out.string(register.name)
            out.u64(register.value)
        }
    }

    static func decodeGICRegisters(
        _ r: inout SnapshotByteReader, _ group: String
    ) throws(SnapshotError) -> [GICRegister] {
        // key, empty name, value.
        let count = try r.count("\(group) register count", minimumSize: 8 + 4 + 8)
        var registers: [GICRegister] = []
        registers.reserveCapacity(count)
        for _ in 0..<count {
            let key = try r.u64("\(group) register key")
            let name = try r.string("\(group) register name")
            let value = try r.u64("\(group) register \(name)")
            registers.append(GICRegister(key: key, name: name, value: value))
        }
        return registers
    }

    /// A device's state: kind tag (4 bytes), instance u32, the state's own version u32, then its
    /// payload as a count and bytes. The device decodes the payload; here only the framing is checked.
    static func encodeDevice(_ device: DeviceState) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.raw(device.kind.bytes)
        out.u32(device.instance)
        out.u32(device.version)
        out.count(device.payload.count)
        out.raw(device.payload)
        return out.bytes
    }

    static func decodeDevice(_ r: inout SnapshotByteReader) throws(SnapshotError) -> DeviceState {
        let tagOffset = r.offset
        let tagBytes = try r.raw(4, "device kind")
        guard let kind = SnapshotTag(bytes: tagBytes) else {
            throw r.malformed("device kind \(Array(tagBytes)) is not four printable characters", at: tagOffset)
        }
        let instance = try r.u32("device instance")
        let version = try r.u32("device state version")
        let count = try r.count("device state length", minimumSize: 1)
        let payload = Array(try r.raw(count, "device state"))
        return DeviceState(kind: kind, instance: instance, version: version, payload: payload)
    }

    /// Format 1's `UART` section: the PL011's state (instance 0) with the section version as the state
    /// version; its payload is exactly what the PL011 device encodes as its state.
    static func legacyUART(_ r: inout SnapshotByteReader, version: UInt32) throws(SnapshotError) -> DeviceState {
        let payload = Array(try r.raw(r.remaining, "UART state"))
        return DeviceState(kind: .uart, instance: 0, version: version, payload: payload)
    }

    static func encodeMemory(_ memory: MemoryState) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u64(memory.guestAddress)
        out.u64(memory.size)
        out.string(memory.fileName)
        out.u32(memory.checksum)
        return out.bytes
    }

    static func decodeMemory(_ r: inout SnapshotByteReader) throws(SnapshotError) -> MemoryState {
        let guestAddress = try r.u64("guest address")
        let size = try r.u64("size")
        let nameOffset = r.offset
        let fileName = try r.string("memory file name")
        guard SnapshotStore.isPlainFileName(fileName) else {
            throw r.malformed(
                "memory file name \"\(fileName)\" is not a plain file name inside the snapshot directory",
                at: nameOffset)
        }
        let checksum = try r.u32("memory checksum")
        guard guestAddress.addingReportingOverflow(size).overflow == false else {
            throw r.malformed("guest RAM at \(hex64(guestAddress)) + \(hex64(size)) wraps around")
        }
        return MemoryState(guestAddress: guestAddress, size: size, fileName: fileName, checksum: checksum)
    }
}
