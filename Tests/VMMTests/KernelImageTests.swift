import Testing

@testable import VMM

/// arm64 Image header parsing and validation, on hand-built headers.
@Suite struct KernelImageTests {
    /// A file of `fileSize` bytes whose first 64 bytes are an Image header.
    static func image(
        textOffset: UInt64 = 0, imageSize: UInt64? = nil, flags: UInt64 = 0b1010, magic: UInt32 = KernelImage.magic,
        fileSize: Int = 0x1_0000
    ) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: fileSize)
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for byte in 0..<width where offset + byte < bytes.count {
                bytes[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte))
            }
        }
        put(0x1400_0000, at: 0, width: 4)  // code0: b . (any instruction will do)
        put(textOffset, at: 8, width: 8)
        put(imageSize ?? UInt64(fileSize) + 0x1_0000, at: 16, width: 8)
        put(flags, at: 24, width: 8)
        put(UInt64(magic), at: 56, width: 4)
        return bytes
    }

    @Test func modernHeader() throws {
        let kernel = try KernelImage(Self.image(textOffset: 0, imageSize: 0x2_0000, flags: 0b1010))
        #expect(kernel.textOffset == 0)
        #expect(kernel.imageSize == 0x2_0000)
        #expect(kernel.effectiveSize == 0x2_0000)
        #expect(kernel.pageSize == .kib4)
        #expect(kernel.placementAnywhere)
        #expect(kernel.fileSize == 0x1_0000)
    }

    @Test(arguments: [
        (UInt64(0b000), KernelImage.PageSize.unspecified), (0b010, .kib4), (0b100, .kib16), (0b110, .kib64),
    ])
    func pageSizeFlag(flags: UInt64, pageSize: KernelImage.PageSize) throws {
        let kernel = try KernelImage(Self.image(flags: flags))
        #expect(kernel.pageSize == pageSize)
        #expect(!kernel.placementAnywhere)
    }

    @Test func legacyKernelAssumesTextOffset0x80000() throws {
        // Before 3.17 image_size is 0 and text_offset is 0x80000 whatever the field says.
        let kernel = try KernelImage(Self.image(textOffset: 0x1234, imageSize: 0, fileSize: 0x30_0001))
        #expect(kernel.textOffset == 0x8_0000)
        #expect(kernel.effectiveSize == 0x40_0000, "file size rounded up to 2 MiB")
    }

    @Test func tooSmall() {
        #expect(throws: KernelImageError.tooSmall(size: 63)) { try KernelImage(Array(Self.image()[..<63])) }
        #expect(throws: KernelImageError.tooSmall(size: 0)) { try KernelImage([]) }
    }

    @Test func badMagicNamesCompressedKernels() {
        #expect(throws: KernelImageError.badMagic(nil)) { try KernelImage(Self.image(magic: 0x1234_5678)) }
        var gzip = Self.image(magic: 0)
        gzip[0] = 0x1f
        gzip[1] = 0x8b
        #expect(throws: KernelImageError.badMagic(.gzip)) { try KernelImage(gzip) }
        var zboot = Self.image(magic: 0)
        zboot.replaceSubrange(0..<8, with: Array("MZ\0\0zimg".utf8))
        #expect(throws: KernelImageError.badMagic(.efiZboot)) { try KernelImage(zboot) }

        let plain = "\(KernelImageError.badMagic(nil))"
        #expect(plain.contains("not an arm64 Linux Image (no ARM\\x64 magic at offset 56)"))
        // Without a recognised wrapper the file is a raw payload to `KernelFile`; no advice to decompress it.
        #expect(!plain.contains("decompress"))
        #expect("\(KernelImageError.badMagic(.gzip))".contains("gzip-compressed"))
        #expect("\(KernelImageError.badMagic(.efiZboot))".contains("EFI zboot"))
    }

    @Test func bigEndianIsRefused() {
        #expect(throws: KernelImageError.bigEndian) { try KernelImage(Self.image(flags: 0b1011)) }
    }

    @Test func imageSizeSmallerThanFile() {
        #expect(throws: KernelImageError.imageSizeTooSmall(imageSize: 0x8000, fileSize: 0x1_0000)) {
            try KernelImage(Self.image(imageSize: 0x8000))
        }
    }

    @Test func implausibleTextOffset() {
        #expect(throws: KernelImageError.implausibleTextOffset(1 << 40)) {
            try KernelImage(Self.image(textOffset: 1 << 40))
        }
    }

    /// An EFI stub kernel: "MZ", PE header at res5, one section whose raw data ends at 0x2000.
    static func efiImage(fileSize: Int) -> [UInt8] {
        var bytes = image(imageSize: 0x1_0000, fileSize: fileSize)
        bytes[0] = 0x4d
        bytes[1] = 0x5a
        bytes[60] = 64  // res5: PE header offset
        bytes.replaceSubrange(64..<68, with: [0x50, 0x45, 0, 0])
        bytes[68] = 0x64  // Machine 0xaa64
        bytes[69] = 0xaa
        bytes[70] = 1  // NumberOfSections
        bytes[84] = 0  // SizeOfOptionalHeader: section table right after the COFF header, at 88
        bytes[88 + 17] = 0x10  // SizeOfRawData 0x1000
        bytes[88 + 21] = 0x10  // PointerToRawData 0x1000
        return bytes
    }

    @Test func truncatedEFIKernel() throws {
        #expect(throws: KernelImageError.truncated(fileSize: 0x1800, expected: 0x2000)) {
            try KernelImage(Self.efiImage(fileSize: 0x1800))
        }
        #expect(throws: Never.self) { try KernelImage(Self.efiImage(fileSize: 0x2000)) }
        // A section table that itself runs off the end is truncation too.
        #expect(throws: KernelImageError.self) { try KernelImage(Array(Self.efiImage(fileSize: 0x2000)[..<100])) }
    }

    @Test func garbageNeverTraps() {
        var random = SplitMix64(state: 7)
        for length in [64, 65, 100, 128, 4096] {
            for _ in 0..<300 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                bytes[0] = 0x4d
                bytes[1] = 0x5a
                bytes.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4d, 0x64])
                bytes[24] &= ~1
                _ = try? KernelImage(bytes)
            }
        }
    }
}

