import Testing

@testable import VMM

/// A PL011 on an in-memory bus at the machine's UART address, with its output and line captured.
final class UARTHarness {
    let uart: PL011
    var bus = MMIOBus()
    var output: [UInt8] = []
    var lineChanges: [Bool] = []
    let base = MachineLayout.standard.uartBase

    init() throws {
        uart = PL011()
        uart.onTransmit = { [unowned self] in output.append($0) }
        uart.onInterruptChange = { [unowned self] in lineChanges.append($0) }
        try bus.register(uart, at: base, size: MachineLayout.uartSize, name: "pl011")
    }

    func read(_ register: PL011.Register, size: Int = 4) throws -> UInt32 {
        UInt32(try bus.read(at: base + register.rawValue, size: size))
    }

    func write(_ register: PL011.Register, _ value: UInt32, size: Int = 4) throws {
        try bus.write(at: base + register.rawValue, size: size, value: UInt64(value))
    }

    /// What amba-pl011 does when the port is opened: disable, program 115200 8N1 with FIFOs,
    /// clear and unmask RX/RT, enable.
    func linuxStartup() throws {
        try write(.CR, 0)
        #expect(try read(.FR) & PL011.Flag.BUSY == 0)
        try write(.IFLS, 0x12)
        try write(.ICR, 0x7ff)
        try write(.IBRD, 13)
        try write(.FBRD, 1)
        try write(.LCR_H, 0x70)  // WLEN 8 bits, FEN
        try write(.IMSC, PL011.Interrupt.RX | PL011.Interrupt.RT)
        try write(.CR, 0x301)  // UARTEN | TXE | RXE
    }
}

/// The PL011 model as Linux's amba-pl011 driver and earlycon drive it.
@Suite struct PL011Tests {
    @Test func resetValuesAndLinuxInit() throws {
        let h = try UARTHarness()
        #expect(try h.read(.CR) == 0x300)
        #expect(try h.read(.IFLS) == 0x12)
        #expect(try h.read(.FR) == PL011.Flag.TXFE | PL011.Flag.RXFE)
        try h.linuxStartup()
        #expect(try h.read(.CR) == 0x301)
        #expect(try h.read(.LCR_H) == 0x70)
        #expect(try h.read(.IBRD) == 13)
        #expect(try h.read(.FBRD) == 1)
        #expect(try h.read(.IMSC) == 0x50)
        #expect(try h.read(.RIS) == 0)
        #expect(try h.read(.MIS) == 0)
        #expect(try h.read(.DMACR) == 0)
        try h.write(.ILPR, 0x1ff)
        #expect(try h.read(.ILPR) == 0xff, "8-bit register")
        #expect(h.lineChanges.isEmpty)
    }

    @Test func transmitInOrderWithByteAndWordWrites() throws {
        let h = try UARTHarness()
        // earlycon before any init: byte writes to UARTDR, polling TXFF.
        for byte in Array("boot".utf8) {
            #expect(try h.read(.FR, size: 2) & PL011.Flag.TXFF == 0)
            try h.write(.DR, UInt32(byte), size: 1)
        }
        try h.linuxStartup()
        for byte in Array(" ok\n".utf8) { try h.write(.DR, UInt32(byte) | 0xf00) }
        #expect(h.output == Array("boot ok\n".utf8))
        #expect(try h.read(.FR) & (PL011.Flag.TXFE | PL011.Flag.BUSY) == PL011.Flag.TXFE)
    }

