import Foundation
import Glibc
import Testing

@testable import VMM

/// Sparse memory files: untouched and all-zero pages become holes, the checksum is the CRC of the
/// logical image, a restore of a sparse file reads back exactly the RAM that was saved.
@Suite struct SnapshotSparseTests {
    let fm = FileManager.default
    static let base: UInt64 = 0x4000_0000

    @Test(arguments: [0, 1, 7, 8, 4096, (1 << 20) + 3, 5_000_000])
    func appendZerosEqualsFeedingZeros(count: Int) {
        let prefix: [UInt8] = Array("vmmctl sparse".utf8)
        var fast = CRC32C()
        fast.update(prefix)
        fast.appendZeros(UInt64(count))
        fast.update([1, 2, 3])
        #expect(fast.value == CRC32C.checksum(prefix + [UInt8](repeating: 0, count: count) + [1, 2, 3]))
    }

    @Test func nonZeroExtentsFindTheDataGranules() {
        var bytes = [UInt8](repeating: 0, count: 5 * 4096 + 100)
        bytes[4096 + 17] = 1  // granule 1
        bytes[2 * 4096] = 2  // granule 2, merged with 1
        bytes[5 * 4096 + 99] = 3  // the short last granule
        let extents = bytes.withUnsafeBytes { SnapshotStore.nonZeroExtents($0) }
        #expect(extents == [4096..<(3 * 4096), (5 * 4096)..<(5 * 4096 + 100)])
        #expect([UInt8](repeating: 0, count: 9000).withUnsafeBytes { SnapshotStore.nonZeroExtents($0) } == [])
    }

    /// 16 MiB of fresh RAM with a few pages written (one of them with zeros only).
    func touchedMemory() throws -> (GuestMemory, MachineState) {
        var state = SnapshotFixtures.small
        state.memory = MemoryState(guestAddress: Self.base, size: 16 << 20, fileName: "memory.bin", checksum: 0)
        let memory = try GuestMemory(guestAddress: Self.base, size: 16 << 20)
        try memory.write([UInt8](repeating: 0xAB, count: 3 * 4096), at: Self.base + 0x1000)
        try memory.write(UInt64(0x1122_3344_5566_7788), at: Self.base + 0x3F_FFF8)
        try memory.write([UInt8](repeating: 0, count: 4096), at: Self.base + 0x20_0000)
        return (memory, state)
    }

    @Test func untouchedRAMIsNotACandidate() throws {
        let (memory, _) = try touchedMemory()
        let ranges = memory.possiblyNonZeroRanges(of: memory.regions[0])
        let total = ranges.reduce(UInt64(0)) { $0 + UInt64($1.count) }
        // Touched pages are in; untouched RAM is out (transparent huge pages may widen a touch to 2 MiB).
        #expect(ranges.contains { $0.contains(0x1000) && $0.contains(0x3FFF) })
        #expect(ranges.contains { $0.contains(0x3F_F000) })
        #expect(total <= 6 << 20)
        #expect(!ranges.contains { $0.contains(0xF0_0000) })
    }

    @Test func writesOnlyDataAndReadsBackTheWholeImage() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let (memory, state) = try touchedMemory()
        let written = try SnapshotStore.write(state: state, memory: memory, to: root + "/snap")
        let ram = try memory.read(at: Self.base, count: 16 << 20)
        #expect(written.memory.checksum == CRC32C.checksum(ram))
        let path = root + "/snap/memory.bin"
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == ram)
        let file = try HostFile.openForReading(path)
        #expect(try file.size() == 16 << 20)
        // On a filesystem with holes the file stores the two data runs only; without, all of it.
        if let extents = try file.dataExtents(to: 16 << 20), try file.allocatedBytes() < 8 << 20 {
            #expect(extents.allSatisfy { $0.upperBound <= 0x40_0000 })
        }
        _ = try SnapshotStore.read(from: root + "/snap")
        let restored = try GuestMemory(mappingFile: path, guestAddress: Self.base, size: 16 << 20)
        #expect(try restored.read(at: Self.base, count: 16 << 20) == ram)
    }

    @Test func aRestoredGuestsSnapshotKeepsTheFilesDataAndItsNewWrites() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let (memory, state) = try touchedMemory()
        try SnapshotStore.write(state: state, memory: memory, to: root + "/one")
        let restored = try GuestMemory(mappingFile: root + "/one/memory.bin", guestAddress: Self.base, size: 16 << 20)
        // Pages still only in the file (never touched since the restore), and a new write into a hole.
        try restored.write([UInt8](repeating: 0x5A, count: 100), at: Self.base + 0xA0_0000)
        let again = try SnapshotStore.write(state: state, memory: restored, to: root + "/two")
        let expected = try restored.read(at: Self.base, count: 16 << 20)
        #expect(again.memory.checksum == CRC32C.checksum(expected))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/two/memory.bin"))) == expected)
    }

    @Test func aChangeInDataOrInAHoleFailsTheChecksum() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let (memory, state) = try touchedMemory()
        for (name, offset) in [("data", UInt64(0x1800)), ("hole", UInt64(0x80_0000))] {
            let dir = root + "/" + name
            try SnapshotStore.write(state: state, memory: memory, to: dir)
            let fd = open(dir + "/memory.bin", O_WRONLY)
            var byte: UInt8 = 0x01
            #expect(pwrite(fd, &byte, 1, off_t(offset)) == 1)
            close(fd)
            #expect(throws: SnapshotError.self) { try SnapshotStore.read(from: dir) }
            #expect(throws: Never.self) { try SnapshotStore.read(from: dir, verifyMemory: false) }
        }
    }
}