/// Where kernel, DTB and initrd land in guest RAM.
@Suite struct BootPlacementTests {
    static let ram512 = 0x4000_0000..<UInt64(0x6000_0000)

    static func kernel(textOffset: UInt64 = 0, imageSize: UInt64 = 0x200_0000) throws -> KernelImage {
        try KernelImage(KernelImageTests.image(textOffset: textOffset, imageSize: imageSize))
    }

    @Test func standardPlacement() throws {
        let plan = try BootPlacement.plan(kernel: try Self.kernel(), ram: Self.ram512, initrdSize: 0x10_0001)
        #expect(plan.kernelAddress == 0x4000_0000)
        #expect(plan.kernelEnd == 0x4200_0000)
        #expect(plan.dtbAddress == 0x5fe0_0000, "last 2 MiB block")
        #expect(plan.dtbAddress % 8 == 0)
        let initrd = try #require(plan.initrd)
        #expect(initrd.upperBound <= plan.dtbAddress)
        #expect(initrd.lowerBound % 0x1_0000 == 0)
        #expect(initrd.count == 0x10_0001)
        #expect(initrd.lowerBound >= plan.kernelEnd)
    }

    @Test func textOffsetIsAddedToA2MiBAlignedBase() throws {
        let plan = try BootPlacement.plan(kernel: try Self.kernel(textOffset: 0x8_0000), ram: 0x4010_0000..<0x6000_0000)
        #expect(plan.kernelAddress == 0x4028_0000)
        #expect(plan.initrd == nil)
    }

    @Test func initrdThatDoesNotFit() throws {
        let kernel = try Self.kernel()
        // 512 MiB RAM - 32 MiB kernel - 2 MiB DTB leaves 478 MiB.
        #expect(throws: Never.self) { try BootPlacement.plan(kernel: kernel, ram: Self.ram512, initrdSize: 478 << 20) }
        #expect(throws: BootPlacementError.initrdDoesNotFit(initrdSize: 479 << 20, memoryMiB: 512)) {
            try BootPlacement.plan(kernel: kernel, ram: Self.ram512, initrdSize: 479 << 20)
        }
        let message = "\(BootPlacementError.initrdDoesNotFit(initrdSize: 5, memoryMiB: 64))"
        #expect(message == "initrd (5 bytes) does not fit in 64 MiB of guest memory with the kernel; use --memory")
        #expect(throws: BootPlacementError.self) {
            try BootPlacement.plan(kernel: kernel, ram: Self.ram512, initrdSize: .max)
        }
    }

    @Test func kernelThatDoesNotFit() throws {
        // 510 MiB + 1 byte runs into the DTB block at the top of 512 MiB.
        let big = try Self.kernel(imageSize: 0x1fe0_0001)
        #expect(throws: BootPlacementError.kernelDoesNotFit(kernelSize: 0x1fe0_0001, memoryMiB: 512)) {
            try BootPlacement.plan(kernel: big, ram: Self.ram512)
        }
        #expect(throws: Never.self) {
            try BootPlacement.plan(kernel: try Self.kernel(imageSize: 0x1fe0_0000), ram: Self.ram512)
        }
        #expect(throws: BootPlacementError.self) {
            try BootPlacement.plan(kernel: try Self.kernel(), ram: 0x4000_0000..<0x4010_0000)
        }
    }

    @Test func initrdStaysInsideThe32GiBWindow() throws {
        let ram = 0x4000_0000..<UInt64(0x4000_0000 + (64 << 30))
        let plan = try BootPlacement.plan(kernel: try Self.kernel(), ram: ram, initrdSize: 0x100_0000)
        let initrd = try #require(plan.initrd)
        #expect(initrd.upperBound <= 0x4000_0000 + (32 << 30))
        #expect(plan.dtbAddress == ram.upperBound - 0x20_0000)
    }
}

