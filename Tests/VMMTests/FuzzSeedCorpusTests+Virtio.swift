@testable import VMM

/// Seeds for the VirtioChain target (Tests/Fuzz/VirtioChain/main.swift has the input layout): a queue of
/// 8 with its descriptor table at RAM offset 0, the available ring at 0x80 and the used ring at 0x100,
/// then the first bytes of guest RAM.
extension FuzzSeedCorpusTests {
    static let ramA: UInt64 = 0x4000_0000
    static let ramB: UInt64 = 0x4001_0000

    /// One descriptor: its byte offset in the image and its four fields (§2.7.5).
    struct SeedDescriptor {
        var at: Int
        var address: UInt64
        var length: UInt32
        var flags: UInt16 = 0
        var next: UInt16 = 0
    }

    static func virtioSeed(ring: [UInt16], _ descriptors: [SeedDescriptor]) -> [UInt8] {
        func le(_ value: UInt64, _ count: Int) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        let header = [8, 0, 0x80, 0x100, 0].flatMap { le($0, 2) }
        let end = max(0x100 + 6 + 8 * 8, descriptors.map { $0.at + 16 }.max() ?? 0)
        var image = [UInt8](repeating: 0, count: end)
        func put(_ bytes: [UInt8], _ at: Int) { image.replaceSubrange(at..<at + bytes.count, with: bytes) }
        put(le(UInt64(ring.count), 2), 0x80 + 2)
        for (slot, head) in ring.enumerated() { put(le(UInt64(head), 2), 0x80 + 4 + 2 * slot) }
        for d in descriptors {
            put(le(d.address, 8) + le(UInt64(d.length), 4) + le(UInt64(d.flags), 2) + le(UInt64(d.next), 2), d.at)
        }
        return header + image
    }

    static var virtioSeeds: [String: [UInt8]] {
        let (next, writable, indirect) = (
            Virtqueue.VIRTQ_DESC_F_NEXT, Virtqueue.VIRTQ_DESC_F_WRITE, Virtqueue.VIRTQ_DESC_F_INDIRECT
        )
        return [
            // Two requests: a readable header then a writable buffer, and one writable byte in region B.
            "direct": virtioSeed(
                ring: [0, 3],
                [
                    SeedDescriptor(at: 0, address: ramA + 0x1000, length: 16, flags: next, next: 1),
                    SeedDescriptor(at: 16, address: ramA + 0x1100, length: 512, flags: writable),
                    SeedDescriptor(at: 48, address: ramB, length: 1, flags: writable),
                ]),
            // One indirect table of two entries at offset 0x400.
            "indirect": virtioSeed(
                ring: [0],
                [
                    SeedDescriptor(at: 0, address: ramA + 0x400, length: 32, flags: indirect),
                    SeedDescriptor(at: 0x400, address: ramA + 0x1000, length: 16, flags: next, next: 1),
                    SeedDescriptor(at: 0x410, address: ramA + 0x1200, length: 4, flags: writable),
                ]),
            // Descriptor 0 and 1 name each other: refused as a loop after 8 descriptors.
            "loop": virtioSeed(
                ring: [0],
                [
                    SeedDescriptor(at: 0, address: ramA + 0x1000, length: 16, flags: next, next: 1),
                    SeedDescriptor(at: 16, address: ramA + 0x1000, length: 16, flags: next, next: 0),
                ]),
        ]
    }
}
