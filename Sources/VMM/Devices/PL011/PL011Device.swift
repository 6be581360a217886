/// The PL011 as a machine device: its window, its SPI, its device-tree node and clock, and its state
/// in snapshots. The register model itself is `PL011`; this type is what the machine sees of it.
public final class PL011Device: ConsoleDevice {
    public static let kind = DeviceKind(
        tag: SnapshotTag("UART")!, name: "PL011 UART", stateVersion: PL011.State.currentVersion)
    /// Phandle of the fixed 24 MHz APB clock feeding the UART.
    public static let clockPhandle: UInt32 = 2
    /// The PL011 reference clock; it only matters for baud rate divisors, which the model ignores.
    public static let clockHz: UInt32 = 24_000_000

    public let instance: UInt32
    public let base: UInt64
    public let spi: UInt32
    let uart: PL011
    private var line: InterruptLine?

    /// A PL011 at `base` on SPI `spi` whose transmitted bytes go to `console`.
    public init(instance: UInt32 = 0, base: UInt64, spi: UInt32, console: @escaping (UInt8) -> Void) {
        self.instance = instance
        self.base = base
        self.spi = spi
        uart = PL011(onTransmit: console)
        uart.onInterruptChange = { [unowned self] level in self.line?.set(level) }
    }

    public var name: String { "pl011@" + String(base, radix: 16) }
    public var mmioWindow: Range<UInt64>? { base..<base + MachineLayout.uartSize }
    public var spis: [UInt32] { [spi] }

    /// The node Linux's amba bus matches ("arm,primecell", then the peripheral ID registers) with both
    /// clocks by name, and the fixed clock they name.
    public var deviceTree: DeviceTreeContribution {
        let node = FDTNode(
            name,
            properties: [
                .strings("compatible", ["arm,pl011", "arm,primecell"]),
                .cells64("reg", [base, MachineLayout.uartSize]),
                .cells("interrupts", [DeviceTree.interruptTypeSPI, spi, DeviceTree.levelHigh]),
                .cells("clocks", [Self.clockPhandle, Self.clockPhandle]),
                .strings("clock-names", ["uartclk", "apb_pclk"]),
            ])
        let clock = FDTNode(
            "apb-pclk",
            properties: [
                .string("compatible", "fixed-clock"),
                .u32("#clock-cells", 0),
                .u32("clock-frequency", Self.clockHz),
                .string("clock-output-names", "clk24mhz"),
                .phandle("phandle", Self.clockPhandle),
            ])
        return DeviceTreeContribution(nodes: [clock, node], stdoutPath: "/" + name)
    }

    public func attach(_ context: DeviceContext) throws(MachineError) {
        line = context.interrupt(spi: spi)
        line?.set(uart.interruptLevel)
    }

    public func mmioRead(offset: UInt64, size: Int) -> UInt64 { uart.mmioRead(offset: offset, size: size) }
    public func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
        uart.mmioWrite(offset: offset, size: size, value: value)
    }

    public func enqueueInput(_ bytes: [UInt8]) -> Int { uart.enqueueInput(bytes) }
    public var inputSpace: Int { uart.inputSpace }

    public func saveState() -> DeviceState {
        DeviceState(
            kind: Self.kind.tag, instance: instance, version: PL011.State.currentVersion,
            payload: uart.saveState().encoded())
    }

    public func restoreState(_ state: DeviceState) throws(DeviceStateError) {
        try uart.restore(PL011.State(decoding: state.payload, version: state.version))
    }

    public func reset() { uart.reset() }
}
