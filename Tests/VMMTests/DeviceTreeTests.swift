import Testing

@testable import VMM

/// The generated guest device tree, checked node by node through the parser.
@Suite struct DeviceTreeTests {
    static let mib: UInt64 = 1 << 20
    /// What the registry's devices contribute on the standard layout.
    static let standardDevices = MachineDevices.standard(layout: .standard, console: { _ in }).map(\.deviceTree)

    static func parsed(_ config: MachineConfig) throws -> FDTNode {
        try FDT.parse(try DeviceTree.blob(for: config)).root
    }

    @Test func rootAndMemory() throws {
        let root = try Self.parsed(MachineConfig(vcpuCount: 1, memorySize: 256 * Self.mib))
        #expect(root.property("#address-cells")?.cellValues == [2])
        #expect(root.property("#size-cells")?.cellValues == [2])
        #expect(root.property("interrupt-parent")?.cellValues == [DeviceTree.gicPhandle])
        let memory = try #require(root.child("memory@40000000"))
        #expect(memory.property("device_type")?.stringValues == ["memory"])
        #expect(memory.property("reg")?.cellValues == [0, 0x4000_0000, 0, 0x1000_0000])
    }

    @Test func cpusUseMPIDRAffinityAndPSCI() throws {
        let root = try Self.parsed(MachineConfig(vcpuCount: 18, memorySize: 256 * Self.mib))
        let cpus = try #require(root.child("cpus"))
        #expect(cpus.property("#address-cells")?.cellValues == [1])
        #expect(cpus.property("#size-cells")?.cellValues == [0])
        #expect(cpus.children.count == 18)
        // KVM's default MPIDRs: 16 per Aff0 cluster, so vCPU 17 is Aff1=1, Aff0=1; bit 31 is dropped.
        let cpu17 = try #require(cpus.child("cpu@101"))
        #expect(cpu17.property("reg")?.cellValues == [0x101])
        #expect(cpu17.property("enable-method")?.stringValues == ["psci"])
        #expect(cpu17.property("device_type")?.stringValues == ["cpu"])
        #expect(cpus.child("cpu@f")?.property("reg")?.cellValues == [0xf])
    }

    @Test func aff3NeedsTwoAddressCells() throws {
        let config = MachineConfig(mpidrs: [0x8000_0000, 0x1_8000_0000], memorySize: 64 * Self.mib)
        let cpus = try #require(try Self.parsed(config).child("cpus"))
        #expect(cpus.property("#address-cells")?.cellValues == [2])
        #expect(cpus.child("cpu@100000000")?.property("reg")?.cellValues == [1, 0])
    }

