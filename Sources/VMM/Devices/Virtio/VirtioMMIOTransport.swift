/// The virtio-mmio transport's register model (virtio 1.2 §4.2.2, modern interface only): device
/// status, feature negotiation, queue configuration, interrupt status and the configuration space
/// of its backend. Pure: guest memory, the interrupt line and warnings come in as values and
/// closures, so host tests drive it with an in-memory guest and hand-built rings.
///
/// Not thread-safe: its owner (`VirtioMMIODevice`, through the hub's per-device lock) serialises
/// every MMIO access and every queue notification.
public final class VirtioMMIOTransport {
    /// Feature bits the transport itself offers on top of the backend's.
    public static let transportFeatures =
        VirtioMMIO.Feature.VIRTIO_F_VERSION_1 | VirtioMMIO.Feature.VIRTIO_F_EVENT_IDX
        | VirtioMMIO.Feature.VIRTIO_F_INDIRECT_DESC

    public let backend: any VirtioBackend
    var deviceFeaturesSel: UInt32 = 0
    var driverFeaturesSel: UInt32 = 0
    /// What the driver wrote to DriverFeatures (both halves).
    var driverFeatures: UInt64 = 0
    var queueSel: UInt32 = 0
    var queues: [Virtqueue]
    /// The device status byte (§2.1).
    var status: UInt32 = 0
    var interruptStatus: UInt32 = 0
    var configGeneration: UInt32 = 0
    var shmSel: UInt32 = 0
    var warnings = GuestWarnings()

    /// Guest RAM, once attached.
    var memory: GuestMemory?
    /// Called with the new level whenever InterruptStatus changes between zero and non-zero.
    var onInterrupt: (Bool) -> Void = { _ in }
    /// Where rate-limited guest warnings go.
    var warn: (String) -> Void = { _ in }

    public init(backend: any VirtioBackend) {
        self.backend = backend
        queues = Array(repeating: Virtqueue(), count: backend.queueCount)
    }

    /// Everything the device offers (DeviceFeatures).
    public var offeredFeatures: UInt64 { backend.features | Self.transportFeatures }

    /// Features in force: what the driver accepted, once FEATURES_OK stuck.
    var negotiated: UInt64 { status & VirtioMMIO.Status.FEATURES_OK != 0 ? driverFeatures : 0 }

    /// The interrupt line's level: high while any InterruptStatus bit is set (level-triggered).
    public var interruptLevel: Bool { interruptStatus != 0 }

    /// Power-on state: status 0, nothing negotiated, every queue unconfigured (§2.4: a write of 0 to
    /// Status). The configuration generation keeps counting so a driver never sees it repeat.
    public func reset() {
        (deviceFeaturesSel, driverFeaturesSel, driverFeatures, queueSel, shmSel) = (0, 0, 0, 0, 0)
        queues = Array(repeating: Virtqueue(), count: backend.queueCount)
        status = 0
        setInterruptStatus(0)
    }

    /// Reports a guest mistake, rate-limited by `key`.
    func report(_ key: String, _ text: String) {
        if let line = warnings.admit(key, text) { warn("\(backend.name): \(line)") }
    }

    func setInterruptStatus(_ value: UInt32) {
        let was = interruptLevel
        interruptStatus = value
        if interruptLevel != was { onInterrupt(interruptLevel) }
    }

    /// The unrecoverable-error answer (§2.1.2): DEVICE_NEEDS_RESET in the status and, if the driver
    /// is running, a configuration-change interrupt. Queues stay stopped until the driver resets.
    func needsReset(_ error: VirtqueueError) {
        report("needs-reset \(error)", "\(error); the device needs a reset (DEVICE_NEEDS_RESET)")
        guard status & VirtioMMIO.Status.DEVICE_NEEDS_RESET == 0 else { return }
        status |= VirtioMMIO.Status.DEVICE_NEEDS_RESET
        if status & VirtioMMIO.Status.DRIVER_OK != 0 {
            setInterruptStatus(interruptStatus | VirtioMMIO.Interrupt.configChange)
        }
    }

    /// The selected queue, if QueueSel names one.
    var selectedQueue: Int? { Int(queueSel) < queues.count ? Int(queueSel) : nil }
}
