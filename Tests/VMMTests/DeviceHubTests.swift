import Testing

@testable import VMM

/// A device kind that is not the PL011, so the registry is exercised with more than one kind: one
/// 32-bit scratch register, state version 3.
final class ScratchRegisterDevice: MachineDevice {
    static let kind = DeviceKind(tag: SnapshotTag("SCRA")!, name: "scratch register", stateVersion: 3)
    let instance: UInt32
    let base: UInt64
    var value: UInt32 = 0
    var resets = 0

    init(instance: UInt32, base: UInt64) {
        self.instance = instance
        self.base = base
    }

    var name: String { "scratch@" + String(base, radix: 16) }
    var mmioWindow: Range<UInt64>? { base..<base + 0x100 }
    var spis: [UInt32] { [] }
    var deviceTree: DeviceTreeContribution { DeviceTreeContribution(nodes: [FDTNode(name)]) }
    func attach(_ context: DeviceContext) throws(MachineError) {}
    func mmioRead(offset: UInt64, size: Int) -> UInt64 { offset == 0 ? UInt64(value) : 0 }
    func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
        if offset == 0 { self.value = UInt32(truncatingIfNeeded: value) }
    }
    func saveState() -> DeviceState {
        var w = SnapshotByteWriter()
        w.u32(value)
        return DeviceState(kind: Self.kind.tag, instance: instance, version: Self.kind.stateVersion, payload: w.bytes)
    }
    func restoreState(_ state: DeviceState) throws(DeviceStateError) {
        guard state.version == Self.kind.stateVersion else {
            throw .unsupportedVersion(device: "scratch", found: state.version, supported: Self.kind.stateVersion)
        }
        guard state.payload.count == 4 else { throw .invalid(device: "scratch", reason: "not 4 bytes") }
        value = state.payload.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }
    func reset() {
        value = 0
        resets += 1
    }
}

@Suite("Device registry (DeviceHub)")
struct DeviceHubTests {
    static func hub() throws -> DeviceHub {
        try DeviceHub([
            PL011Device(instance: 0, base: 0x0900_0000, spi: 1, console: { _ in }),
            ScratchRegisterDevice(instance: 0, base: 0x0A00_0000),
            ScratchRegisterDevice(instance: 1, base: 0x0A00_1000),
        ])
    }

    @Test("MMIO reaches the device whose window holds the address, at its offset")
    func routing() throws {
        let hub = try Self.hub()
        #expect(hub.access(address: 0x0A00_1000, size: 4, isWrite: true, value: 0x1234).handled)
        #expect(hub.access(address: 0x0A00_1000, size: 4, isWrite: false, value: 0).value == 0x1234)
        #expect(hub.access(address: 0x0A00_0000, size: 4, isWrite: false, value: 0).value == 0, "the other instance")
        // The PL011's peripheral ID register 0 (UARTPeriphID0 at 0xFE0) reads 0x11.
        #expect(hub.access(address: 0x0900_0FE0, size: 4, isWrite: false, value: 0).value == 0x11)
    }

    @Test("a guest sweeping unmapped MMIO gets a bounded number of reports and the VMM keeps bounded state")
    func unmappedSweepIsBounded() throws {
        let hub = try Self.hub()
        var reports: [UnmappedAccessLog.Report] = []
        for page in 0..<10_000 {
            let result = hub.access(address: 0x2000_0000 + UInt64(page) * 0x1000, size: 4, isWrite: false, value: 0)
            #expect(!result.handled && result.value == 0)
            reports.append(result.report)
        }
        #expect(reports.filter { $0 == .first }.count == UnmappedAccessLog.limit - 1)
        #expect(reports[UnmappedAccessLog.limit - 1] == .lastBeforeSilence)
        #expect(reports.dropFirst(UnmappedAccessLog.limit).allSatisfy { $0 == .none })
        // The same address polled again is never reported twice.
        var log = UnmappedAccessLog()
        #expect(log.record(0x10) == .first)
        #expect(log.record(0x10) == .none)
        #expect(log.seen.count == 1)
    }

