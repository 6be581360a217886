import Synchronization

/// How a device's interrupt line reaches the in-kernel vGIC.
extension Machine {
    private static let forceIRQLine = Atomic<Bool>(false)

    /// Drive device interrupts through `KVM_IRQ_LINE` even where resampling irqfds exist: a diagnostic
    /// for comparing the two paths (the CLI sets it from `VMMCTL_IRQ_LINE`; docs/performance.md).
    /// Set it before building a machine.
    public static var interruptsThroughIRQLine: Bool {
        get { forceIRQLine.load(ordering: .relaxed) }
        set { forceIRQLine.store(newValue, ordering: .relaxed) }
    }

    /// The line of SPI `spi` (INTID 32 + spi) for a device: a resampling irqfd when KVM offers one
    /// (`KVM_CAP_IRQFD_RESAMPLE`), so raising it is an eventfd write from the I/O thread and KVM lowers
    /// it at the guest's EOI and tells us (the resample eventfd, watched by the I/O thread) so the line
    /// is raised again while the device still wants service; otherwise `KVM_IRQ_LINE` for both levels.
    /// A failure to set up the irqfd (no capability, no eventfd left) also falls back, with a warning:
    /// the guest still gets its interrupts, at one ioctl per level change.
    static func interruptLine(
        spi: UInt32, vm: VirtualMachine, ioThread: IOThread, warn: @Sendable (String) -> Void
    ) -> InterruptLine {
        let line = IRQLine.spi(intid: UInt16(32 + spi))
        let irq = IRQSender(vm: vm, line: line)
        let fallback = InterruptLine { level in irq.set(level) }
        guard !interruptsThroughIRQLine, ((try? vm.checkExtension(.irqFDResample)) ?? 0) > 0 else { return fallback }
        do {
            let raise = try EventFD(name: "\(line) irqfd")
            let resample = try EventFD(name: "\(line) resample")
            // A raise that finds the counter full (EAGAIN) is already pending in KVM; other write errors
            // cannot happen on a live eventfd.
            let interrupt = InterruptLine(raise: { try? raise.signal() })
            try ioThread.register(resample, name: resample.name) { interrupt.resampled() }
            do {
                try vm.registerIRQFD(raise, line: line, resample: resample)
            } catch {
                try? ioThread.unregister(resample)
                throw error
            }
            try ioThread.start()
            return interrupt
        } catch {
            warn("\(line): no resampling irqfd (\(error)); driving it with KVM_IRQ_LINE")
            return fallback
        }
    }
}
