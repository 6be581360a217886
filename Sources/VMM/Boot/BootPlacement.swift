/// Where the kernel, device tree and initrd go in guest RAM (Documentation/arch/arm64/booting.rst):
///
/// - kernel: at a 2 MiB aligned base plus text_offset; we use the lowest such base in RAM, which
///   satisfies both placement modes (flags bit 3 clear means "as close as possible to the base of RAM").
/// - DTB: 8-byte aligned, at most 2 MiB, alone in its 2 MiB block (it is mapped cacheable with up to
///   2 MiB blocks); we give it the last 2 MiB aligned block of RAM.
/// - initrd: directly below the DTB, 64 KiB aligned (safe for any page size), above the kernel, and
///   inside a 1 GiB aligned window of at most 32 GiB that also covers the kernel.
public struct BootPlacement: Hashable, Sendable {
    public static let blockSize: UInt64 = 2 << 20
    /// The largest DTB booting.rst allows, and the room reserved for it.
    public static let dtbMaximumSize: UInt64 = 2 << 20
    public static let initrdAlignment: UInt64 = 0x1_0000

    /// Where the first byte of the Image goes; also the entry point (x0 = `dtbAddress`).
    public var kernelAddress: UInt64
    /// End of the kernel's footprint (load address + effective size, BSS included).
    public var kernelEnd: UInt64
    public var dtbAddress: UInt64
    /// Guest-physical range of the initrd, if one was placed.
    public var initrd: Range<UInt64>?

    /// Plans a boot of `kernel` in RAM `ram` (base and size), with an initrd of `initrdSize` bytes.
    public static func plan(
        kernel: KernelImage, ram: Range<UInt64>, initrdSize: UInt64? = nil
    ) throws(BootPlacementError) -> BootPlacement {
        try plan(offset: kernel.textOffset, size: kernel.effectiveSize, raw: false, ram: ram, initrdSize: initrdSize)
    }

    /// Plans a boot of a raw payload: at RAM base + 0x80000 (`RawPayload.loadOffset`), entered at its
    /// first byte, with the device tree and initrd where an Image would have them.
    public static func plan(
        raw payload: RawPayload, ram: Range<UInt64>, initrdSize: UInt64? = nil
    ) throws(BootPlacementError) -> BootPlacement {
        try plan(offset: RawPayload.loadOffset, size: payload.size, raw: true, ram: ram, initrdSize: initrdSize)
    }

    /// Plans either kind: `size` bytes (BSS included) at the 2 MiB aligned RAM base plus `offset`.
    static func plan(
        offset: UInt64, size: UInt64, raw: Bool, ram: Range<UInt64>, initrdSize: UInt64?
    ) throws(BootPlacementError) -> BootPlacement {
        let ramSize = ram.upperBound - ram.lowerBound
        let memoryMiB = ramSize >> 20
        let base = alignUp(ram.lowerBound, blockSize)
        let kernelAddress = base &+ offset
        let (kernelEnd, overflow) = kernelAddress.addingReportingOverflow(size)
        let dtbAddress = alignDown(ram.upperBound &- dtbMaximumSize, blockSize)
        // The kernel must end at or below the DTB's block.
        guard ramSize >= dtbMaximumSize, base >= ram.lowerBound, kernelAddress >= base, !overflow,
            dtbAddress >= ram.lowerBound,
            kernelEnd <= dtbAddress
        else {
            throw raw
                ? .payloadDoesNotFit(payloadSize: size, memoryMiB: memoryMiB)
                : .kernelDoesNotFit(kernelSize: size, memoryMiB: memoryMiB)
        }
        var placement = BootPlacement(
            kernelAddress: kernelAddress, kernelEnd: kernelEnd, dtbAddress: dtbAddress, initrd: nil)
        guard let initrdSize, initrdSize > 0 else { return placement }

        let windowEnd = alignDown(kernelAddress, 1 << 30) &+ (32 << 30)
        let limit = min(dtbAddress, windowEnd)
        guard initrdSize <= limit, alignDown(limit - initrdSize, initrdAlignment) >= alignUp(kernelEnd, initrdAlignment)
        else {
            throw .initrdDoesNotFit(initrdSize: initrdSize, memoryMiB: memoryMiB)
        }
        let start = alignDown(limit - initrdSize, initrdAlignment)
        placement.initrd = start..<start + initrdSize
        return placement
    }

    static func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        (value &+ alignment &- 1) & ~(alignment - 1)
    }

    static func alignDown(_ value: UInt64, _ alignment: UInt64) -> UInt64 { value & ~(alignment - 1) }
}

/// Why the boot images do not fit in guest memory.
public enum BootPlacementError: Error, Hashable, Sendable, CustomStringConvertible {
    case kernelDoesNotFit(kernelSize: UInt64, memoryMiB: UInt64)
    case initrdDoesNotFit(initrdSize: UInt64, memoryMiB: UInt64)
    /// A raw payload (no Image header) too large for RAM above the 0x80000 load offset and below the DTB.
    case payloadDoesNotFit(payloadSize: UInt64, memoryMiB: UInt64)

    public var description: String {
        switch self {
        case .kernelDoesNotFit(let size, let mib):
            "kernel (\(size) bytes with BSS) and device tree do not fit in \(mib) MiB of guest memory; use --memory"
        case .payloadDoesNotFit(let size, let mib):
            "raw payload (\(size) bytes, no arm64 Image header, loaded at RAM base + 0x80000) and the device tree "
                + "do not fit in \(mib) MiB of guest memory; use --memory, or check that this is the file you meant"
        case .initrdDoesNotFit(let size, let mib):
            "initrd (\(size) bytes) does not fit in \(mib) MiB of guest memory with the kernel; use --memory"
        }
    }
}