    @Test("two devices of one kind and instance, or overlapping windows, are refused by name")
    func registrationConflicts() {
        #expect {
            _ = try DeviceHub([
                ScratchRegisterDevice(instance: 0, base: 0x1000), ScratchRegisterDevice(instance: 0, base: 0x2000),
            ])
        } throws: { "\($0)".contains("two devices are scratch register ('SCRA') instance 0") }
        #expect {
            _ = try DeviceHub([
                ScratchRegisterDevice(instance: 0, base: 0x1000), ScratchRegisterDevice(instance: 1, base: 0x1080),
            ])
        } throws: { "\($0)".contains("scratch@1080") && "\($0)".contains("overlaps scratch@1000") }
    }

    @Test("every device's state round-trips through the hub, by kind and instance, whatever the order")
    func stateRoundTrip() throws {
        let a = try Self.hub()
        _ = a.access(address: 0x0A00_0000, size: 4, isWrite: true, value: 7)
        _ = a.access(address: 0x0A00_1000, size: 4, isWrite: true, value: 9)
        #expect(a.consoleInput(Array("hi".utf8)) == 1, "the PL011 FIFO is off at reset: one holding register")
        let states = a.saveStates()
        #expect(states.map(\.label) == ["'UART' instance 0", "'SCRA' instance 0", "'SCRA' instance 1"])
        let b = try Self.hub()
        try b.restoreStates(states.reversed())
        #expect(b.saveStates() == states)
        #expect(b.access(address: 0x0A00_1000, size: 4, isWrite: false, value: 0).value == 9)
        #expect(b.consoleInputSpace == 0, "the restored FIFO holds the byte")
    }

    @Test("a snapshot lacking a device's state, holding a foreign device, or at another version is refused")
    func restoreMismatches() throws {
        let states = try Self.hub().saveStates()
        #expect {
            try Self.hub().restoreStates(Array(states.dropLast()))
        } throws: { "\($0)".contains("it holds no state for scratch@a001000") }
        var foreign = states
        foreign.append(DeviceState(kind: SnapshotTag("VBLK")!, instance: 0, version: 1, payload: []))
        #expect {
            try Self.hub().restoreStates(foreign)
        } throws: { "\($0)".contains("device 'VBLK' instance 0, which this vmmctl's machine does not have") }
        var newer = states
        newer[1].version = 4
        #expect {
            try Self.hub().restoreStates(newer)
        } throws: { error in
            guard let error = error as? MachineError, case .deviceState(.unsupportedVersion(_, 4, 3)) = error else {
                return false
            }
            return true
        }
    }
}

@Suite("PL011 as a machine device")
struct PL011DeviceTests {
    @Test("its state encoding round-trips and refuses damaged payloads naming the field")
    func stateEncoding() throws {
        let state = SnapshotFixtures.uart(fifo: [0x41, 0x0442])
        #expect(try PL011.State(decoding: state.encoded(), version: 1) == state)
        #expect(throws: DeviceStateError.unsupportedVersion(device: "PL011", found: 2, supported: 1)) {
            try PL011.State(decoding: state.encoded(), version: 2)
        }
        var huge = state.encoded()
        huge.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect { try PL011.State(decoding: huge, version: 1) } throws: { "\($0)".contains("receive FIFO count") }
        #expect { try PL011.State(decoding: state.encoded() + [0], version: 1) } throws: {
            "\($0)".contains("unexpected bytes")
        }
    }

    @Test("reset returns the registers and FIFO to power-on and lowers the line")
    func reset() {
        let device = PL011Device(base: 0x0900_0000, spi: 1, console: { _ in })
        let fresh = device.saveState()
        device.mmioWrite(offset: 0x38, size: 4, value: 0x10)  // UARTIMSC.RXIM
        #expect(device.enqueueInput([0x61]) == 1)
        #expect(device.uart.interruptLevel)
        device.reset()
        #expect(device.saveState() == fresh)
        #expect(!device.uart.interruptLevel)
    }
}

/// The one-time warning for an access no device decoded.
@Suite struct UnmappedAccessTests {
    @Test("it reports the access itself (vCPU, direction, size, address, value, PC), never a syndrome register")
    func description() {
        let write = UnmappedAccess(
            vcpu: 1, address: 0x1000_0000, size: 4, isWrite: true, value: 0x2a, pc: 0x4008_0010, lastReported: false)
        #expect(
            write.description
                == "vCPU 1: unhandled MMIO write of 4 bytes at 0x10000000 (value 0x2a) from PC 0x40080010: "
                + "no device there (reads as 0, writes ignored)")
        let read = UnmappedAccess(
            vcpu: 0, address: 0x0c00_0000, size: 8, isWrite: false, value: nil, pc: 0x4008_0020, lastReported: true)
        #expect(read.description.hasPrefix("vCPU 0: unhandled MMIO read of 8 bytes at 0xc000000 from PC 0x40080020"))
        #expect(read.description.hasSuffix("32 addresses reported, further unhandled accesses are not"))
        #expect(!read.description.contains("ESR"))
    }
}

/// A guest sweeping 10^5 unmapped MMIO addresses leaves the hub remembering at most the report limit.
@Suite struct UnmappedSweepMemoryTests {
    @Test func aHundredThousandAddressSweepKeepsBoundedState() throws {
        let hub = try DeviceHub([])
        var reported = 0
        for i in 0..<100_000 {
            let result = hub.access(address: 0x1_0000_0000 + UInt64(i) * 8, size: 8, isWrite: i % 2 == 0, value: 0)
            #expect(!result.handled)
            if result.report != .none { reported += 1 }
        }
        #expect(reported == UnmappedAccessLog.limit)
        #expect(hub.unmappedAddressesRemembered == UnmappedAccessLog.limit)
    }
}
