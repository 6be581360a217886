/// A guest MMIO access no device decoded, as the one-time warning reports it: the access itself
/// (vCPU, direction, size, address, and the PC of the instruction that made it).
///
/// No syndrome register: an MMIO exit is a stage-2 data abort KVM decoded for us (api.rst
/// "KVM_EXIT_MMIO"), not an exception taken in the guest, so the guest's ESR_EL1/ESR_EL2 hold nothing
/// about it (on a fresh vCPU, KVM's UNKNOWN poison 0x1de7ec7edbadc0de).
struct UnmappedAccess: Hashable, Sendable, CustomStringConvertible {
    let vcpu: Int
    let address: UInt64
    let size: Int
    let isWrite: Bool
    /// The value a write carried (nil for a read).
    let value: UInt64?
    let pc: UInt64?
    /// This is the last address reported; later ones are not.
    let lastReported: Bool

    var description: String {
        var text = "vCPU \(vcpu): unhandled MMIO \(isWrite ? "write" : "read") of \(size) bytes at \(hex(address))"
        if let value { text += " (value \(hex(value)))" }
        if let pc { text += " from PC \(hex(pc))" }
        text += ": no device there (reads as 0, writes ignored)"
        if lastReported {
            text += "; \(UnmappedAccessLog.limit) addresses reported, further unhandled accesses are not"
        }
        return text
    }
}
