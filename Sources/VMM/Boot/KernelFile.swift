/// What `vmmctl run IMAGE` was given: an arm64 Linux `Image` (booting.rst header with the ARM\x64 magic),
/// or anything else, a raw payload: a flat binary loaded at the start of RAM plus 0x80000 and entered at
/// its first byte with x0 = the device tree address, as QEMU's `virt` board boots a `-kernel` that is not
/// an Image. Bare-metal test payloads (kvm-unit-tests style) are such files.
public enum KernelFile: Hashable, Sendable {
    case image(KernelImage)
    case raw(RawPayload)

    /// Sorts `bytes`, the whole file: an Image if the header says so, a raw payload otherwise. An empty
    /// file, and a file that starts like a compressed kernel (gzip, EFI zboot), are refused: neither runs.
    public init(_ bytes: [UInt8]) throws(KernelImageError) {
        try self.init(prefix: bytes, fileSize: bytes.count)
    }

    /// Sorts a file from its first bytes (`KernelImage.headerProbeSize` of them, or all) and its size, so
    /// the loader reads the file straight into guest RAM afterwards (`KernelImage.init(prefix:fileSize:)`).
    public init(prefix bytes: [UInt8], fileSize: Int) throws(KernelImageError) {
        guard fileSize > 0, !bytes.isEmpty else { throw .empty }
        if bytes.count >= KernelImage.headerSize, bytes.readLittleEndianUInt32(at: 56) == KernelImage.magic {
            self = .image(try KernelImage(prefix: bytes, fileSize: fileSize))
        } else if let wrapper = KernelImage.compressionFormat(bytes) {
            throw .badMagic(wrapper)
        } else {
            self = .raw(RawPayload(size: UInt64(fileSize)))
        }
    }

    /// For messages: "kernel image" or "raw payload".
    public var what: String {
        switch self {
        case .image: "kernel image"
        case .raw: "raw payload"
        }
    }
}

/// A flat binary with no header: its bytes are its code, from the first.
public struct RawPayload: Hashable, Sendable {
    /// Where it goes, from the start of RAM: the text offset of a pre-3.17 arm64 Image, which is also
    /// where QEMU's `virt` board loads a raw `-kernel` (so payloads linked for that address run here).
    public static let loadOffset: UInt64 = 0x8_0000
    /// The file size in bytes; nothing beyond the file is assumed (a payload sets up its own BSS).
    public let size: UInt64
}