/// Which kernel files boot as Images, which as raw payloads, and which are refused.
@Suite struct KernelFileTests {
    @Test("a file with the Image magic is an Image; anything else that is not compressed is a raw payload")
    func sorting() throws {
        let image = KernelImageTests.image()
        #expect(try KernelFile(image) == .image(try KernelImage(image)))
        #expect(try KernelFile(image).what == "kernel image")
        let script = Array("#!/bin/sh\necho not a kernel\n".utf8)
        #expect(try KernelFile(script) == .raw(RawPayload(size: UInt64(script.count))))
        #expect(try KernelFile([0x00]).what == "raw payload", "a one-byte payload is still a payload")
        // 64 bytes or more without the magic: raw, even though an Image header would fit.
        #expect(try KernelFile(KernelImageTests.image(magic: 0x1234_5678)) == .raw(RawPayload(size: 0x1_0000)))
    }

    @Test("an Image with a bad header stays an Image error, never a raw payload")
    func badImageStaysAnImage() {
        #expect(throws: KernelImageError.bigEndian) { try KernelFile(KernelImageTests.image(flags: 0b1011)) }
    }

    @Test("empty and compressed files are refused, naming what they are")
    func refused() {
        #expect(throws: KernelImageError.empty) { try KernelFile([]) }
        #expect("\(KernelImageError.empty)".contains("empty"))
        #expect(throws: KernelImageError.badMagic(.gzip)) { try KernelFile([0x1f, 0x8b, 8, 0]) }
        var zboot = KernelImageTests.image(magic: 0)
        zboot.replaceSubrange(0..<8, with: Array("MZ\0\0zimg".utf8))
        #expect(throws: KernelImageError.badMagic(.efiZboot)) { try KernelFile(zboot) }
    }
}

/// Where a raw payload lands.
@Suite struct RawPayloadPlacementTests {
    static let ram = 0x4000_0000..<UInt64(0x4000_0000 + (64 << 20))

    @Test("at RAM base + 0x80000, entered there; DTB in the last 2 MiB block; initrd directly below it")
    func placement() throws {
        let plan = try BootPlacement.plan(raw: RawPayload(size: 0x1234), ram: Self.ram, initrdSize: 100)
        #expect(plan.kernelAddress == 0x4008_0000)
        #expect(plan.kernelEnd == 0x4008_1234)
        #expect(plan.dtbAddress == 0x43e0_0000)
        #expect(plan.initrd == 0x43df_0000..<0x43df_0064)
    }

    @Test("a payload larger than RAM (less the load offset and the DTB) is refused, without decompression advice")
    func tooLarge() throws {
        // 64 MiB - 0x80000 - 2 MiB = 0x3d8_0000 bytes fit exactly.
        #expect(throws: Never.self) { try BootPlacement.plan(raw: RawPayload(size: 0x3d8_0000), ram: Self.ram) }
        #expect(throws: BootPlacementError.payloadDoesNotFit(payloadSize: 0x3d8_0001, memoryMiB: 64)) {
            try BootPlacement.plan(raw: RawPayload(size: 0x3d8_0001), ram: Self.ram)
        }
        let message = "\(BootPlacementError.payloadDoesNotFit(payloadSize: 0x3d8_0001, memoryMiB: 64))"
        #expect(message.contains("raw payload (64487425 bytes"))
        #expect(message.contains("use --memory"))
        #expect(!message.contains("decompress"))
    }
}
