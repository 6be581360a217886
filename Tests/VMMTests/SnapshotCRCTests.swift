import Testing

@testable import VMM

/// CRC-32C against published check values and a bit-at-a-time reference.
@Suite struct SnapshotCRCTests {
    @Test func checkValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // RFC 3720 B.4: 32 bytes of zeros, of 0xFF, and an ascending sequence.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func slicingMatchesBitwiseReferenceAtEveryLength() {
        var rng = SplitMix64(state: 7)
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for length in 0...data.count {
            let prefix = Array(data.prefix(length))
            #expect(CRC32C.checksum(prefix) == reference(prefix), "length \(length)")
        }
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            var crc = CRC32C()
            crc.update(data[..<split])
            crc.update(Array(data[split...]))
            #expect(crc.value == CRC32C.checksum(data))
        }
    }

    func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
