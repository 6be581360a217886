/// An ioctl together with what it acts on: `KVM_SET_ONE_REG(SCTLR_EL1)`, `KVM_CREATE_VCPU(1)`.
///
/// The target is only for messages; the kernel never sees it.
public struct KVMRequest: Hashable, Sendable, CustomStringConvertible {
    public let ioctl: KVMIoctl
    /// What the call acts on, if anything worth naming.
    public let target: String?

    public init(_ ioctl: KVMIoctl, target: String? = nil) {
        self.ioctl = ioctl
        self.target = target
    }

    /// `NAME(target)`, or `NAME` without a target.
    public var description: String {
        guard let target else { return ioctl.name }
        return "\(ioctl.name)(\(target))"
    }
}
