import CKVM
import Glibc

/// virtio-rng (virtio 1.2 §5.4): one request queue whose device-writable buffers the device fills
/// with random bytes from the host's getrandom(2), which is what the guest's /dev/hwrng reads.
public final class VirtioEntropy: VirtioBackend {
    /// At most this many bytes per request, so one huge buffer cannot keep the I/O thread busy;
    /// the used length tells the driver how many it got (§5.4.6.1: the device may fill less).
    public static let maximumPerRequest = 64 << 10

    public init() {}

    public var deviceID: UInt32 { VirtioMMIO.DeviceID.entropy }
    public var name: String { "virtio-rng" }
    public var features: UInt64 { 0 }
    public var queueCount: Int { 1 }
    public var configSpace: [UInt8] { [] }

    public func serve(
        _ chain: DescriptorChain, queue: Int, memory: GuestMemory, warn: (String, String) -> Void
    ) throws(VirtqueueError) -> UInt32 {
        if !chain.readable.isEmpty {
            warn("rng readable", "a request with device-readable buffers (ignored; they stay untouched)")
        }
        let count = min(chain.writableLength, UInt64(Self.maximumPerRequest))
        let buffers = chain.writable.slice(from: 0, count: count)
        let filled = try? memory.withIOVecs(GuestMemory.ranges(buffers)) { vectors -> Int in
            var total = 0
            for vector in vectors {
                var done = 0
                while done < vector.iov_len {
                    // SAFETY: the iovec covers live guest RAM checked by withIOVecs.
                    let n = getrandom(vector.iov_base! + done, vector.iov_len - done, 0)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return total + done }
                    done += n
                }
                total += done
            }
            return total
        }
        return UInt32(filled ?? 0)
    }
}