    @Test(arguments: [(false, "hvc"), (true, "smc")])
    func psciConduit(nested: Bool, method: String) throws {
        let psci = try #require(
            try Self.parsed(MachineConfig(vcpuCount: 1, memorySize: 64 * Self.mib, nested: nested)).child("psci"))
        #expect(psci.property("compatible")?.stringValues == ["arm,psci-1.0", "arm,psci-0.2"])
        #expect(psci.property("method")?.stringValues == [method])
    }

    @Test(arguments: [
        (false, false, [UInt32(29), 30, 27, 26]),
        (true, false, [29, 30, 27, 26, 28]),
        (true, true, [29, 30, 27, 26]),
    ])
    func timerInterrupts(nested: Bool, e2h0: Bool, intids: [UInt32]) throws {
        let config = MachineConfig(vcpuCount: 2, memorySize: 64 * Self.mib, nested: nested, e2h0: e2h0)
        let timer = try #require(try Self.parsed(config).child("timer"))
        #expect(timer.property("compatible")?.stringValues == ["arm,armv8-timer"])
        let cells = try #require(timer.property("interrupts")?.cellValues)
        #expect(cells.count == intids.count * 3)
        for (index, intid) in intids.enumerated() {
            #expect(cells[index * 3] == 1, "PPI")
            #expect(cells[index * 3 + 1] + 16 == intid)
            #expect(cells[index * 3 + 2] == 4, "level high, no GICv2 CPU mask under GICv3")
        }
    }

    @Test(arguments: [1, 2, 8])
    func gicCoversEveryRedistributor(vcpus: Int) throws {
        let config = MachineConfig(vcpuCount: vcpus, memorySize: 64 * Self.mib, nested: true)
        let gic = try #require(try Self.parsed(config).child("intc@8000000"))
        #expect(gic.property("compatible")?.stringValues == ["arm,gic-v3"])
        #expect(gic.property("#interrupt-cells")?.cellValues == [3])
        #expect(gic.property("interrupt-controller")?.value == [])
        #expect(gic.property("phandle")?.cellValues == [DeviceTree.gicPhandle])
        let redistributorSize = UInt32(vcpus) * 0x2_0000
        #expect(gic.property("reg")?.cellValues == [0, 0x0800_0000, 0, 0x1_0000, 0, 0x080A_0000, 0, redistributorSize])
        // Maintenance interrupt: PPI 9 = INTID 25, the value given to KVM.
        #expect(gic.property("interrupts")?.cellValues == [1, 9, 4])
        #expect(GICv3.maintenanceINTID == 16 + MachineLayout.gicMaintenancePPI)
    }

    @Test func uartClockAndChosen() throws {
        let config = MachineConfig(
            vcpuCount: 1, memorySize: 64 * Self.mib, cmdline: "console=ttyAMA0", initrd: 0x4100_0000..<0x4180_0000,
            devices: Self.standardDevices)
        let root = try Self.parsed(config)
        let uart = try #require(root.child("pl011@9000000"))
        #expect(uart.property("compatible")?.stringValues == ["arm,pl011", "arm,primecell"])
        #expect(uart.property("reg")?.cellValues == [0, 0x0900_0000, 0, 0x1000])
        #expect(uart.property("interrupts")?.cellValues == [0, 1, 4])
        #expect(uart.property("clock-names")?.stringValues == ["uartclk", "apb_pclk"])
        #expect(uart.property("clocks")?.cellValues == [PL011Device.clockPhandle, PL011Device.clockPhandle])
        let clock = try #require(root.child("apb-pclk"))
        #expect(clock.property("compatible")?.stringValues == ["fixed-clock"])
        #expect(clock.property("clock-frequency")?.cellValues == [24_000_000])
        #expect(clock.property("#clock-cells")?.cellValues == [0])
        #expect(clock.property("phandle")?.cellValues == [PL011Device.clockPhandle])
        let chosen = try #require(root.child("chosen"))
        #expect(chosen.property("bootargs")?.stringValues == ["console=ttyAMA0"])
        #expect(chosen.property("stdout-path")?.stringValues == ["/pl011@9000000"])
        #expect(chosen.property("linux,initrd-start")?.cellValues == [0, 0x4100_0000])
        #expect(chosen.property("linux,initrd-end")?.cellValues == [0, 0x4180_0000])
    }

    @Test("two devices sharing a node (the PL011 clock) get one copy; differing nodes of one name are refused")
    func sharedDeviceNodes() throws {
        let second = PL011Device(instance: 1, base: 0x0900_1000, spi: 2, console: { _ in })
        let config = MachineConfig(
            vcpuCount: 1, memorySize: 64 * Self.mib, devices: Self.standardDevices + [second.deviceTree])
        let root = try Self.parsed(config)
        #expect(root.children.filter { $0.name == "apb-pclk" }.count == 1)
        #expect(root.child("pl011@9000000") != nil && root.child("pl011@9001000") != nil)
        let chosen = try #require(root.child("chosen"))
        #expect(chosen.property("stdout-path")?.stringValues == ["/pl011@9000000"], "the first console wins")
        var clash = second.deviceTree
        clash.nodes[0].properties.append(.u32("clock-accuracy", 1))
        #expect(throws: DeviceTreeError.self) {
            try DeviceTree.blob(
                for: MachineConfig(vcpuCount: 1, memorySize: 64 * Self.mib, devices: Self.standardDevices + [clash]))
        }
    }

    @Test func noInitrdNoUART() throws {
        let root = try Self.parsed(MachineConfig(vcpuCount: 1, memorySize: 64 * Self.mib))
        let chosen = try #require(root.child("chosen"))
        #expect(chosen.property("linux,initrd-start") == nil)
        #expect(chosen.property("stdout-path") == nil)
        #expect(root.child("pl011@9000000") == nil)
        #expect(root.child("apb-pclk") == nil)
    }

    @Test func invalidConfigurations() {
        let bad: [(MachineConfig, String)] = [
            (MachineConfig(vcpuCount: 0, memorySize: 64 * Self.mib), "no vCPUs"),
            (MachineConfig(vcpuCount: 124, memorySize: 64 * Self.mib), "redistributors overlap the UART"),
            (MachineConfig(mpidrs: [0x8000_0000, 0], memorySize: 64 * Self.mib), "duplicate affinity"),
            (MachineConfig(vcpuCount: 1, memorySize: 0), "no memory"),
            (MachineConfig(vcpuCount: 1, memorySize: 3 * Self.mib), "not 2 MiB granular"),
            (MachineConfig(vcpuCount: 1, memorySize: UInt64.max - (2 << 20) + 1), "wraps"),
            (MachineConfig(vcpuCount: 1, memorySize: 64 * Self.mib, e2h0: true), "e2h0 without nested"),
            (MachineConfig(vcpuCount: 1, memorySize: 64 * Self.mib, initrd: 0x1000..<0x2000), "initrd below RAM"),
            (
                MachineConfig(vcpuCount: 1, memorySize: 64 * Self.mib, initrd: 0x4000_0000..<0x4400_0001),
                "initrd past RAM"
            ),
        ]
        for (config, label) in bad {
            #expect(throws: DeviceTreeError.self, "\(label)") { try DeviceTree.blob(for: config) }
        }
        #expect(MachineLayout.standard.maximumVCPUs == 123)
        #expect(throws: Never.self) {
            try DeviceTree.blob(for: MachineConfig(vcpuCount: 123, memorySize: 64 * Self.mib))
        }
    }

    @Test func layoutRegionsDoNotOverlap() {
        let layout = MachineLayout.standard
        let regions: [Range<UInt64>] = [
            layout.gicDistributorBase..<layout.gicDistributorBase + MachineLayout.gicDistributorSize,
            layout.gicRedistributorBase..<layout.gicRedistributorBase
                + MachineLayout.gicRedistributorSize(vcpus: layout.maximumVCPUs),
            layout.uartBase..<layout.uartBase + MachineLayout.uartSize,
            layout.virtioMMIOWindow,
            layout.ram(size: 1 << 30),
        ]
        for (index, region) in regions.enumerated() {
            for other in regions[(index + 1)...] { #expect(!region.overlaps(other), "\(region) vs \(other)") }
        }
        #expect(layout.virtioMMIOWindow == 0x0A00_0000..<0x0A00_4000)
    }
}
