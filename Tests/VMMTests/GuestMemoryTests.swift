import Testing

@testable import VMM

/// Guest memory bounds checks: plain anonymous mmap, so they run on any host.
@Suite struct GuestMemoryTests {
    let base: UInt64 = 0x4000_0000
    let size = 0x1_0000

    @Test func roundTripsIntegersAndBytes() throws {
        let memory = try GuestMemory(guestAddress: base, size: size)
        try memory.write(UInt64(0x1122_3344_5566_7788), at: base + 8)
        #expect(try memory.read(UInt64.self, at: base + 8) == 0x1122_3344_5566_7788)
        #expect(try memory.read(at: base + 8, count: 2) == [0x88, 0x77])
        try memory.write(words: [0xD538_4241, 0x1400_0000], at: base)
        #expect(try memory.read(UInt32.self, at: base + 4) == 0x1400_0000)
        try memory.write(UInt16(0xBEEF), at: base + 3)  // unaligned is fine
        #expect(try memory.read(UInt16.self, at: base + 3) == 0xBEEF)
    }

    @Test func lastByteIsInsideFirstPastIsNot() throws {
        let memory = try GuestMemory(guestAddress: base, size: size)
        let end = base + UInt64(size)
        try memory.write([1], at: end - 1)
        #expect(try memory.read(at: end - 1, count: 1) == [1])
        #expect(throws: GuestMemoryError.outOfRange(address: end, length: 1)) { try memory.read(at: end, count: 1) }
        #expect(throws: GuestMemoryError.outOfRange(address: end - 4, length: 8)) {
            try memory.read(UInt64.self, at: end - 4)
        }
        #expect(throws: GuestMemoryError.outOfRange(address: base - 1, length: 1)) {
            try memory.write([0], at: base - 1)
        }
        #expect(throws: GuestMemoryError.outOfRange(address: UInt64.max - 2, length: 8)) {
            try memory.write(UInt64(0), at: UInt64.max - 2)
        }
        #expect(throws: GuestMemoryError.self) { try memory.read(at: base, count: -1) }
    }

    @Test func accessesMayNotSpanTwoRegions() throws {
        let memory = try GuestMemory(layout: [(base, size), (base + UInt64(size), size)])
        #expect(memory.regions.count == 2)
        try memory.write(UInt32(1), at: base + UInt64(size) - 4)
        try memory.write(UInt32(2), at: base + UInt64(size))
        #expect(throws: GuestMemoryError.self) { try memory.write(UInt64(0), at: base + UInt64(size) - 4) }
    }

    @Test func invalidLayoutsAreRefused() {
        #expect(throws: GuestMemoryError.self) { try GuestMemory(guestAddress: base, size: 0) }
        #expect(throws: GuestMemoryError.self) { try GuestMemory(guestAddress: base + 1, size: size) }
        #expect(throws: GuestMemoryError.self) { try GuestMemory(guestAddress: base, size: 100) }
        #expect(throws: GuestMemoryError.overlap(base, base + 0x1000)) {
            try GuestMemory(layout: [(base, size), (base + 0x1000, size)])
        }
        #expect(throws: GuestMemoryError.self) { try GuestMemory(guestAddress: UInt64.max - 0xFFF, size: 0x2000) }
    }

    @Test func errorText() {
        #expect(
            GuestMemoryError.outOfRange(address: 0x1000, length: 8).description
                == "guest memory: 8 bytes at 0x1000 are outside guest RAM")
    }
}
