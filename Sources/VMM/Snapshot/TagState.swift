/// The MTE allocation tags of guest RAM as recorded in a snapshot: present exactly for a machine run
/// with MTE (KVM_CAP_ARM_MTE), whose restore then enables MTE too. The tags themselves are in their
/// own file beside the memory file (`tags.bin`, `TagPacking`), checksummed like it.
///
/// Its own section (`MTE `, docs/snapshot-format.md) rather than a field of `MEM ` or `MACH `, so
/// snapshots without MTE are byte for byte what they were, and a vmmctl that predates MTE refuses an
/// MTE snapshot (the section is mandatory) instead of restoring a guest whose tags it dropped.
public struct TagState: Hashable, Sendable {
    /// The tag file this build writes.
    public static let defaultFileName = "tags.bin"

    /// The first guest physical address covered; equal to the RAM's.
    public var guestAddress: UInt64
    /// Bytes of guest RAM covered; equal to the RAM's size.
    public var size: UInt64
    /// The tag file's name inside the snapshot directory.
    public var fileName: String
    /// CRC-32C of the tag file's contents.
    public var checksum: UInt32

    public init(guestAddress: UInt64, size: UInt64, fileName: String = TagState.defaultFileName, checksum: UInt32) {
        self.guestAddress = guestAddress
        self.size = size
        self.fileName = fileName
        self.checksum = checksum
    }

    /// The tag file's size: one 4-bit tag per 16-byte granule, two tags a byte.
    public var fileSize: UInt64 { TagPacking.packedSize(guestBytes: size) }
}

/// The compact encoding of allocation tags: KVM_ARM_MTE_COPY_TAGS hands out one byte per 16-byte granule
/// (the tag in bits 3:0, api.rst 4.130); the file keeps two per byte, granule 2n in bits 3:0 and
/// granule 2n+1 in bits 7:4, so a 1 GiB guest's tags take 32 MiB instead of 64.
public enum TagPacking {
    /// Guest bytes per tag (the MTE granule, Arm ARM D10.1).
    public static let granule: UInt64 = 16

    /// Packed bytes for `guestBytes` of RAM (a multiple of 32 for any page-aligned size).
    public static func packedSize(guestBytes: UInt64) -> UInt64 { guestBytes / granule / 2 }

    /// Two tags per byte. `tags` has one byte per granule and an even count; bits 7:4 of each are
    /// ignored (KVM returns them 0).
    public static func pack(_ tags: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tags.count / 2)
        var low: UInt8? = nil
        for tag in tags {
            if let l = low {
                out.append(l | (tag & 0xF) << 4)
                low = nil
            } else {
                low = tag & 0xF
            }
        }
        if let l = low { out.append(l) }
        return out
    }

    /// One tag per byte, as KVM_ARM_MTE_COPY_TAGS takes them: twice `packed.count` bytes.
    public static func unpack(_ packed: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(packed.count * 2)
        for byte in packed {
            out.append(byte & 0xF)
            out.append(byte >> 4)
        }
        return out
    }
}
