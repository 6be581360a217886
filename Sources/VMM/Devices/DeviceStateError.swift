/// Why a device refused a saved `State`.
public enum DeviceStateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The state was written by a version of the device model this one cannot read.
    case unsupportedVersion(device: String, found: UInt32, supported: UInt32)
    /// The state is internally inconsistent (for example, more FIFO entries than the FIFO holds).
    case invalid(device: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let device, let found, let supported):
            "\(device) state version \(found) is not supported (this build reads version \(supported))"
        case .invalid(let device, let reason): "\(device) state is invalid: \(reason)"
        }
    }
}
