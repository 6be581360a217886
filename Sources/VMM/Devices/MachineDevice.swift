/// A device of the machine, declared in one place: everything the machine needs from it.
///
/// The machine never names a device. `DeviceHub` routes MMIO to `mmioWindow`, the device tree is
/// assembled from `deviceTree`, a snapshot captures `saveState()` as one `DeviceState` per device
/// (kind plus instance, so two devices of one kind coexist) and a restore hands each device its
/// own state back. Adding a device is a folder under Devices/ and one line in
/// `MachineDevices.standard` (docs/architecture.md, "Adding a device").
///
/// Threading: the hub serialises every call on one device with that device's own lock (MMIO from
/// any vCPU thread, console input, capture and restore), so a device needs no locking of its own
/// and unrelated devices never wait for each other. Work that should not run on a vCPU thread goes
/// to the I/O thread the context offers.
public protocol MachineDevice: AnyObject, MMIODevice {
    /// The kind of device: its snapshot tag and the state versions it reads.
    static var kind: DeviceKind { get }
    /// Which device of its kind this is (0, 1, ...), stable across snapshot and restore.
    var instance: UInt32 { get }
    /// A short name for messages and the MMIO bus, such as `pl011@9000000`.
    var name: String { get }
    /// The guest-physical MMIO window the device decodes, if it has registers there.
    var mmioWindow: Range<UInt64>? { get }
    /// The SPIs (numbers from 0, INTID - 32) the device drives.
    var spis: [UInt32] { get }
    /// What the device adds to the guest's device tree.
    var deviceTree: DeviceTreeContribution { get }
    /// Connects the device to the machine: interrupt lines, guest memory, the I/O thread. Called once,
    /// after KVM's VM and vGIC exist and after any `restoreState`, so the device re-drives its lines.
    func attach(_ context: DeviceContext) throws(MachineError)
    /// The device's state for a snapshot.
    func saveState() -> DeviceState
    /// Puts a snapshot's state back. Throws when the state's version or contents are not the device's.
    func restoreState(_ state: DeviceState) throws(DeviceStateError)
    /// Returns the device to its power-on state.
    func reset()
}

/// A device kind: the tag its snapshot state carries and the state versions this build reads.
public struct DeviceKind: Hashable, Sendable, CustomStringConvertible {
    /// Four printable ASCII characters, as in the snapshot file (`UART`).
    public let tag: SnapshotTag
    /// What the device is, for messages ("PL011 UART").
    public let name: String
    /// The state version this build writes (and reads).
    public let stateVersion: UInt32

    public init(tag: SnapshotTag, name: String, stateVersion: UInt32) {
        self.tag = tag
        self.name = name
        self.stateVersion = stateVersion
    }

    public var description: String { "\(name) ('\(tag)')" }
}

/// A device whose input comes from the host console (the `vmmctl run` terminal).
public protocol ConsoleDevice: MachineDevice {
    /// Queues typed bytes for the guest; returns how many were taken (a full FIFO takes fewer).
    func enqueueInput(_ bytes: [UInt8]) -> Int
    /// How many bytes `enqueueInput` would take now.
    var inputSpace: Int { get }
}
