import SysRegs

/// Errors of the KVM layer. Each carries enough context to act on without a debugger: the ioctl and
/// what it acted on, errno, or every missing capability with what to do about it.
public enum KVMError: Error, Equatable, CustomStringConvertible {
    /// An ioctl failed.
    case ioctl(KVMRequest, errno: Int32)
    /// A system call other than ioctl failed (`open /dev/kvm`, `mmap kvm_run`, ...).
    case system(call: String, target: String, errno: Int32)
    /// `/dev/kvm` speaks another API version than 12.
    case apiVersion(found: Int32, expected: Int32)
    /// The host lacks capabilities the configuration needs; every one is listed.
    case missingCapabilities([MissingCapability])
    /// This host cannot run arm64 KVM at all (for example it is x86_64).
    case unsupportedHost(String)
    /// A configuration KVM would accept but misbehave with, or one it cannot express.
    case invalidConfiguration(String)
    /// A register value of the wrong width was given for an id.
    case registerWidth(name: String, id: OneRegID, expectedBytes: Int, givenBytes: Int)
    /// A register id whose size field is not one ONE_REG transfers (4 to 256 bytes).
    case unsupportedRegisterSize(name: String, id: OneRegID)

    public var description: String {
        switch self {
        case .ioctl(let request, let errno):
            return "\(request): \(Errno.describe(errno))"
        case .system(let call, let target, let errno):
            return "\(call) \(target): \(Errno.describe(errno))"
        case .apiVersion(let found, let expected):
            return "KVM_GET_API_VERSION: /dev/kvm speaks API \(found), vmmctl needs \(expected)"
        case .missingCapabilities(let missing):
            let lines = missing.map { "  - \($0.name): \($0.remedy)" }
            return "the host lacks \(missing.count) required KVM capabilit\(missing.count == 1 ? "y" : "ies"):\n"
                + lines.joined(separator: "\n")
        case .unsupportedHost(let reason):
            return reason
        case .invalidConfiguration(let reason):
            return "invalid configuration: \(reason)"
        case .registerWidth(let name, let id, let expected, let given):
            return "\(name) (\(id)) is \(expected) bytes wide, but \(given) bytes were given"
        case .unsupportedRegisterSize(let name, let id):
            return "\(name) (\(id)): ONE_REG transfers 4 to 256 bytes; this id says \(id.byteCount)"
        }
    }

    /// The errno, when the error came from a system call.
    public var errno: Int32? {
        switch self {
        case .ioctl(_, let errno), .system(_, _, let errno): return errno
        default: return nil
        }
    }
}

/// A capability the host lacks, and what to do about it.
public struct MissingCapability: Hashable, Sendable {
    public let name: String
    public let remedy: String

    public init(name: String, remedy: String) {
        self.name = name
        self.remedy = remedy
    }
}
