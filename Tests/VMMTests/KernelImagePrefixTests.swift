import Foundation
import Testing

@testable import VMM

/// The kernel checked from its header alone and read straight into guest RAM (`Payload.linuxFiles`).
@Suite struct KernelImagePrefixTests {
    @Test func prefixAndSizeGiveTheSameImageAsTheWholeFile() throws {
        let whole = KernelImageTests.efiImage(fileSize: 0x3000)
        let fromPrefix = try KernelImage(prefix: Array(whole[..<0x200]), fileSize: whole.count)
        #expect(fromPrefix == (try KernelImage(whole)))
        #expect(fromPrefix.fileSize == 0x3000)
    }

    @Test func truncationIsJudgedAgainstTheFileSizeNotThePrefix() throws {
        let whole = KernelImageTests.efiImage(fileSize: 0x2000)
        #expect(throws: Never.self) { try KernelImage(prefix: Array(whole[..<0x200]), fileSize: 0x2000) }
        #expect(throws: KernelImageError.truncated(fileSize: 0x1800, expected: 0x2000)) {
            try KernelImage(prefix: Array(whole[..<0x200]), fileSize: 0x1800)
        }
        #expect(throws: KernelImageError.imageSizeTooSmall(imageSize: 0x1_0000, fileSize: 0x2_0000)) {
            try KernelImage(prefix: Array(whole[..<0x200]), fileSize: 0x2_0000)
        }
        #expect(throws: KernelImageError.tooSmall(size: 10)) {
            try KernelImage(prefix: Array(whole[..<10]), fileSize: 10)
        }
    }

    @Test func aFileIsReadStraightIntoGuestRAM() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = (0..<(3 << 20) + 123).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 11) }
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/image"))
        let memory = try GuestMemory(guestAddress: 0x4000_0000, size: 8 << 20)
        let file = try HostFile.openForReading(root + "/image")
        try memory.load(from: file, count: bytes.count, at: 0x4010_0000)
        #expect(try memory.read(at: 0x4010_0000, count: bytes.count) == bytes)
        #expect(try memory.read(at: 0x4000_0000, count: 16) == [UInt8](repeating: 0, count: 16))
        // Past the end of RAM: refused before anything is read.
        #expect(throws: GuestMemoryError.self) { try memory.load(from: file, count: bytes.count, at: 0x4060_0000) }
        // A file shorter than asked: an error naming it, not a silent short load.
        #expect(throws: GuestMemoryError.self) { try memory.load(from: file, count: bytes.count + 1, at: 0x4000_0000) }
    }
}
