/// A built-in virtio driver, as data: guest RAM contents (descriptor tables, rings, buffers) and a list
/// of register stores and polls that `DemoGuest.virtioScript` runs from the guest, one after another.
/// The KVM-tier tests drive a device through a real machine with it (the doorbell is a real
/// ioeventfd, the work happens on the I/O thread), and `vmmctl run --demo virtio-hostile` posts the
/// malicious chains of `hostile(layout:)` with it.
public struct VirtioScript: Hashable, Sendable {
    public enum Step: Hashable, Sendable {
        /// A 32-bit store (an MMIO register write, or guest RAM).
        case store32(address: UInt64, value: UInt32)
        /// Reads the 32-bit word at `address` until `word & mask == value`, for a bounded number of reads;
        /// prints "virtio script: step N timed out" if it never does, and goes on.
        case poll32(address: UInt64, mask: UInt32, value: UInt32)
    }

    /// Where the script's data goes: 64 KiB above the program's load address.
    public static let dataOffset: UInt64 = 0x1_0000
    /// Room for the steps (32 bytes each) between the code and the data.
    public static let maximumSteps = (0x1_0000 - 0x1000) / 32

    public var steps: [Step]
    /// Bytes copied to `loadAddress + dataOffset` with the program.
    public var data: [UInt8]
    /// Printed when the last step is done.
    public var message: String
    /// Power off after the message (tests), or spin forever (the demo: vmmctl stays up for the control socket).
    public var powerOff: Bool

    public init(steps: [Step], data: [UInt8], message: String, powerOff: Bool) {
        self.steps = steps
        self.data = data
        self.message = message
        self.powerOff = powerOff
    }
}

extension VirtioScript {
    /// The driver's bring-up of queue 0 of the device at `base` (§3.1.1, §4.2.3.2): reset, ACKNOWLEDGE,
    /// DRIVER, VIRTIO_F_VERSION_1 only, FEATURES_OK, the queue's size and areas, QueueReady, DRIVER_OK.
    public static func bringUp(
        base: UInt64, size: UInt32, descriptors: UInt64, driver: UInt64, device: UInt64
    ) -> [Step] {
        func reg(_ r: VirtioMMIO.Register, _ v: UInt32) -> Step { .store32(address: base + r.rawValue, value: v) }
        let s = VirtioMMIO.Status.self
        return [
            reg(.Status, 0), reg(.Status, s.ACKNOWLEDGE), reg(.Status, s.ACKNOWLEDGE | s.DRIVER),
            reg(.DriverFeaturesSel, 0), reg(.DriverFeatures, 0), reg(.DriverFeaturesSel, 1), reg(.DriverFeatures, 1),
            reg(.Status, s.ACKNOWLEDGE | s.DRIVER | s.FEATURES_OK), reg(.QueueSel, 0), reg(.QueueNum, size),
            reg(.QueueDescLow, UInt32(truncatingIfNeeded: descriptors)),
            reg(.QueueDescHigh, UInt32(truncatingIfNeeded: descriptors >> 32)),
            reg(.QueueDriverLow, UInt32(truncatingIfNeeded: driver)),
            reg(.QueueDriverHigh, UInt32(truncatingIfNeeded: driver >> 32)),
            reg(.QueueDeviceLow, UInt32(truncatingIfNeeded: device)),
            reg(.QueueDeviceHigh, UInt32(truncatingIfNeeded: device >> 32)), reg(.QueueReady, 1),
            reg(.Status, s.ACKNOWLEDGE | s.DRIVER | s.FEATURES_OK | s.DRIVER_OK),
        ]
    }

    /// Byte-level builder for the data area: descriptor tables and ring contents at chosen offsets.
    public struct DataBuilder: Sendable {
        public let address: UInt64
        public private(set) var bytes: [UInt8] = []

        public init(address: UInt64) { self.address = address }

        /// Writes `value` little-endian at `address` (inside the data area), growing it as needed.
        public mutating func put<T: FixedWidthInteger>(_ value: T, at absolute: UInt64) {
            let offset = Int(absolute - address)
            if bytes.count < offset + MemoryLayout<T>.size {
                bytes += [UInt8](repeating: 0, count: offset + MemoryLayout<T>.size - bytes.count)
            }
            for i in 0..<MemoryLayout<T>.size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
        }

        /// Descriptor `index` of the table at `table`.
        public mutating func descriptor(
            table: UInt64, _ index: Int, address: UInt64, length: UInt32, flags: UInt16, next: UInt16 = 0
        ) {
            let entry = table + 16 * UInt64(index)
            put(address, at: entry)
            put(length, at: entry + 8)
            put(flags, at: entry + 12)
            put(next, at: entry + 14)
        }

        /// An available ring at `driver` holding `heads`, with avail.idx = `index` (heads.count unless told).
        public mutating func avail(_ driver: UInt64, heads: [UInt16], index: UInt16? = nil) {
            put(UInt16(0), at: driver)
            put(index ?? UInt16(heads.count), at: driver + 2)
            for (i, head) in heads.enumerated() { put(head, at: driver + 4 + 2 * UInt64(i)) }
        }
    }
}
