import Foundation
import Testing

@testable import VMM

/// Boot files read into guest RAM on the loader's own thread (`BootFileLoader`), while the machine is
/// built: the bytes, the dirty tracker and a file that changes under the loader.
@Suite struct BootFileLoaderTests {
    static func file(_ root: String, _ name: String, _ bytes: [UInt8]) throws -> String {
        let path = root + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func bothFilesLandAtTheirAddressesAndExactlyTheirPagesAreDirty() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let kernelBytes = (0..<(3 << 20) + 77).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let initrdBytes = (0..<40_000).map { UInt8(truncatingIfNeeded: ~$0 &* 3) }
        var kernel = try BootFile(try Self.file(root, "Image", kernelBytes), what: "kernel image")
        var initrd = try BootFile(try Self.file(root, "initrd", initrdBytes), what: "initrd")
        kernel.address = 0x4020_0000
        initrd.address = 0x4080_0000
        let memory = try GuestMemory(guestAddress: 0x4000_0000, size: 16 << 20)
        let tracker = memory.startDirtyTracking(of: memory.regions[0])
        let loader = try BootFileLoader([kernel, initrd], into: memory)
        try loader.finish()
        #expect(try memory.read(at: 0x4020_0000, count: kernelBytes.count) == kernelBytes)
        #expect(try memory.read(at: 0x4080_0000, count: initrdBytes.count) == initrdBytes)
        #expect(try memory.read(at: 0x4000_0000, count: 64) == [UInt8](repeating: 0, count: 64))
        // Exactly the files' pages are dirty, as if the main thread had loaded them.
        let page = UInt64(tracker.pending().pageSize)
        func pages(_ address: UInt64, _ count: Int) -> Set<UInt64> {
            Set(((address - 0x4000_0000) / page)...((address - 0x4000_0000 + UInt64(count) - 1) / page))
        }
        let expected = pages(0x4020_0000, kernelBytes.count).union(pages(0x4080_0000, initrdBytes.count))
        let dirty = tracker.pending()
        var marked = Set<UInt64>()
        for index in 0..<dirty.pageCount where (dirty.words[index / 64] >> UInt64(index % 64)) & 1 == 1 {
            marked.insert(UInt64(index))
        }
        #expect(marked == expected)
    }

    @Test func aFileThatShrankAfterItWasPlacedIsAnErrorNamingIt() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try Self.file(root, "Image", [UInt8](repeating: 0xa5, count: 1 << 20))
        var kernel = try BootFile(path, what: "kernel image")
        kernel.address = 0x4000_0000
        // Rebuilt in place between the placement and the copy.
        try Data([UInt8](repeating: 1, count: 4096)).write(to: URL(fileURLWithPath: path))
        let memory = try GuestMemory(guestAddress: 0x4000_0000, size: 4 << 20)
        let loader = try BootFileLoader([kernel], into: memory)
        do {
            try loader.finish()
            Issue.record("a short read was accepted")
        } catch {
            guard case .badGuest(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains("kernel image '\(path)'"))
            #expect(text.contains("1048576 bytes"))
        }
    }
}
