import Testing

@testable import VMM

/// A little-endian scratch RAM that records accesses.
final class ScratchDevice: MMIODevice {
    var bytes: [UInt8]
    var accesses: [(offset: UInt64, size: Int, write: Bool)] = []

    init(size: Int) { bytes = [UInt8](repeating: 0, count: size) }

    func mmioRead(offset: UInt64, size: Int) -> UInt64 {
        accesses.append((offset, size, false))
        return (0..<size).reduce(0) { $0 | UInt64(bytes[Int(offset) + $1]) << (8 * $1) }
    }

    func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
        accesses.append((offset, size, true))
        for byte in 0..<size { bytes[Int(offset) + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }
}

/// Address decoding, registration rules and access sizes of the MMIO bus.
@Suite struct MMIOBusTests {
    @Test func registrationRefusesOverlapAndBadRanges() throws {
        var bus = MMIOBus()
        try bus.register(ScratchDevice(size: 0x1000), at: 0x1000, size: 0x1000, name: "a")
        try bus.register(ScratchDevice(size: 0x1000), at: 0x3000, size: 0x1000, name: "b")
        // Adjacent on both sides is fine.
        try bus.register(ScratchDevice(size: 0x1000), at: 0x2000, size: 0x1000, name: "c")
        try bus.register(ScratchDevice(size: 0x1000), at: 0x0, size: 0x1000, name: "d")
        #expect(bus.mappings.map(\.name) == ["d", "a", "c", "b"])

        #expect(
            throws: MMIOBusError.overlap(
                name: "e", range: 0x2800..<0x3800, existing: "c", existingRange: 0x2000..<0x3000)
        ) {
            try bus.register(ScratchDevice(size: 0x1000), at: 0x2800, size: 0x1000, name: "e")
        }
        #expect(throws: MMIOBusError.self) {
            try bus.register(ScratchDevice(size: 1), at: 0x3fff, size: 2, name: "f")
        }
        #expect(throws: MMIOBusError.self) {
            try bus.register(ScratchDevice(size: 1), at: 0, size: 0x10_0000, name: "g")
        }
        #expect(throws: MMIOBusError.invalidRange(name: "h", base: 0x9000, size: 0)) {
            try bus.register(ScratchDevice(size: 1), at: 0x9000, size: 0, name: "h")
        }
        #expect(throws: MMIOBusError.self) { try bus.register(ScratchDevice(size: 1), at: .max, size: 2, name: "i") }
        #expect(bus.mappings.count == 4)
        let overlap = MMIOBusError.overlap(
            name: "e", range: 0x2800..<0x3800, existing: "c", existingRange: 0x2000..<0x3000)
        #expect("\(overlap)" == "MMIO device e at 0x2800..<0x3800 overlaps c at 0x2000..<0x3000")
    }

    @Test func lookupAtBoundaries() throws {
        var bus = MMIOBus()
        try bus.register(ScratchDevice(size: 0x100), at: 0x1000, size: 0x100, name: "low")
        try bus.register(ScratchDevice(size: 0x100), at: 0x2000, size: 0x100, name: "high")
        // A range ending at 2^64 is not representable, so the top mapping stops 16 bytes short.
        try bus.register(ScratchDevice(size: 0x10), at: .max - 0x1f, size: 0x10, name: "top")
        #expect(bus.mapping(containing: 0xfff) == nil)
        #expect(bus.mapping(containing: 0x1000)?.name == "low")
        #expect(bus.mapping(containing: 0x10ff)?.name == "low")
        #expect(bus.mapping(containing: 0x1100) == nil)
        #expect(bus.mapping(containing: 0x2050)?.name == "high")
        #expect(bus.mapping(containing: .max - 0x10)?.name == "top")
        #expect(bus.mapping(containing: .max) == nil)
        #expect(bus.mapping(containing: 0) == nil)
    }

    @Test(arguments: [1, 2, 4, 8])
    func readWriteEverySize(size: Int) throws {
        var bus = MMIOBus()
        let device = ScratchDevice(size: 0x100)
        try bus.register(device, at: 0x9000_0000, size: 0x100, name: "ram")
        try bus.write(at: 0x9000_0010, size: size, value: 0x1122_3344_5566_7788)
        let mask: UInt64 = size == 8 ? ~0 : (1 << (8 * UInt64(size))) - 1
        #expect(try bus.read(at: 0x9000_0010, size: size) == 0x1122_3344_5566_7788 & mask)
        #expect(device.bytes[0x10] == 0x88)
        #expect(device.bytes[0x10 + size] == 0, "nothing written past the access")
        #expect(device.accesses.map(\.offset) == [0x10, 0x10])
        #expect(device.accesses.map(\.size) == [size, size])
    }

    @Test func badAccesses() throws {
        var bus = MMIOBus()
        let device = ScratchDevice(size: 0x100)
        try bus.register(device, at: 0x1000, size: 0x100, name: "ram")
        for size in [0, 3, 5, 16, -1] {
            #expect(throws: MMIOBusError.invalidSize(address: 0x1000, size: size)) {
                try bus.read(at: 0x1000, size: size)
            }
        }
        #expect(throws: MMIOBusError.unmapped(address: 0x5000, size: 4, isWrite: true)) {
            try bus.write(at: 0x5000, size: 4, value: 1)
        }
        #expect(throws: MMIOBusError.crossesBoundary(address: 0x10fc, size: 8, device: "ram")) {
            try bus.read(at: 0x10fc, size: 8)
        }
        #expect(device.accesses.isEmpty, "refused accesses never reach the device")
    }
}
