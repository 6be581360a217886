/// An Arm PL011 UART (r1p5) as Linux's amba-pl011 driver and its earlycon use it.
///
/// Transmit is instantaneous: every byte written to UARTDR goes straight to `onTransmit`, so the
/// transmit FIFO always reads empty and never busy. Like QEMU's model (and unlike the silicon) it
/// transmits even before UARTCR.UARTEN is set, because earlycon writes before anyone enables it.
/// Received bytes come from `enqueueInput`, which accepts only what fits in the FIFO and returns
/// the count, so the caller keeps the rest and nothing is ever overrun.
///
/// Interrupts: RX is raised while the FIFO holds at least the trigger level, RT (receive timeout)
/// while it holds less but is not empty (the 32-bit-period timeout is treated as already expired);
/// both follow the FIFO and need no clearing. TX is latched whenever a byte leaves (the FIFO passes
/// its trigger level on the way to empty) and cleared through UARTICR. The line is
/// UARTMIS != 0; every change is reported once through `onInterruptChange`.
public final class PL011: MMIODevice {
    public static let fifoDepth = 32

    /// Receives each transmitted byte.
    public var onTransmit: (UInt8) -> Void
    /// Receives the new level of the interrupt line whenever it changes (drive KVM_IRQ_LINE with it).
    public var onInterruptChange: (Bool) -> Void

    var rsr: UInt32 = 0
    var ilpr: UInt32 = 0
    var ibrd: UInt32 = 0
    var fbrd: UInt32 = 0
    var lcrH: UInt32 = 0
    var cr: UInt32 = PL011.CRResetValue
    var ifls: UInt32 = PL011.IFLSResetValue
    var imsc: UInt32 = 0
    /// Interrupt bits set by events and cleared by UARTICR (TX, OE); RX and RT are derived.
    var latchedInterrupts: UInt32 = 0
    var dmacr: UInt32 = 0
    /// Receive FIFO entries: data in bits 7:0, error flags in bits 11:8 (always clear here).
    var rxFIFO: [UInt16] = []
    public private(set) var interruptLevel = false

    public init(
        onTransmit: @escaping (UInt8) -> Void = { _ in }, onInterruptChange: @escaping (Bool) -> Void = { _ in }
    ) {
        self.onTransmit = onTransmit
        self.onInterruptChange = onInterruptChange
    }

    /// Back to the power-on state: reset register values, empty FIFO, no latched interrupts. The line
    /// change, if any, is reported.
    public func reset() {
        rsr = 0
        ilpr = 0
        ibrd = 0
        fbrd = 0
        lcrH = 0
        cr = Self.CRResetValue
        ifls = Self.IFLSResetValue
        imsc = 0
        latchedInterrupts = 0
        dmacr = 0
        rxFIFO = []
        updateInterrupt()
    }

    /// Entries the receive FIFO holds: 32 with UARTLCR_H.FEN set, else a single holding register.
    public var rxCapacity: Int { lcrH & Self.LCR_H_FEN != 0 ? Self.fifoDepth : 1 }

    /// Free receive entries; `enqueueInput` takes at most this many bytes.
    public var inputSpace: Int { max(rxCapacity - rxFIFO.count, 0) }

    /// Queues bytes typed on the host for the guest. Returns how many were taken; keep the rest and
    /// offer them again after the guest reads (any later UART access is a good moment).
    @discardableResult
    public func enqueueInput<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int {
        let taken = bytes.prefix(inputSpace)
        rxFIFO.append(contentsOf: taken.map(UInt16.init))
        updateInterrupt()
        return taken.count
    }

    // MARK: MMIO

    /// Registers are 32 bits wide; byte and halfword reads see the addressed lanes (Linux reads with
    /// readw unless the DT says reg-io-width = 4). Reading UARTDR pops only when lane 0 is read.
    public func mmioRead(offset: UInt64, size: Int) -> UInt64 {
        guard size <= 4 else { return 0 }
        let lane = offset & 3
        let value = readRegister(offset - lane, consuming: lane == 0)
        return UInt64(value >> (lane * 8))
    }

