import SysRegs

// The `MTE ` section: where a snapshot's allocation tags are (docs/snapshot-format.md, "MTE tags").

extension SnapshotCodec {
    static func encodeTags(_ tags: TagState) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u64(tags.guestAddress)
        out.u64(tags.size)
        out.string(tags.fileName)
        out.u32(tags.checksum)
        return out.bytes
    }

    static func decodeTags(_ r: inout SnapshotByteReader) throws(SnapshotError) -> TagState {
        let guestAddress = try r.u64("tagged guest address")
        let sizeOffset = r.offset
        let size = try r.u64("tagged size")
        let nameOffset = r.offset
        let fileName = try r.string("tag file name")
        guard SnapshotStore.isPlainFileName(fileName) else {
            throw r.malformed(
                "tag file name \"\(fileName)\" is not a plain file name inside the snapshot directory", at: nameOffset)
        }
        let checksum = try r.u32("tag checksum")
        // Whole pages only, as KVM_ARM_MTE_COPY_TAGS takes them; 4 KiB is the smallest arm64 page.
        guard size % 4096 == 0, guestAddress % 4096 == 0 else {
            throw r.malformed(
                "tagged range \(hex64(guestAddress)) + \(hex64(size)) is not page-aligned", at: sizeOffset)
        }
        guard guestAddress.addingReportingOverflow(size).overflow == false else {
            throw r.malformed("tagged range \(hex64(guestAddress)) + \(hex64(size)) wraps around", at: sizeOffset)
        }
        return TagState(guestAddress: guestAddress, size: size, fileName: fileName, checksum: checksum)
    }
}
