import Testing

@testable import VMM

/// The DTB parser on malformed input: every case is a typed error, never a trap.
@Suite struct FDTParserTests {
    static func validBlob() throws -> [UInt8] {
        try FDTTests.sample.flattened(reservations: [.init(address: 0x1000, size: 0x1000)])
    }

    static func patch(_ blob: [UInt8], word index: Int, _ value: UInt32) -> [UInt8] {
        var copy = blob
        for byte in 0..<4 { copy[index * 4 + byte] = UInt8(truncatingIfNeeded: value >> (24 - 8 * byte)) }
        return copy
    }

    @Test func emptyAndShortInputAreTruncated() {
        #expect(throws: FDTError.truncated(what: "header", needed: 40, available: 0)) { try FDT.parse([]) }
        #expect(throws: FDTError.truncated(what: "header", needed: 40, available: 8)) {
            try FDT.parse([0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0])
        }
    }

    @Test func badMagic() {
        #expect(throws: FDTError.badMagic(0x7f45_4c46)) { try FDT.parse(Array("\u{7f}ELF and then some".utf8)) }
    }

    @Test func everyTruncationIsAnError() throws {
        let blob = try Self.validBlob()
        for length in 0..<blob.count {
            #expect(throws: FDTError.self, "length \(length)") { try FDT.parse(Array(blob[..<length])) }
        }
        // Trailing bytes after totalsize are ignored.
        #expect(try FDT.parse(blob + [0xff, 0xff]).root == FDTTests.sample)
    }

    @Test func headerFieldsAreChecked() throws {
        let blob = try Self.validBlob()
        let cases: [(Int, UInt32, String)] = [
            (1, 39, "totalsize below the header"),
            (1, UInt32(blob.count + 1), "totalsize past the data"),
            (2, 0, "structure block inside the header"),
            (2, UInt32(blob.count), "structure block past the end"),
            (2, 58, "misaligned structure block"),
            (3, UInt32(blob.count) + 1, "strings past the end"),
            (4, 44, "misaligned reservations"),
            (4, UInt32(blob.count - 8), "reservation block past the end"),
            (5, 16, "version 16"),
            (6, 18, "last compatible version 18"),
            (8, 0xffff_ffff, "huge strings size"),
            (9, 0xffff_ffff, "huge struct size"),
        ]
        for (field, value, label) in cases {
            #expect(throws: FDTError.self, "\(label)") { try FDT.parse(Self.patch(blob, word: field, value)) }
        }
    }

    @Test func structureErrors() throws {
        let blob = try Self.validBlob()
        let structStart = Int(blob.readBigEndianUInt32(at: 8))
        // An unknown token where the root's BEGIN_NODE should be.
        #expect(throws: FDTError.badStructure(offset: structStart, reason: "unknown token 0x7")) {
            try FDT.parse(Self.patch(blob, word: structStart / 4, 7))
        }
        // END before anything.
        #expect(throws: FDTError.self) { try FDT.parse(Self.patch(blob, word: structStart / 4, 9)) }
        // A property name offset outside the strings block.
        let node = FDTNode("", properties: [.u32("x", 1)])
        var bad = try node.flattened()
        let propNameWord = (Int(bad.readBigEndianUInt32(at: 8)) + 8 + 8) / 4
        bad = Self.patch(bad, word: propNameWord, 1000)
        #expect(throws: FDTError.self) { try FDT.parse(bad) }
    }

    @Test func unbalancedAndDeepTrees() throws {
        var builder = FDTBuilder()
        try builder.beginNode("")
        for level in 0..<70 { try builder.beginNode("n\(level)") }
        for _ in 0..<71 { try builder.endNode() }
        #expect(throws: FDTError.self) { try FDT.parse(try builder.finish()) }
    }

    @Test func randomCorruptionNeverTraps() throws {
        let blob = try Self.validBlob()
        var random = SplitMix64(state: 0x5eed)
        var parsedAnyway = 0
        for _ in 0..<4000 {
            var copy = blob
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                copy[Int.random(in: 0..<copy.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if (try? FDT.parse(copy)) != nil { parsedAnyway += 1 }
        }
        // Most single-byte changes land in values or names and still parse; that is fine.
        #expect(parsedAnyway > 0)
    }

    @Test func garbageNeverTraps() {
        var random = SplitMix64(state: 42)
        for length in [0, 3, 40, 41, 64, 200, 1000] {
            for _ in 0..<200 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                if length >= 4 { bytes.replaceSubrange(0..<4, with: [0xd0, 0x0d, 0xfe, 0xed]) }
                _ = try? FDT.parse(bytes)
            }
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect("\(FDTError.badMagic(0x1234))".contains("0xd00dfeed"))
        #expect("\(FDTError.truncated(what: "header", needed: 40, available: 3))".contains("40"))
    }
}
