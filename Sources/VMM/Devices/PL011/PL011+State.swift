extension PL011 {
    /// Everything needed to resume the UART: registers, receive FIFO contents and the line level.
    /// Bump `currentVersion` on any change to the fields or their meaning.
    public struct State: Hashable, Sendable {
        public static let currentVersion: UInt32 = 1

        public var version: UInt32 = State.currentVersion
        public var rsr: UInt32
        public var ilpr: UInt32
        public var ibrd: UInt32
        public var fbrd: UInt32
        public var lcrH: UInt32
        public var cr: UInt32
        public var ifls: UInt32
        public var imsc: UInt32
        /// TX/OE raw interrupt bits awaiting UARTICR (RX and RT are derived from `rxFIFO`).
        public var latchedInterrupts: UInt32
        public var dmacr: UInt32
        /// Receive FIFO, oldest first: data bits 7:0, error bits 11:8.
        public var rxFIFO: [UInt16]
    }

    /// A snapshot of the device.
    public func saveState() -> State {
        State(
            rsr: rsr, ilpr: ilpr, ibrd: ibrd, fbrd: fbrd, lcrH: lcrH, cr: cr, ifls: ifls, imsc: imsc,
            latchedInterrupts: latchedInterrupts, dmacr: dmacr, rxFIFO: rxFIFO)
    }

    /// Restores a snapshot. The interrupt line is recomputed from it and, if that changes the level,
    /// reported through `onInterruptChange`, so the caller re-drives KVM's line.
    public func restore(_ state: State) throws(DeviceStateError) {
        guard state.version == State.currentVersion else {
            throw .unsupportedVersion(device: "PL011", found: state.version, supported: State.currentVersion)
        }
        guard state.rxFIFO.count <= Self.fifoDepth else {
            throw .invalid(
                device: "PL011", reason: "\(state.rxFIFO.count) receive FIFO entries, at most \(Self.fifoDepth)")
        }
        rsr = state.rsr
        ilpr = state.ilpr
        ibrd = state.ibrd
        fbrd = state.fbrd
        lcrH = state.lcrH
        cr = state.cr
        ifls = state.ifls
        imsc = state.imsc
        latchedInterrupts = state.latchedInterrupts
        dmacr = state.dmacr
        rxFIFO = state.rxFIFO
        updateInterrupt()
    }
}

extension PL011.State {
    /// Register names in encoding order, for messages about a malformed state.
    static let wordNames = [
        "UARTRSR", "UARTILPR", "UARTIBRD", "UARTFBRD", "UARTLCR_H", "UARTCR", "UARTIFLS", "UARTIMSC",
        "latched interrupts", "UARTDMACR",
    ]

    /// The snapshot encoding (docs/snapshot-format.md, device `UART`): the ten registers as u32, then
    /// the receive FIFO as a count and u16 entries, oldest first.
    func encoded() -> [UInt8] {
        var out = SnapshotByteWriter()
        for word in [rsr, ilpr, ibrd, fbrd, lcrH, cr, ifls, imsc, latchedInterrupts, dmacr] { out.u32(word) }
        out.count(rxFIFO.count)
        for entry in rxFIFO { out.u16(entry) }
        return out.bytes
    }

    /// Decodes `encoded()` output of `version`; the bytes must be consumed exactly.
    init(decoding bytes: [UInt8], version: UInt32) throws(DeviceStateError) {
        guard version == Self.currentVersion else {
            throw .unsupportedVersion(device: "PL011", found: version, supported: Self.currentVersion)
        }
        var r = SnapshotByteReader(bytes, context: "PL011 state", endIsTruncation: false)
        do throws(SnapshotError) {
            var words: [UInt32] = []
            for name in Self.wordNames { words.append(try r.u32(name)) }
            let count = try r.count("receive FIFO count", minimumSize: 2)
            var fifo: [UInt16] = []
            fifo.reserveCapacity(count)
            for _ in 0..<count { fifo.append(try r.u16("receive FIFO entry")) }
            guard r.isAtEnd else { throw r.malformed("\(r.remaining) unexpected bytes after the receive FIFO") }
            self.init(
                rsr: words[0], ilpr: words[1], ibrd: words[2], fbrd: words[3], lcrH: words[4], cr: words[5],
                ifls: words[6], imsc: words[7], latchedInterrupts: words[8], dmacr: words[9], rxFIFO: fifo)
        } catch {
            throw .invalid(device: "PL011", reason: "\(error)")
        }
    }
}
