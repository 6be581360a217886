import Synchronization

/// What the machine hands a device when it attaches it: its interrupt lines, guest memory for DMA,
/// and where to report problems the guest causes.
public struct DeviceContext {
    /// Guest RAM, for devices that read or write guest memory (DMA).
    public let memory: GuestMemory
    /// Where a non-fatal problem caused by the guest is reported (once per cause: rate-limit there).
    public let warn: @Sendable (String) -> Void
    let makeLine: (UInt32) -> InterruptLine
    var makeDoorbell: (Doorbell, @escaping @Sendable () -> Void) throws(MachineError) -> Void
    /// Whether doorbell handlers must hold off (the machine is paused: a snapshot may be writing guest
    /// RAM, which a device serving a queue would change under it). The hub checks it under the device's
    /// lock; the machine rings every doorbell again when it resumes, so a kick held off is served then.
    var holdDoorbells: @Sendable () -> Bool = { false }

    public init(
        memory: GuestMemory, warn: @escaping @Sendable (String) -> Void,
        interrupt makeLine: @escaping (UInt32) -> InterruptLine,
        doorbell makeDoorbell: @escaping (Doorbell, @escaping @Sendable () -> Void) throws(MachineError) -> Void
    ) {
        self.memory = memory
        self.warn = warn
        self.makeLine = makeLine
        self.makeDoorbell = makeDoorbell
    }

    /// The line of SPI `spi` (INTID 32 + spi).
    public func interrupt(spi: UInt32) -> InterruptLine { makeLine(spi) }

    /// Runs `handler` on the machine's I/O thread, with the device's own lock held (as for its MMIO
    /// calls), whenever the guest writes the doorbell (a queue notify register). KVM completes the
    /// write itself (KVM_IOEVENTFD), so the vCPU that kicked does not exit to userspace and never waits
    /// for the device's work. Writes KVM does not match (another value under `datamatch`, another
    /// size) still reach `mmioWrite` as usual.
    public func onGuestWrite(_ doorbell: Doorbell, handler: @escaping @Sendable () -> Void) throws(MachineError) {
        try makeDoorbell(doorbell, handler)
    }
}

/// A guest-physical doorbell: `length` bytes at `address`, optionally only when the value written is
/// `datamatch`.
public struct Doorbell: Hashable, Sendable {
    public var address: UInt64
    public var length: Int
    public var datamatch: UInt64?
    /// For messages: "virtio-blk@a000000 queue 0 notify".
    public var name: String

    public init(address: UInt64, length: Int, datamatch: UInt64? = nil, name: String) {
        self.address = address
        self.length = length
        self.datamatch = datamatch
        self.name = name
    }
}

/// One level-sensitive interrupt line into the vGIC. Setting the level it already has is a no-op, so
/// a device may report its level after every access without an ioctl each time.
///
/// Two ways to drive it (the machine picks, `Machine.interruptLine`):
/// - A resampling irqfd (api.rst "KVM_IRQFD", `KVM_IRQFD_FLAG_RESAMPLE`): raising is one eventfd
///   write from whichever thread the device runs on; KVM holds the line high until the guest
///   completes the interrupt (EOI), then lowers it and signals the resample eventfd, whose handler
///   calls `resampled()`: if the device still wants service (its last `set` was `true`, i.e. its
///   InterruptStatus is still non-zero) the line is raised again. Lowering is therefore KVM's job,
///   and `set(false)` only records the level. That is level-triggered semantics without an ioctl.
/// - `KVM_IRQ_LINE` (the fallback on a kernel without resampling irqfds): both levels by ioctl.
public final class InterruptLine: Sendable {
    private enum Mode {
        /// Both levels driven by the closure (`KVM_IRQ_LINE`).
        case drive(@Sendable (Bool) -> Void)
        /// Only raising is driven (a resampling irqfd's signal); KVM lowers the line at EOI.
        case raise(@Sendable () -> Void)
    }

    private let mode: Mode
    /// The level the device last asked for. A mutex, not the device's lock: `resampled()` runs on the
    /// I/O thread outside it.
    private let level = Mutex<Bool?>(nil)

    /// A line whose two levels `drive` sets (`KVM_IRQ_LINE`).
    public init(drive: @escaping @Sendable (Bool) -> Void) { mode = .drive(drive) }

    /// A line that `raise` asserts and KVM lowers when the guest completes the interrupt (a resampling
    /// irqfd); the resample eventfd's handler must call `resampled()`.
    public init(raise: @escaping @Sendable () -> Void) { mode = .raise(raise) }

    /// Drives the line to `high`.
    public func set(_ high: Bool) {
        level.withLock { level in
            guard level != high else { return }
            level = high
            switch mode {
            case .drive(let drive): drive(high)
            case .raise(let raise): if high { raise() }
            }
        }
    }

    /// KVM lowered the line because the guest completed the interrupt: raise it again while the
    /// device still wants service, so a completion that arrived after the guest read InterruptStatus
    /// is not lost. Nothing to do for a `KVM_IRQ_LINE` line.
    public func resampled() {
        level.withLock { level in
            guard level == true, case .raise(let raise) = mode else { return }
            raise()
        }
    }
}
