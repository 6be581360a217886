import Foundation
import Testing

@testable import VMM

/// MTE allocation tags in snapshots: the packing, the `MTE ` section, the tag file beside memory.bin,
/// and the refusals (missing, truncated, corrupt, inconsistent) a restore relies on.
@Suite struct SnapshotTagsTests {
    let fm = FileManager.default

    /// The small fixture with MTE: tags over all of its RAM.
    var mteState: MachineState {
        var state = SnapshotFixtures.small
        state.tags = TagState(guestAddress: state.memory.guestAddress, size: state.memory.size, checksum: 0)
        return state
    }

    /// One tag per granule of `state`'s RAM, every value 0...15 appearing, packed.
    func packedTags(for state: MachineState) -> [UInt8] {
        let granules = Int(state.memory.size / TagPacking.granule)
        return TagPacking.pack((0..<granules).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ $0 >> 9) & 0xF })
    }

    func write(_ state: MachineState, tags: [UInt8]?, to target: String) throws -> MachineState {
        try SnapshotStore.write(
            state: state, readMemory: { offset, count in [UInt8](repeating: UInt8(offset % 251), count: count) },
            tags: tags, to: target)
    }

    @Test func packingKeepsTwoTagsPerByteLowNibbleFirst() {
        #expect(TagPacking.pack([0x1, 0x2, 0xF, 0x0]) == [0x21, 0x0F])
        #expect(TagPacking.unpack([0x21, 0x0F]) == [0x1, 0x2, 0xF, 0x0])
        let tags = (0..<4096).map { UInt8($0 % 16) }
        #expect(TagPacking.unpack(TagPacking.pack(tags)) == tags)
        // KVM hands out bits 7:4 as 0; anything there is not part of the tag.
        #expect(TagPacking.pack([0xA3, 0x5C]) == [0xC3])
        #expect(TagPacking.packedSize(guestBytes: 1 << 30) == 32 << 20)
    }

    @Test func tagSectionRoundTripsThroughTheCodec() throws {
        var state = mteState
        state.tags?.checksum = 0xDEAD_BEEF
        let decoded = try SnapshotCodec.decode(SnapshotCodec.encode(state))
        #expect(decoded == state)
        #expect(decoded.tags == state.tags)
        // Without MTE there is no section at all, so such snapshots encode exactly as before.
        let plain = SnapshotFixtures.small
        #expect(try SnapshotCodec.decode(SnapshotCodec.encode(plain)).tags == nil)
        #expect(SnapshotCodec.encode(plain).count < SnapshotCodec.encode(state).count)
    }

    @Test func tagFileIsWrittenAndReadBack() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = mteState
        let tags = packedTags(for: state)
        let written = try write(state, tags: tags, to: root + "/snap")
        #expect(
            try fm.contentsOfDirectory(atPath: root + "/snap").sorted() == ["memory.bin", "state.vmmsnap", "tags.bin"])
        #expect(written.tags?.checksum == CRC32C.checksum(tags))
        #expect(written.tags?.fileName == "tags.bin")
        let (read, memoryFile) = try SnapshotStore.read(from: root + "/snap")
        #expect(read == written)
        let readTags = try #require(read.tags)
        let path = SnapshotStore.tagFilePath(readTags, besideMemoryFile: memoryFile)
        #expect(path == root + "/snap/tags.bin")
        #expect(try SnapshotStore.readTags(readTags, file: path) == tags)
    }

    @Test func tagsMustMatchTheState() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = mteState
        #expect(throws: SnapshotError.self) { try write(state, tags: nil, to: root + "/a") }
        #expect(throws: SnapshotError.self) { try write(SnapshotFixtures.small, tags: [0], to: root + "/b") }
        #expect(throws: SnapshotError.self) { try write(state, tags: [1, 2, 3], to: root + "/c") }
        // Nothing was left behind by any of them.
        #expect(try fm.contentsOfDirectory(atPath: root).isEmpty)
    }

    @Test func truncatedTagFileIsRefused() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = mteState
        _ = try write(state, tags: packedTags(for: state), to: root + "/snap")
        let path = root + "/snap/tags.bin"
        #expect(truncate(path, off_t(state.memory.size / 32 - 1)) == 0)
        let error = try #require(throws: SnapshotError.self) { try SnapshotStore.read(from: root + "/snap") }
        guard case .tagFileSize(_, let found, let expected) = error else {
            Issue.record("expected tagFileSize, got \(error)")
            return
        }
        #expect(found == state.memory.size / 32 - 1 && expected == state.memory.size / 32)
        #expect("\(error)".contains("tags.bin") && "\(error)".contains("truncated"))
    }

    @Test func corruptTagFileIsRefused() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = mteState
        let written = try write(state, tags: packedTags(for: state), to: root + "/snap")
        let path = root + "/snap/tags.bin"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x10  // one tag changed
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let tags = try #require(written.tags)
        let error = try #require(throws: SnapshotError.self) { try SnapshotStore.readTags(tags, file: path) }
        guard case .tagChecksumMismatch(_, _, let expected) = error else {
            Issue.record("expected tagChecksumMismatch, got \(error)")
            return
        }
        #expect(expected == tags.checksum)
        #expect("\(error)".contains("corrupt"))
    }

    @Test func missingTagFileIsRefused() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let state = mteState
        _ = try write(state, tags: packedTags(for: state), to: root + "/snap")
        try fm.removeItem(atPath: root + "/snap/tags.bin")
        let error = try #require(throws: SnapshotError.self) { try SnapshotStore.read(from: root + "/snap") }
        guard case .tagFileMissing = error else {
            Issue.record("expected tagFileMissing, got \(error)")
            return
        }
    }

    @Test func tagsThatDoNotCoverRAMAreInconsistent() throws {
        var state = mteState
        state.tags?.size = state.memory.size / 2
        #expect(throws: SnapshotError.self) { try state.validate() }
        state = mteState
        state.tags?.fileName = state.memory.fileName
        #expect(throws: SnapshotError.self) { try state.validate() }
        #expect(throws: Never.self) { try mteState.validate() }
    }

    @Test func malformedTagSectionsAreRefused() throws {
        var state = mteState
        state.tags?.fileName = "../tags.bin"
        #expect(throws: SnapshotError.self) { try SnapshotCodec.decode(SnapshotCodec.encode(state)) }
        state = mteState
        state.tags?.size = 4095
        #expect(throws: SnapshotError.self) { try SnapshotCodec.decode(SnapshotCodec.encode(state)) }
    }
}
