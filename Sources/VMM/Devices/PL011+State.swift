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
