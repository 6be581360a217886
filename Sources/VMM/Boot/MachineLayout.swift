/// The guest physical address map: QEMU's `virt` board below 4 GiB, so guest kernels, firmware
/// habits and people's muscle memory carry over.
///
/// ```
/// 0x0800_0000  GICv3 distributor           64 KiB
/// 0x0808_0000  GICv3 ITS                   128 KiB (GITS control + translation frames), when present
/// 0x080A_0000  GICv3 redistributors        128 KiB per vCPU (RD_base + SGI_base frames), up to the UART
/// 0x0900_0000  PL011 UART                  4 KiB, SPI 1 (INTID 33)
/// 0x0A00_0000  virtio-mmio window          32 slots of 512 bytes, SPIs 16-47 (reserved, no devices yet)
/// 0x4000_0000  RAM                         up to the end of the IPA space
/// ```
public struct MachineLayout: Hashable, Sendable {
    /// GICv3 distributor (GICD) base; 64 KiB, 64 KiB aligned.
    public var gicDistributorBase: UInt64 = 0x0800_0000
    /// First GICv3 redistributor (GICR) base; each vCPU takes two 64 KiB frames.
    public var gicRedistributorBase: UInt64 = 0x080A_0000
    /// GICv3 ITS control frame base (QEMU virt's address): between the distributor and the
    /// redistributors, 64 KiB aligned. Reserved in the map whether or not the machine has an ITS.
    public var gicITSBase: UInt64 = 0x0808_0000
    /// PL011 UART base.
    public var uartBase: UInt64 = 0x0900_0000
    /// Start of the window set aside for virtio-mmio transports.
    public var virtioMMIOBase: UInt64 = 0x0A00_0000
    /// Start of guest RAM.
    public var ramBase: UInt64 = 0x4000_0000

    public static let gicDistributorSize: UInt64 = 0x1_0000
    /// The ITS's two 64 KiB frames: control (ITS_base) and translation (GITS_TRANSLATER) (IHI0069 12.19;
    /// arm-vgic-its.rst `KVM_VGIC_ITS_ADDR_TYPE`: "the region covers 128K").
    public static let gicITSSize: UInt64 = 0x2_0000
    /// KVM wants the ITS frame 64 KiB aligned.
    public static let gicITSAlignment: UInt64 = 0x1_0000
    /// Per vCPU: RD_base and SGI_base, 64 KiB each (Arm GIC architecture spec IHI0069, §12.10).
    public static let gicRedistributorSizePerVCPU: UInt64 = 0x2_0000
    /// One PL011 register page.
    public static let uartSize: UInt64 = 0x1000
    /// The UART's SPI number (INTID 32 + 1 = 33).
    public static let uartSPI: UInt32 = 1
    /// One virtio-mmio transport's register window (virtio spec §4.2.2 registers end below 0x200).
    public static let virtioMMIOSlotSize: UInt64 = 0x200
    public static let virtioMMIOSlotCount = 32
    /// SPI of the first virtio-mmio slot; slot n uses SPI 16 + n.
    public static let virtioMMIOFirstSPI: UInt32 = 16
    /// GIC maintenance interrupt for nested guests, as a PPI number: INTID 25. KVM must be told the
    /// same INTID (`GICv3.setMaintenanceInterrupt`), or the vGIC reports 0.
    public static let gicMaintenancePPI: UInt32 = 9
    /// The PMU overflow interrupt as a PPI number: INTID 23 (QEMU's virt board uses the same).
    public static let pmuPPI: UInt32 = 7

    /// The standard map.
    public static let standard = MachineLayout()

    public init() {}

    /// Bytes of redistributor space for `vcpus` vCPUs.
    public static func gicRedistributorSize(vcpus: Int) -> UInt64 {
        UInt64(vcpus) * gicRedistributorSizePerVCPU
    }

    /// The most vCPUs whose redistributors fit below the UART: (0x0900_0000 - 0x080A_0000) / 128 KiB = 123.
    public var maximumVCPUs: Int {
        Int((uartBase - gicRedistributorBase) / Self.gicRedistributorSizePerVCPU)
    }

    /// The whole virtio-mmio window (slots × slot size).
    public var virtioMMIOWindow: Range<UInt64> {
        virtioMMIOBase..<virtioMMIOBase + UInt64(Self.virtioMMIOSlotCount) * Self.virtioMMIOSlotSize
    }

    /// The named regions of the map for a machine of `vcpus` vCPUs and `memorySize` bytes of RAM, in
    /// address order; nil if one runs past the end of the address space.
    public func regions(vcpus: Int, memorySize: UInt64) -> [(name: String, range: Range<UInt64>)]? {
        let sizes: [(String, UInt64, UInt64)] = [
            ("the GIC distributor", gicDistributorBase, Self.gicDistributorSize),
            ("the GIC ITS", gicITSBase, Self.gicITSSize),
            ("the GIC redistributors", gicRedistributorBase, Self.gicRedistributorSize(vcpus: vcpus)),
            ("the PL011", uartBase, Self.uartSize),
            ("the virtio-mmio window", virtioMMIOBase, UInt64(Self.virtioMMIOSlotCount) * Self.virtioMMIOSlotSize),
            ("RAM", ramBase, memorySize),
        ]
        var regions: [(name: String, range: Range<UInt64>)] = []
        for (name, base, size) in sizes {
            let (end, overflow) = base.addingReportingOverflow(size)
            if overflow { return nil }
            regions.append((name, base..<end))
        }
        return regions.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The first two regions that overlap, if any (the standard map has none; a snapshot's map is
    /// checked with this before anything is built from it).
    public func firstOverlap(vcpus: Int, memorySize: UInt64) -> (String, String)? {
        guard let regions = regions(vcpus: vcpus, memorySize: memorySize) else { return ("RAM", "the end of memory") }
        for (a, b) in zip(regions, regions.dropFirst()) where a.range.overlaps(b.range) { return (a.name, b.name) }
        return nil
    }

    /// Guest RAM for a memory size, as a range.
    public func ram(size: UInt64) -> Range<UInt64> { ramBase..<ramBase + size }
}
