/// What the machine hands a device when it attaches it: its interrupt lines, guest memory for DMA,
/// and where to report problems the guest causes.
public struct DeviceContext {
    /// Guest RAM, for devices that read or write guest memory (DMA).
    public let memory: GuestMemory
    /// Where a non-fatal problem caused by the guest is reported (once per cause: rate-limit there).
    public let warn: @Sendable (String) -> Void
    let makeLine: (UInt32) -> InterruptLine

    public init(
        memory: GuestMemory, warn: @escaping @Sendable (String) -> Void,
        interrupt makeLine: @escaping (UInt32) -> InterruptLine
    ) {
        self.memory = memory
        self.warn = warn
        self.makeLine = makeLine
    }

    /// The line of SPI `spi` (INTID 32 + spi).
    public func interrupt(spi: UInt32) -> InterruptLine { makeLine(spi) }
}

/// One level-sensitive interrupt line into the vGIC. Setting the level it already has is a no-op, so
/// a device may report its level after every access without an ioctl each time.
public final class InterruptLine: @unchecked Sendable {
    // @unchecked: `level` is only touched by the owning device, which the hub serialises.
    private let drive: @Sendable (Bool) -> Void
    private var level: Bool?

    public init(drive: @escaping @Sendable (Bool) -> Void) { self.drive = drive }

    /// Drives the line to `high`.
    public func set(_ high: Bool) {
        guard level != high else { return }
        level = high
        drive(high)
    }
}
