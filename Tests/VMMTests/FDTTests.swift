import Testing

@testable import VMM

/// The DTB writer: header fields, block layout and alignment, string de-duplication, value encodings.
@Suite struct FDTTests {
    static let sample = FDTNode(
        "",
        properties: [.u32("#address-cells", 2), .string("compatible", "test,board")],
        children: [
            FDTNode("a@1", properties: [.u64("reg", 0x1_2345_6789), .empty("flag"), .string("compatible", "x")]),
            FDTNode("b", properties: [.strings("names", ["one", "two"])], children: [FDTNode("c")]),
        ])

    @Test func headerFieldsAndBlockLayout() throws {
        let blob = try Self.sample.flattened(reservations: [.init(address: 0x8000_0000, size: 0x1000)], bootCPUID: 3)
        let word = { (index: Int) in blob.readBigEndianUInt32(at: index * 4) }
        #expect(word(0) == 0xd00d_feed)
        #expect(Int(word(1)) == blob.count)
        #expect(word(4) == 40, "reservations follow the header")
        #expect(word(4) % 8 == 0)
        #expect(word(2) == 40 + 32, "one entry + terminator, 16 bytes each")
        #expect(word(2) % 4 == 0)
        #expect(word(3) == word(2) + word(9), "strings follow the structure block")
        #expect(word(5) == 17)
        #expect(word(6) == 16)
        #expect(word(7) == 3)
        #expect(Int(word(3) + word(8)) == blob.count)
        #expect(blob.readBigEndianUInt64(at: 40) == 0x8000_0000)
        #expect(blob.readBigEndianUInt64(at: 48) == 0x1000)
        #expect(blob.readBigEndianUInt64(at: 56) == 0 && blob.readBigEndianUInt64(at: 64) == 0)
        // The structure block ends with FDT_END.
        #expect(blob.readBigEndianUInt32(at: Int(word(2) + word(9)) - 4) == 9)
    }

    @Test func propertyNamesAreStoredOnce() throws {
        let blob = try Self.sample.flattened()
        let stringsStart = Int(blob.readBigEndianUInt32(at: 12))
        let strings = blob[stringsStart...].split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(strings == ["#address-cells", "compatible", "reg", "flag", "names"])
    }

    @Test func roundTripsThroughTheParser() throws {
        let reservations = [FDT.Reservation(address: 0x4000_0000, size: 0x20_0000)]
        let parsed = try FDT.parse(try Self.sample.flattened(reservations: reservations))
        #expect(parsed.root == Self.sample)
        #expect(parsed.reservations == reservations)
        #expect(parsed.header.version == 17)
    }

    @Test func valueEncodingsAreBigEndian() {
        #expect(FDTProperty.u32("p", 0x0102_0304).value == [1, 2, 3, 4])
        #expect(FDTProperty.u64("p", 0x0102_0304_0506_0708).value == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(FDTProperty.cells("p", [1, 2]).value == [0, 0, 0, 1, 0, 0, 0, 2])
        #expect(FDTProperty.cells64("p", [0x1_0000_0002]).cellValues == [1, 2])
        #expect(FDTProperty.phandle("p", 7).cellValues == [7])
        #expect(FDTProperty.string("p", "ab").value == [0x61, 0x62, 0])
        #expect(FDTProperty.strings("p", ["a", "b"]).value == [0x61, 0, 0x62, 0])
        #expect(FDTProperty.strings("p", ["a", "", "b"]).stringValues == ["a", "", "b"])
        #expect(FDTProperty.empty("p").value.isEmpty)
        #expect(FDTProperty("p", bytes: [1, 2, 3]).cellValues == nil)
        #expect(FDTProperty("p", bytes: [0x61]).stringValues == nil)
    }

    @Test func structuresArePaddedToFourBytes() throws {
        // A 5-byte name and a 3-byte value both need padding.
        let node = FDTNode("", children: [FDTNode("abcd", properties: [FDTProperty("v", bytes: [1, 2, 3])])])
        let blob = try node.flattened()
        let structStart = Int(blob.readBigEndianUInt32(at: 8))
        let structSize = Int(blob.readBigEndianUInt32(at: 36))
        #expect(structSize % 4 == 0)
        // root BEGIN + "" (4), child BEGIN + "abcd\0" padded to 8, PROP 12 + value padded to 4, 2 × END_NODE, END.
        #expect(structSize == 8 + 12 + 16 + 4 + 4 + 4)
        #expect(try FDT.parse(blob).root == node)
        #expect(blob.readBigEndianUInt32(at: structStart) == 1)
    }

    @Test func builderRefusesMisuse() {
        var builder = FDTBuilder()
        #expect(throws: FDTError.self) { try builder.finish() }
        #expect(throws: FDTError.self) { try builder.property(.empty("x")) }
        #expect(throws: FDTError.self) { try builder.beginNode("notroot") }
        #expect(throws: FDTError.self) { try builder.endNode() }
        #expect(throws: Never.self) { try builder.beginNode("") }
        #expect(throws: FDTError.self) { try builder.finish() }
        #expect(throws: Never.self) { try builder.endNode() }
        #expect(throws: FDTError.self) { try builder.beginNode("late") }
        #expect(throws: Never.self) { try builder.finish() }
    }

    @Test(arguments: ["", "a/b", "bad name", String(repeating: "n", count: 32), "x@", "é"])
    func invalidNodeNamesAreRefused(_ name: String) {
        #expect(throws: FDTError.self) { try FDTNode("", children: [FDTNode(name)]).flattened() }
    }

    @Test(arguments: ["", "has space", String(repeating: "p", count: 32), "a/b"])
    func invalidPropertyNamesAreRefused(_ name: String) {
        #expect(throws: FDTError.self) { try FDTNode("", properties: [.empty(name)]).flattened() }
    }

    @Test func validNamesAreAccepted() throws {
        let node = FDTNode(
            "", properties: [.empty("#size-cells"), .empty("linux,initrd-start"), .empty("a?b")],
            children: [FDTNode("pl011@9000000"), FDTNode("cpu@0"), FDTNode(String(repeating: "n", count: 31))])
        #expect(try FDT.parse(try node.flattened()).root == node)
    }

    @Test func treeLookup() {
        #expect(Self.sample.node(atPath: "/b/c")?.name == "c")
        #expect(Self.sample.node(atPath: "/")?.name == "")
        #expect(Self.sample.node(atPath: "/nope") == nil)
        #expect(Self.sample.node(atPath: "/a@1")?.property("flag")?.value == [])
    }
}