    @Test func receiveFIFOAndFlags() throws {
        let h = try UARTHarness()
        // FIFO off: a single holding register.
        #expect(h.uart.enqueueInput(Array("xy".utf8)) == 1)
        #expect(try h.read(.FR) & PL011.Flag.RXFF != 0)
        #expect(try h.read(.DR) == UInt32(UInt8(ascii: "x")))
        try h.linuxStartup()
        let input = (0..<40).map { UInt8($0) }
        #expect(h.uart.enqueueInput(input) == 32)
        #expect(h.uart.inputSpace == 0)
        #expect(try h.read(.FR) & (PL011.Flag.RXFF | PL011.Flag.RXFE) == PL011.Flag.RXFF)
        var received: [UInt8] = []
        while try h.read(.FR) & PL011.Flag.RXFE == 0 { received.append(UInt8(try h.read(.DR) & 0xff)) }
        #expect(received == Array(input[..<32]))
        #expect(h.uart.enqueueInput(input[32...]) == 8)
        #expect(try h.read(.DR) == 32)
        #expect(try h.read(.RSR_ECR) == 0)
        #expect(try h.read(.DR) == 33)
        // Reading an empty FIFO gives 0 and changes nothing.
        #expect(h.uart.enqueueInput([]) == 0)
    }

    @Test func receiveInterruptsFollowTheFIFO() throws {
        let h = try UARTHarness()
        try h.linuxStartup()
        h.uart.enqueueInput([0x61])
        #expect(try h.read(.RIS) == PL011.Interrupt.RT, "below the trigger level: receive timeout")
        #expect(h.lineChanges == [true])
        // The driver's ISR clears RX/RT then drains; draining drops the line.
        try h.write(.ICR, PL011.Interrupt.RX | PL011.Interrupt.RT)
        #expect(h.uart.interruptLevel, "still data waiting")
        _ = try h.read(.DR)
        #expect(h.lineChanges == [true, false])
        // Half full (16 of 32) raises RX.
        h.uart.enqueueInput([UInt8](repeating: 0x62, count: 16))
        #expect(try h.read(.RIS) == PL011.Interrupt.RX)
        #expect(try h.read(.MIS) == PL011.Interrupt.RX)
        // Masking drops the line without touching the raw status.
        try h.write(.IMSC, 0)
        #expect(h.lineChanges == [true, false, true, false])
        #expect(try h.read(.RIS) == PL011.Interrupt.RX)
        // Trigger at 1/8 (4 entries) via IFLS.RXIFLSEL = 0.
        try h.write(.IFLS, 0)
        #expect(h.uart.rxTriggerLevel == 4)
    }

    @Test func transmitInterruptLatchesUntilCleared() throws {
        let h = try UARTHarness()
        try h.linuxStartup()
        try h.write(.IMSC, PL011.Interrupt.TX)
        #expect(h.lineChanges.isEmpty)
        try h.write(.DR, 0x41)
        #expect(try h.read(.MIS) == PL011.Interrupt.TX)
        #expect(h.lineChanges == [true])
        try h.write(.DR, 0x42)
        #expect(h.lineChanges == [true], "level already high: no duplicate report")
        try h.write(.ICR, PL011.Interrupt.TX)
        #expect(try h.read(.RIS) == 0)
        #expect(h.lineChanges == [true, false])
    }

    @Test func loopbackReturnsTransmittedBytes() throws {
        let h = try UARTHarness()
        try h.linuxStartup()
        try h.write(.CR, 0x381)  // UARTEN | TXE | RXE | LBE
        try h.write(.DR, 0x5a)
        #expect(h.output.isEmpty)
        #expect(try h.read(.DR) == 0x5a)
    }

    @Test func identificationRegisters() throws {
        let h = try UARTHarness()
        let ids = try (0..<8).map { UInt32(try h.bus.read(at: h.base + 0xfe0 + UInt64($0) * 4, size: 4)) }
        #expect(ids == [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1])
        // Linux reads them as 32-bit words and assembles the AMBA peripheral and cell IDs.
        let periph = ids[0..<4].enumerated().reduce(UInt32(0)) { $0 | $1.element << (8 * UInt32($1.offset)) }
        let cell = ids[4..<8].enumerated().reduce(UInt32(0)) { $0 | $1.element << (8 * UInt32($1.offset)) }
        #expect(periph == 0x0034_1011)
        #expect(cell == 0xb105_f00d)
        try h.bus.write(at: h.base + 0xfe0, size: 4, value: 0xff)
        #expect(try h.bus.read(at: h.base + 0xfe0, size: 4) == 0x11, "read-only")
    }

