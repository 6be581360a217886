/// Pending exception state of a vCPU (arm64 `struct kvm_vcpu_events`, api.rst 4.31).
public struct VCPUEvents: Hashable, Sendable {
    /// An SError is pending for the guest.
    public var serrorPending: Bool
    /// The pending SError carries `serrorESR` as its syndrome (needs RAS).
    public var serrorHasESR: Bool
    /// An external data abort is pending (set only; KVM reads it back as false).
    public var externalDataAbortPending: Bool
    /// The syndrome of the pending SError.
    public var serrorESR: UInt64

    public init(
        serrorPending: Bool = false, serrorHasESR: Bool = false, externalDataAbortPending: Bool = false,
        serrorESR: UInt64 = 0
    ) {
        self.serrorPending = serrorPending
        self.serrorHasESR = serrorHasESR
        self.externalDataAbortPending = externalDataAbortPending
        self.serrorESR = serrorESR
    }
}
