/// A validated arm64 Linux `Image` header (Documentation/arch/arm64/booting.rst, "Call the kernel
/// image"): 64 little-endian bytes at the start of the file.
///
/// ```
/// 0   u32 code0         executable code (an EFI stub kernel puts "MZ" here)
/// 4   u32 code1
/// 8   u64 text_offset   image load offset from a 2 MiB aligned base
/// 16  u64 image_size    effective image size, including BSS; 0 before Linux 3.17
/// 24  u64 flags         bit 0 big-endian, bits 1-2 page size, bit 3 physical placement
/// 32  u64 res2, res3, res4
/// 56  u32 magic         "ARM\x64" = 0x644d5241
/// 60  u32 res5          offset of the PE header for EFI stub kernels
/// ```
public struct KernelImage: Hashable, Sendable {
    /// "ARM\x64" read as a little-endian u32.
    public static let magic: UInt32 = 0x644d_5241
    public static let headerSize = 64
    /// The text offset every pre-3.17 kernel (image_size 0) uses, regardless of what the header says.
    public static let legacyTextOffset: UInt64 = 0x8_0000

    /// Kernel page size as advertised in flags bits 1-2.
    public enum PageSize: UInt64, Hashable, Sendable {
        case unspecified = 0
        case kib4 = 1
        case kib16 = 2
        case kib64 = 3
    }

    public let textOffset: UInt64
    /// Bytes from the load address the kernel needs, BSS included: image_size, or for an old kernel
    /// without one, the file size rounded up to 2 MiB as an estimate of its BSS headroom.
    public let effectiveSize: UInt64
    /// The raw image_size field (0 for pre-3.17 kernels).
    public let imageSize: UInt64
    public let pageSize: PageSize
    /// Flags bit 3: the kernel may be placed anywhere in RAM (2 MiB aligned), not just near its base.
    public let placementAnywhere: Bool
    /// The file size in bytes.
    public let fileSize: Int

    /// How much of a kernel file `init(prefix:fileSize:)` wants: the 64-byte header and, for an EFI
    /// stub kernel, its PE header and section table, which Linux keeps within the first page or two.
    public static let headerProbeSize = 64 << 10

    /// Parses and validates the header of `bytes`, the whole kernel file.
    public init(_ bytes: [UInt8]) throws(KernelImageError) {
        try self.init(prefix: bytes, fileSize: bytes.count)
    }

    /// Parses and validates a kernel file from its first bytes and its size, so the loader can read the
    /// file straight into guest RAM rather than into a buffer first. `bytes` is the file's first
    /// `min(fileSize, headerProbeSize)` bytes (or all of it); the sections of a PE section table that
    /// lies beyond them are not checked, only that the file reaches the table's end.
    public init(prefix bytes: [UInt8], fileSize: Int) throws(KernelImageError) {
        guard bytes.count >= Self.headerSize, fileSize >= Self.headerSize else {
            throw .tooSmall(size: min(bytes.count, fileSize))
        }
        let magic = bytes.readLittleEndianUInt32(at: 56)
        guard magic == Self.magic else { throw .badMagic(Self.compressionFormat(bytes)) }
        let flags = bytes.readLittleEndianUInt64(at: 24)
        if flags & 1 != 0 { throw .bigEndian }
        let rawTextOffset = bytes.readLittleEndianUInt64(at: 8)
        imageSize = bytes.readLittleEndianUInt64(at: 16)
        self.fileSize = fileSize
        if imageSize == 0 {
            textOffset = Self.legacyTextOffset
            effectiveSize = (UInt64(fileSize) + (2 << 20) - 1) & ~((2 << 20) - 1)
        } else {
            // A file longer than the image it declares means the header or the file is wrong.
            guard UInt64(fileSize) <= imageSize else {
                throw .imageSizeTooSmall(imageSize: imageSize, fileSize: fileSize)
            }
            textOffset = rawTextOffset
            effectiveSize = imageSize
        }
        guard textOffset < (2 << 20) * 512 else { throw .implausibleTextOffset(textOffset) }
        pageSize = PageSize(rawValue: (flags >> 1) & 3) ?? .unspecified
        placementAnywhere = flags & (1 << 3) != 0
        if let needed = Self.peRawDataEnd(bytes), needed > fileSize {
            throw .truncated(fileSize: fileSize, expected: needed)
        }
    }

