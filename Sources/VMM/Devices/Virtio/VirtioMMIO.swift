/// The virtio-mmio register block, modern interface (virtio 1.2 §4.2.2, "MMIO Device Register Layout"),
/// and the architectural constants the transport and its devices share. Names follow the spec so
/// grep finds them in the spec, in Linux's virtio_mmio.c and here.
public enum VirtioMMIO {
    /// Register offsets from the transport's base. Every register is 32 bits wide and must be
    /// accessed with aligned 32-bit reads and writes (§4.2.2.2); the device-specific configuration
    /// space from `config` on may be accessed with 8-, 16- and 32-bit accesses.
    public enum Register: UInt64, Sendable {
        case MagicValue = 0x000
        case Version = 0x004
        case DeviceID = 0x008
        case VendorID = 0x00C
        case DeviceFeatures = 0x010
        case DeviceFeaturesSel = 0x014
        case DriverFeatures = 0x020
        case DriverFeaturesSel = 0x024
        case QueueSel = 0x030
        case QueueNumMax = 0x034
        case QueueNum = 0x038
        case QueueReady = 0x044
        case QueueNotify = 0x050
        case InterruptStatus = 0x060
        case InterruptACK = 0x064
        case Status = 0x070
        case QueueDescLow = 0x080
        case QueueDescHigh = 0x084
        case QueueDriverLow = 0x090
        case QueueDriverHigh = 0x094
        case QueueDeviceLow = 0x0A0
        case QueueDeviceHigh = 0x0A4
        case SHMSel = 0x0AC
        case SHMLenLow = 0x0B0
        case SHMLenHigh = 0x0B4
        case SHMBaseLow = 0x0B8
        case SHMBaseHigh = 0x0BC
        case ConfigGeneration = 0x0FC
    }

    /// Offset of the device-specific configuration space.
    public static let configOffset: UInt64 = 0x100
    /// "virt" in little-endian ASCII (§4.2.2).
    public static let magicValue: UInt32 = 0x7472_6976
    /// The modern (non-legacy) interface.
    public static let version: UInt32 = 2
    /// Our vendor ID: "VMMC" in little-endian ASCII (the spec leaves it to the implementer).
    public static let vendorID: UInt32 = 0x434D_4D56

    /// Device status bits (§2.1).
    public enum Status {
        public static let ACKNOWLEDGE: UInt32 = 1
        public static let DRIVER: UInt32 = 2
        public static let DRIVER_OK: UInt32 = 4
        public static let FEATURES_OK: UInt32 = 8
        public static let DEVICE_NEEDS_RESET: UInt32 = 64
        public static let FAILED: UInt32 = 128
    }

    /// InterruptStatus bits (§4.2.2): a used buffer was returned, or the configuration changed
    /// (which is also how DEVICE_NEEDS_RESET is announced, §2.1.2).
    public enum Interrupt {
        public static let usedBuffer: UInt32 = 1
        public static let configChange: UInt32 = 2
    }

    /// Transport feature bits (§6, "Reserved Feature Bits").
    public enum Feature {
        public static let VIRTIO_F_INDIRECT_DESC: UInt64 = 1 << 28
        public static let VIRTIO_F_EVENT_IDX: UInt64 = 1 << 29
        public static let VIRTIO_F_VERSION_1: UInt64 = 1 << 32
    }

    /// Device IDs (§5).
    public enum DeviceID {
        public static let block: UInt32 = 2
        public static let entropy: UInt32 = 4
    }
}
