/// A virtio-mmio device of the machine: one slot of the virtio window (MachineLayout, 0x200 bytes)
/// and its SPI, the transport model, and a backend (block, entropy). What the machine sees of it.
///
/// Work happens off the vCPU threads: each queue's QueueNotify is a doorbell (KVM_IOEVENTFD with
/// the queue index as datamatch), so a driver's kick completes inside KVM and the request is served
/// on the machine's I/O thread, under this device's lock (the hub's). The interrupt is
/// level-triggered, as virtio-mmio's InterruptStatus is: the device wants the line high while any
/// status bit is set, and not once the driver's InterruptACK clears them (through a resampling irqfd
/// KVM lowers it at the guest's EOI and it is raised again if a bit is still set: `InterruptLine`).
public final class VirtioMMIODevice: MachineDevice, @unchecked Sendable {
    // @unchecked: every call (MMIO, doorbell handlers, capture, restore) is serialised by the hub's
    // lock for this device; the doorbell closures only capture `self` to call into it under that lock.
    public static let kind = DeviceKind(
        tag: SnapshotTag("VIRT")!, name: "virtio-mmio device", stateVersion: VirtioMMIODevice.State.currentVersion)

    /// The slot in the virtio window; also the device's instance number.
    public let instance: UInt32
    public let base: UInt64
    public let spi: UInt32
    public let transport: VirtioMMIOTransport
    private var line: InterruptLine?

    /// The device in virtio slot `slot` of `layout`, serving `backend`.
    public init(slot: Int, layout: MachineLayout, backend: any VirtioBackend) {
        instance = UInt32(slot)
        base = layout.virtioMMIOBase + UInt64(slot) * MachineLayout.virtioMMIOSlotSize
        spi = MachineLayout.virtioMMIOFirstSPI + UInt32(slot)
        transport = VirtioMMIOTransport(backend: backend)
    }

    public var backend: any VirtioBackend { transport.backend }
    public var name: String { "virtio_mmio@" + String(base, radix: 16) }
    public var mmioWindow: Range<UInt64>? { base..<base + MachineLayout.virtioMMIOSlotSize }
    public var spis: [UInt32] { [spi] }

    /// The node Linux's virtio_mmio driver binds ("virtio,mmio"; it then reads MagicValue, Version
    /// and DeviceID to find the device type). `dma-coherent`: the host's accesses to guest RAM are
    /// cache-coherent, so the guest needs no cache maintenance around them.
    public var deviceTree: DeviceTreeContribution {
        DeviceTreeContribution(nodes: [
            FDTNode(
                name,
                properties: [
                    .string("compatible", "virtio,mmio"),
                    .cells64("reg", [base, MachineLayout.virtioMMIOSlotSize]),
                    .cells("interrupts", [DeviceTree.interruptTypeSPI, spi, DeviceTree.levelHigh]),
                    .empty("dma-coherent"),
                ])
        ])
    }

    /// Takes guest RAM and the interrupt line, and asks for one doorbell per queue. A restored device
    /// then re-drives its line and serves its queues once (a kick that was still in the eventfd when
    /// the snapshot was taken is not lost).
    public func attach(_ context: DeviceContext) throws(MachineError) {
        transport.memory = context.memory
        transport.warn = context.warn
        let line = context.interrupt(spi: spi)
        self.line = line
        let traceName = backend.name
        transport.onInterrupt = { level in
            VirtioTrace.record(traceName, "line \(level ? "high" : "low")")
            line.set(level)
        }
        line.set(transport.interruptLevel)
        for queue in 0..<backend.queueCount {
            let doorbell = Doorbell(
                address: base + VirtioMMIO.Register.QueueNotify.rawValue, length: 4, datamatch: UInt64(queue),
                name: "\(backend.name)@\(String(base, radix: 16)) queue \(queue) notify")
            try context.onGuestWrite(doorbell) { [unowned self] in self.doorbellRang(queue: queue) }
        }
        transport.serveAllQueues()
    }

    /// The I/O thread's doorbell handler: serve the queue (traced with `VMMCTL_TRACE_VIRTIO`).
    private func doorbellRang(queue: Int) {
        guard VirtioTrace.isOn else { return transport.notify(queue: queue) }
        let before = queue < transport.queues.count ? transport.queues[queue].usedIndex : 0
        VirtioTrace.record(backend.name, "kick queue \(queue)")
        transport.notify(queue: queue)
        let after = queue < transport.queues.count ? transport.queues[queue].usedIndex : 0
        VirtioTrace.record(backend.name, "served \(after &- before) queue \(queue)")
    }

    public func mmioRead(offset: UInt64, size: Int) -> UInt64 {
        let value = transport.mmioRead(offset: offset, size: size)
        if offset == VirtioMMIO.Register.InterruptStatus.rawValue {
            VirtioTrace.record(backend.name, "guest read InterruptStatus \(value)")
        }
        return value
    }

    public func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
        if offset == VirtioMMIO.Register.InterruptACK.rawValue {
            VirtioTrace.record(backend.name, "guest InterruptACK \(value)")
        }
        transport.mmioWrite(offset: offset, size: size, value: value)
    }

    public func reset() { transport.reset() }
}
