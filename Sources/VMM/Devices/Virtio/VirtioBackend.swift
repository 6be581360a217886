/// What a virtio device type (block, entropy) adds to the transport: its ID, feature bits,
/// configuration space and how it serves one request. The transport owns everything generic
/// (registers, feature negotiation, rings, interrupts); a backend never sees a ring.
public protocol VirtioBackend: AnyObject {
    /// The virtio device ID (§5): 2 block, 4 entropy.
    var deviceID: UInt32 { get }
    /// A short name for messages ("virtio-blk").
    var name: String { get }
    /// Device-specific feature bits offered (bits 0..23); the transport adds its own.
    var features: UInt64 { get }
    /// How many virtqueues the device has.
    var queueCount: Int { get }
    /// The device-specific configuration space, little-endian as the guest reads it.
    var configSpace: [UInt8] { get }
    /// Serves one request and returns how many bytes it wrote into the chain's device-writable
    /// buffers (the used element's `len`). A problem the request's own status can report is
    /// reported there; a request that cannot even be answered throws, and the transport then
    /// marks the device DEVICE_NEEDS_RESET. `warn(key, text)` reports a guest mistake, rate-limited
    /// per key by the transport.
    func serve(
        _ chain: DescriptorChain, queue: Int, memory: GuestMemory, warn: (String, String) -> Void
    ) throws(VirtqueueError) -> UInt32
}

/// Guest-caused warnings, rate-limited: each kind of problem is reported `perKind` times, the last
/// with a note that the rest are suppressed, and at most `kinds` kinds are remembered. A guest that
/// posts a million bad chains produces a handful of lines and no growth.
struct GuestWarnings: Hashable, Sendable {
    static let perKind = 3
    static let kinds = 32
    private var counts: [String: Int] = [:]

    /// The text to print for this occurrence of `key`, or nil when it is suppressed.
    mutating func admit(_ key: String, _ text: String) -> String? {
        let seen = counts[key] ?? 0
        guard seen < Self.perKind, seen > 0 || counts.count < Self.kinds else { return nil }
        counts[key] = seen + 1
        return seen + 1 == Self.perKind ? text + " (further warnings of this kind suppressed)" : text
    }
}