    /// Writes must start at a register boundary; narrower writes are zero-extended (earlycon writes
    /// UARTDR with single bytes). Anything else is ignored, as are 64-bit writes.
    public func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
        guard size <= 4, offset & 3 == 0 else { return }
        writeRegister(offset, UInt32(truncatingIfNeeded: value))
    }

    func readRegister(_ offset: UInt64, consuming: Bool) -> UInt32 {
        if offset >= Self.identificationBase && offset < Self.identificationBase + 0x20 {
            return Self.identification[Int((offset - Self.identificationBase) / 4)]
        }
        guard let register = Register(rawValue: offset) else { return 0 }
        switch register {
        case .DR: return consuming ? popReceived() : UInt32(rxFIFO.first ?? 0)
        case .RSR_ECR: return rsr
        case .FR: return flags
        case .ILPR: return ilpr
        case .IBRD: return ibrd
        case .FBRD: return fbrd
        case .LCR_H: return lcrH
        case .CR: return cr
        case .IFLS: return ifls
        case .IMSC: return imsc
        case .RIS: return rawInterruptStatus
        case .MIS: return rawInterruptStatus & imsc
        case .ICR: return 0
        case .DMACR: return dmacr
        }
    }

    func writeRegister(_ offset: UInt64, _ value: UInt32) {
        guard let register = Register(rawValue: offset) else { return }
        switch register {
        case .DR: transmit(UInt8(truncatingIfNeeded: value))
        case .RSR_ECR: rsr = 0
        case .FR, .RIS, .MIS: return
        case .ILPR: ilpr = value & 0xff
        case .IBRD: ibrd = value & 0xffff
        case .FBRD: fbrd = value & 0x3f
        case .LCR_H: lcrH = value & 0xff
        case .CR: cr = value & 0xffff
        case .IFLS: ifls = value & 0x3f
        case .IMSC: imsc = value & Interrupt.all
        case .ICR: latchedInterrupts &= ~value
        case .DMACR: dmacr = value & 0x7
        }
        updateInterrupt()
    }

    // MARK: Behaviour

    /// UARTFR: transmit side always empty and idle; receive side from the FIFO.
    var flags: UInt32 {
        var flags = Flag.TXFE
        if rxFIFO.isEmpty { flags |= Flag.RXFE }
        if rxFIFO.count >= rxCapacity { flags |= Flag.RXFF }
        return flags
    }

    /// UARTRIS: latched bits plus RX/RT derived from the FIFO level.
    var rawInterruptStatus: UInt32 {
        var status = latchedInterrupts
        if rxFIFO.count >= rxTriggerLevel {
            status |= Interrupt.RX
        } else if !rxFIFO.isEmpty {
            status |= Interrupt.RT
        }
        return status
    }

    /// Receive trigger level from UARTIFLS.RXIFLSEL (bits 5:3): 1/8, 1/4, 1/2, 3/4 or 7/8 full; one
    /// entry when the FIFO is off. Reserved encodings behave as 1/2.
    var rxTriggerLevel: Int {
        guard lcrH & Self.LCR_H_FEN != 0 else { return 1 }
        let eighths = [1, 2, 4, 6, 7]
        let select = Int((ifls >> 3) & 7)
        return Self.fifoDepth * (select < eighths.count ? eighths[select] : 4) / 8
    }

    func transmit(_ byte: UInt8) {
        latchedInterrupts |= Interrupt.TX
        if cr & Self.CR_LBE != 0 {
            if rxFIFO.count < rxCapacity { rxFIFO.append(UInt16(byte)) }
        } else {
            onTransmit(byte)
        }
    }

    func popReceived() -> UInt32 {
        guard !rxFIFO.isEmpty else { return 0 }
        let entry = rxFIFO.removeFirst()
        updateInterrupt()
        return UInt32(entry)
    }

    /// Recomputes the line and reports a change.
    func updateInterrupt() {
        let level = rawInterruptStatus & imsc != 0
        guard level != interruptLevel else { return }
        interruptLevel = level
        onInterruptChange(level)
    }
}
