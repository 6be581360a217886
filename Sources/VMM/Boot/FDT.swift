/// Constants of the flattened device tree format (Devicetree Specification v0.4, chapter 5
/// "Flattened Devicetree (DTB) Format") shared by `FDTBuilder` and the parser in `FDT+Parsing.swift`.
///
/// A blob is a 40-byte header, then the memory reservation block (8-byte aligned pairs of big-endian
/// u64 address/size ending with a 0/0 pair), the structure block (4-byte aligned big-endian tokens) and
/// the strings block (NUL-terminated property names, referenced by byte offset).
public enum FDT {
    /// `0xd00dfeed`, stored big-endian at offset 0.
    public static let magic: UInt32 = 0xd00d_feed
    /// The version we write; v17 adds `size_dt_struct` to the header.
    public static let version: UInt32 = 17
    /// The oldest version a v17 reader can consume (the spec's `last_comp_version` for v17).
    public static let lastCompatibleVersion: UInt32 = 16
    /// Size of the v17 header: ten big-endian u32 fields.
    public static let headerSize = 40
    /// Linux refuses device trees larger than 2 MiB (Documentation/arch/arm64/booting.rst).
    public static let maximumSize = 2 << 20

    /// Structure block tokens (big-endian u32).
    public enum Token: UInt32, Sendable {
        case beginNode = 1
        case endNode = 2
        case prop = 3
        case nop = 4
        case end = 9
    }

    /// A memory reservation block entry: a guest-physical range the OS must not use.
    public struct Reservation: Hashable, Sendable {
        public var address: UInt64
        public var size: UInt64

        public init(address: UInt64, size: UInt64) {
            self.address = address
            self.size = size
        }
    }

    /// The header of a parsed blob, field for field (all big-endian u32 on disk).
    public struct Header: Hashable, Sendable {
        public var totalSize: UInt32
        public var structOffset: UInt32
        public var stringsOffset: UInt32
        public var reservationsOffset: UInt32
        public var version: UInt32
        public var lastCompatibleVersion: UInt32
        public var bootCPUID: UInt32
        public var stringsSize: UInt32
        public var structSize: UInt32
    }

    /// A whole parsed blob: header, reservations and the node tree.
    public struct Blob: Hashable, Sendable {
        public var header: Header
        public var reservations: [Reservation]
        public var root: FDTNode
    }
}