    /// Names a compression wrapper the file starts with, so the error can say what to do.
    static func compressionFormat(_ bytes: [UInt8]) -> KernelImageError.Wrapper? {
        if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b { return .gzip }
        // EFI zboot: an "MZ" PE stub whose bytes 4..7 are "zimg" (drivers/firmware/efi/libstub/zboot-header.S).
        if bytes.count >= 8 && bytes[0] == 0x4d && bytes[1] == 0x5a && Array(bytes[4..<8]) == Array("zimg".utf8) {
            return .efiZboot
        }
        return nil
    }

    /// For an EFI stub kernel ("MZ" at 0, PE header offset in res5), the end of the furthest section's
    /// raw data: the least size the file must have. nil when there is no readable PE header; the
    /// 64-byte header check is then all we can do.
    static func peRawDataEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes[0] == 0x4d, bytes[1] == 0x5a else { return nil }
        let pe = Int(bytes.readLittleEndianUInt32(at: 60))
        // PE signature (4) + COFF file header (20): NumberOfSections at +6, SizeOfOptionalHeader at +20.
        guard pe <= bytes.count - 24, Array(bytes[pe..<pe + 4]) == [0x50, 0x45, 0, 0] else { return nil }
        let sections = Int(bytes.readLittleEndianUInt16(at: pe + 6))
        let table = pe + 24 + Int(bytes.readLittleEndianUInt16(at: pe + 20))
        guard table + sections * 40 <= bytes.count else { return table + sections * 40 }
        var end = 0
        for index in 0..<sections {
            // Section header: SizeOfRawData at +16, PointerToRawData at +20.
            let entry = table + index * 40
            let size = Int(bytes.readLittleEndianUInt32(at: entry + 16))
            let pointer = Int(bytes.readLittleEndianUInt32(at: entry + 20))
            end = max(end, size == 0 ? 0 : pointer + size)
        }
        return end
    }
}

/// Why a kernel file cannot be booted.
public enum KernelImageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Compression wrappers we recognise but do not unpack.
    public enum Wrapper: String, Hashable, Sendable {
        case gzip
        case efiZboot = "EFI zboot"
    }

    /// The kernel file is empty: neither an Image nor a payload.
    case empty
    case tooSmall(size: Int)
    case badMagic(Wrapper?)
    case bigEndian
    /// image_size is smaller than the file itself.
    case imageSizeTooSmall(imageSize: UInt64, fileSize: Int)
    /// The file ends before the sections its PE header describes.
    case truncated(fileSize: Int, expected: Int)
    case implausibleTextOffset(UInt64)

    public var description: String {
        switch self {
        case .empty:
            "the kernel file is empty: give an arm64 Linux Image or a raw payload (a flat binary entered at its first byte)"
        case .tooSmall(let size):
            "not an arm64 Linux Image: the file is \(size) bytes, smaller than the 64-byte Image header"
        case .badMagic(let wrapper):
            "not an arm64 Linux Image (no ARM\\x64 magic at offset 56)"
                + (wrapper.map { "; this is a \($0.rawValue)-compressed kernel: decompress it first" } ?? "")
        case .bigEndian:
            "big-endian arm64 kernel (Image flags bit 0): vmmctl boots little-endian kernels only"
        case .imageSizeTooSmall(let imageSize, let fileSize):
            "kernel header says image_size is \(imageSize) bytes but the file is \(fileSize) bytes"
        case .truncated(let fileSize, let expected):
            "kernel file is truncated: \(fileSize) bytes, its PE header describes \(expected)"
        case .implausibleTextOffset(let offset):
            "kernel text_offset \(hex(offset)) is implausibly large"
        }
    }
}

extension Array where Element == UInt8 {
    /// Little-endian reads; the caller has checked the bounds.
    func readLittleEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func readLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(readLittleEndianUInt16(at: offset)) | UInt32(readLittleEndianUInt16(at: offset + 2)) << 16
    }

    func readLittleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(readLittleEndianUInt32(at: offset)) | UInt64(readLittleEndianUInt32(at: offset + 4)) << 32
    }
}
