/// One device's state in a snapshot: which device (kind and instance) and its own encoding of its
/// `State`, at the device's own version.
///
/// The snapshot container does not interpret the payload: the device decodes it (and refuses a
/// version it cannot read), so adding a device changes neither the codec nor the file format.
public struct DeviceState: Hashable, Sendable {
    /// The device kind's tag (`DeviceKind.tag`).
    public var kind: SnapshotTag
    /// Which device of its kind.
    public var instance: UInt32
    /// The version of the device's state encoding.
    public var version: UInt32
    /// The device's encoding of its state.
    public var payload: [UInt8]

    public init(kind: SnapshotTag, instance: UInt32, version: UInt32, payload: [UInt8]) {
        self.kind = kind
        self.instance = instance
        self.version = version
        self.payload = payload
    }

    /// "'UART' instance 0", for messages.
    public var label: String { "'\(kind)' instance \(instance)" }
}
