import Synchronization

/// The emulated devices and the lock that serialises them: every vCPU thread's MMIO exit and the
/// console input thread go through here, one at a time.
final class DeviceHub: @unchecked Sendable {
    // @unchecked: all mutable state (bus, UART) is reached only inside `lock`.
    private let lock = Mutex(())
    private var bus = MMIOBus()
    private let uart: PL011
    private var raiseInterrupt: (@Sendable (Bool) -> Void)?
    private var pendingLevel: Bool?
    /// Addresses of unhandled accesses already reported, so a guest polling one does not flood stderr.
    private var reported: Set<UInt64> = []

    init(layout: MachineLayout, console: @escaping @Sendable (UInt8) -> Void) {
        uart = PL011(onTransmit: console)
        uart.onInterruptChange = { [unowned self] level in self.pendingLevel = level }
        // The layout's UART window cannot overlap anything on an empty bus.
        try! bus.register(uart, at: layout.uartBase, size: MachineLayout.uartSize, name: "pl011")
    }

    /// Routes UART interrupt level changes to KVM_IRQ_LINE.
    func connectInterrupt(_ raise: @escaping @Sendable (Bool) -> Void) {
        lock.withLock { _ in raiseInterrupt = raise }
    }

    /// An MMIO access from a vCPU. Returns the value for reads; nil when nothing is mapped there
    /// (the caller reports it once per address and the guest reads zero).
    func access(
        address: UInt64, size: Int, isWrite: Bool, value: UInt64
    ) -> (value: UInt64, handled: Bool, firstMiss: Bool) {
        lock.withLock { _ in
            defer { flushInterrupt() }
            do {
                if isWrite {
                    try bus.write(at: address, size: size, value: value)
                    return (0, true, false)
                }
                return (try bus.read(at: address, size: size), true, false)
            } catch {
                let first = reported.insert(address).inserted
                return (0, false, first)
            }
        }
    }

    /// Bytes typed on the host console, for the guest's UART. Returns how many were taken (the
    /// receive FIFO may be full).
    func consoleInput(_ bytes: [UInt8]) -> Int {
        lock.withLock { _ in
            defer { flushInterrupt() }
            return uart.enqueueInput(bytes)
        }
    }

    /// Room in the UART receive FIFO.
    var consoleInputSpace: Int { lock.withLock { _ in uart.inputSpace } }

    /// The UART's state, for a snapshot.
    func uartState() -> PL011.State { lock.withLock { _ in uart.saveState() } }

    /// Puts a snapshot's UART state back.
    func restoreUART(_ state: PL011.State) throws(DeviceStateError) {
        try lock.withLock { (_) throws(DeviceStateError) in
            try uart.restore(state)
            flushInterrupt()
        }
    }

    /// Called with the lock held: forwards the latest interrupt level, if it changed.
    private func flushInterrupt() {
        if let level = pendingLevel, let raise = raiseInterrupt {
            pendingLevel = nil
            raise(level)
        }
    }
}
