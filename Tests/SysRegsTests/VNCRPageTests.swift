import Testing

@testable import SysRegs

/// The VNCR page as a value: rendering a register file into it and parsing it back.
@Suite struct VNCRPageTests {
    /// A register file with every VNCR-backed register set to a distinct value that fills its width.
    static func distinctFile() -> RegisterFile {
        var file = RegisterFile()
        for (i, d) in RegisterTable.vncrLayout.enumerated() {
            let low = 0x0101_0101_0101_0101 &* UInt64(i + 1) ^ 0x8000_0000_0000_0000
            file[d] = d.width == .bits128 ? UInt128(~low) << 64 | UInt128(low) : UInt128(low)
        }
        return file
    }

    @Test func roundTrip() {
        let file = Self.distinctFile()
        #expect(file.count == RegisterTable.vncrLayout.count)
        #expect(VNCRPage(rendering: file).registerFile() == file)
    }

    @Test func vttbrIsA128BitLittleEndianSlotAt0x20() throws {
        let vttbr = try #require(RegisterTable.named("VTTBR_EL2"))
        var file = RegisterFile()
        let value: UInt128 = 0xA50E_0D0C_0B0A_0908_0706_0504_0302_0100
        file[vttbr] = value
        let page = VNCRPage(rendering: file)
        #expect(Array(page.bytes[0x20..<0x30]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xA5])
        #expect(page.bytes[0x1F] == 0 && page.bytes[0x30] == 0)
        #expect(page[vttbr] == value)
        #expect(page.registerFile()[vttbr] == value)
    }

    @Test func slotsLandAtTheirOffsets() throws {
        var file = RegisterFile()
        file["HCR_EL2"] = 0x4_8000_0000
        file["SP_EL1"] = 0x1122_3344_5566_7788
        let page = VNCRPage(rendering: file)
        #expect(page[offset: 0x78, byteCount: 8] == 0x4_8000_0000)
        #expect(Array(page.bytes[0x240..<0x248]) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect(page.bytes.enumerated().filter { $0.element != 0 }.count == 10)
    }

    @Test func bytesInitRoundTrips() throws {
        let page = VNCRPage(rendering: Self.distinctFile())
        #expect(try VNCRPage(bytes: page.bytes) == page)
    }

    @Test(arguments: [0, 4095, 4097, 8192])
    func wrongSizeIsRejected(size: Int) {
        #expect(throws: VNCRPageError.wrongSize(size)) {
            try VNCRPage(bytes: Array(repeating: 0, count: size))
        }
    }
}