    @Test func unknownOffsetsAndOddAccesses() throws {
        let h = try UARTHarness()
        try h.linuxStartup()
        let before = h.uart.saveState()
        for offset: UInt64 in [0x008, 0x00c, 0x010, 0x014, 0x01c, 0x04c, 0x100, 0x800, 0xfdc] {
            #expect(try h.bus.read(at: h.base + offset, size: 4) == 0, "offset \(offset)")
            try h.bus.write(at: h.base + offset, size: 4, value: 0xffff_ffff)
        }
        // 64-bit accesses read 0 and are ignored; misaligned writes are ignored.
        #expect(try h.bus.read(at: h.base + PL011.Register.CR.rawValue, size: 8) == 0)
        try h.bus.write(at: h.base + PL011.Register.CR.rawValue, size: 8, value: 0)
        try h.bus.write(at: h.base + PL011.Register.CR.rawValue + 1, size: 1, value: 0)
        try h.bus.write(at: h.base + PL011.Register.DR.rawValue + 2, size: 2, value: 0x41)
        #expect(h.uart.saveState() == before)
        #expect(h.output.isEmpty)
        // A byte read of the CR's upper lane sees bits 15:8.
        #expect(try h.bus.read(at: h.base + PL011.Register.CR.rawValue + 1, size: 1) == 0x03)
        // An upper-lane read of UARTDR does not pop the FIFO.
        h.uart.enqueueInput([0x7a])
        _ = try h.bus.read(at: h.base + 1, size: 1)
        #expect(try h.read(.DR) == 0x7a)
        // Past the register page is the bus's problem, not the device's.
        #expect(throws: MMIOBusError.self) { try h.bus.read(at: h.base + 0x1000, size: 4) }
        #expect(throws: MMIOBusError.self) { try h.bus.read(at: h.base, size: 3) }
    }

    @Test func stateRoundTripBehavesIdentically() throws {
        let a = try UARTHarness()
        try a.linuxStartup()
        try a.write(.IMSC, PL011.Interrupt.RX | PL011.Interrupt.RT | PL011.Interrupt.TX)
        a.uart.enqueueInput(Array("hello".utf8))
        try a.write(.DR, 0x21)
        _ = try a.read(.DR)
        let state = a.uart.saveState()

        let b = try UARTHarness()
        try b.uart.restore(state)
        #expect(b.uart.saveState() == state)
        #expect(b.lineChanges == [true], "the restored line level is reported")
        #expect(b.uart.interruptLevel == a.uart.interruptLevel)

        // Drive both the same way and compare everything observable.
        for h in [a, b] {
            h.output.removeAll()
            h.lineChanges.removeAll()
            try h.write(.ICR, PL011.Interrupt.TX)
            h.uart.enqueueInput(Array("!!".utf8))
            try h.write(.DR, 0x3f)
        }
        for register: PL011.Register in [.FR, .RIS, .MIS, .IMSC, .LCR_H, .CR, .IBRD, .FBRD, .IFLS, .DR, .DR] {
            #expect(try a.read(register) == b.read(register), "\(register)")
        }
        #expect(a.output == b.output)
        #expect(a.lineChanges == b.lineChanges)
        #expect(a.uart.saveState() == b.uart.saveState())
    }

    @Test func restoreRefusesBadState() throws {
        let uart = PL011()
        var state = uart.saveState()
        state.version = 99
        #expect(throws: DeviceStateError.unsupportedVersion(device: "PL011", found: 99, supported: 1)) {
            try uart.restore(state)
        }
        state = uart.saveState()
        state.rxFIFO = [UInt16](repeating: 0, count: 33)
        #expect(throws: DeviceStateError.self) { try uart.restore(state) }
    }
}
