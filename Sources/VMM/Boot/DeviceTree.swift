/// Generates the guest's device tree from a `MachineConfig`: the QEMU-virt-like machine of
/// `MachineLayout` with PSCI, the architected timer, a GICv3 and /chosen, then the nodes of every
/// registered device (`MachineDevice.deviceTree`), in registration order.
///
/// Interrupt specifiers use the GICv3 binding's three cells: type (0 SPI, 1 PPI), number (INTID-32
/// for SPIs, INTID-16 for PPIs) and flags. Flags are bits[3:0] only (4 = level high); the GICv2
/// per-CPU mask in bits[15:8] does not exist in the GICv3 binding, so PPIs carry no mask.
public enum DeviceTree {
    /// Phandle of the GIC node (root `interrupt-parent`).
    public static let gicPhandle: UInt32 = 1
    static let interruptTypeSPI: UInt32 = 0
    static let interruptTypePPI: UInt32 = 1
    static let levelHigh: UInt32 = 4

    /// The generated tree for `config`, after validating it.
    public static func tree(for config: MachineConfig) throws(DeviceTreeError) -> FDTNode {
        try config.validate()
        var root = FDTNode(
            "",
            properties: [
                .string("compatible", "linux,dummy-virt"),
                .u32("#address-cells", 2),
                .u32("#size-cells", 2),
                .phandle("interrupt-parent", gicPhandle),
            ])
        root.children.append(chosen(config))
        root.children.append(memory(config))
        root.children.append(cpus(config))
        root.children.append(psci(config))
        root.children.append(timer(config))
        if config.pmu { root.children.append(pmu()) }
        root.children.append(gic(config))
        try appendDevices(config.devices, to: &root)
        return root
    }

    /// The generated tree for `config` as a DTB v17 blob.
    public static func blob(for config: MachineConfig) throws(DeviceTreeError) -> [UInt8] {
        let root = try tree(for: config)
        do {
            return try root.flattened()
        } catch {
            throw .fdt(error)
        }
    }

    /// Adds the devices' nodes. A node two devices share (their common clock) is kept once when both
    /// declare it identically; two different nodes of one name are a configuration error.
    static func appendDevices(_ devices: [DeviceTreeContribution], to root: inout FDTNode) throws(DeviceTreeError) {
        for node in devices.flatMap(\.nodes) {
            if let existing = root.children.first(where: { $0.name == node.name }) {
                guard existing == node else { throw .config("two devices declare different '\(node.name)' nodes") }
                continue
            }
            root.children.append(node)
        }
    }

    /// The timer interrupts, in the order the `arm,armv8-timer` binding lists them, as PPI numbers:
    ///
    /// | # | timer                       | INTID | PPI | when                 |
    /// |---|-----------------------------|-------|-----|----------------------|
    /// | 0 | secure physical (CNTPS)     | 29    | 13  | always               |
    /// | 1 | non-secure physical (CNTP)  | 30    | 14  | always               |
    /// | 2 | virtual (CNTV)              | 27    | 11  | always               |
    /// | 3 | hypervisor physical (CNTHP) | 26    | 10  | always               |
    /// | 4 | hypervisor virtual (CNTHV)  | 28    | 12  | nested, without e2h0 |
    ///
    /// KVM reports VTIMER 27, PTIMER 30, HPTIMER 26, HVTIMER 28 (lab), matching QEMU virt and kvmtool.
    /// CNTHV_*_EL2 are part of FEAT_VHE: KVM does not list them for an E2H0 vCPU (lab reglists), and a
    /// non-VHE guest hypervisor never uses that timer, so it is only described when VHE is possible.
    public static func timerPPIs(nested: Bool, e2h0: Bool) -> [UInt32] {
        nested && !e2h0 ? [13, 14, 11, 10, 12] : [13, 14, 11, 10]
    }

    static func chosen(_ config: MachineConfig) -> FDTNode {
        var node = FDTNode("chosen", properties: [.string("bootargs", config.cmdline)])
        if let console = config.devices.lazy.compactMap(\.stdoutPath).first {
            node.properties.append(.string("stdout-path", console))
        }
        if let initrd = config.initrd {
            node.properties.append(.u64("linux,initrd-start", initrd.lowerBound))
            node.properties.append(.u64("linux,initrd-end", initrd.upperBound))
        }
        return node
    }

    static func memory(_ config: MachineConfig) -> FDTNode {
        let base = config.layout.ramBase
        return FDTNode(
            "memory@" + unitAddress(base),
            properties: [.string("device_type", "memory"), .cells64("reg", [base, config.memorySize])])
    }

    /// /cpus: one `cpu` per vCPU, `reg` = MPIDR affinity. One address cell suffices unless an Aff3
    /// field is non-zero (cpus.yaml).
    static func cpus(_ config: MachineConfig) -> FDTNode {
        let affinities = config.mpidrs.map(MachineConfig.affinity(ofMPIDR:))
        let addressCells: UInt32 = affinities.contains { $0 >> 32 != 0 } ? 2 : 1
        let cpuNodes = affinities.map { affinity in
            FDTNode(
                "cpu@" + unitAddress(affinity),
                properties: [
                    .string("device_type", "cpu"),
                    .string("compatible", "arm,arm-v8"),
                    .string("enable-method", "psci"),
                    addressCells == 2 ? .u64("reg", affinity) : .u32("reg", UInt32(truncatingIfNeeded: affinity)),
                ])
        }
        return FDTNode(
            "cpus", properties: [.u32("#address-cells", addressCells), .u32("#size-cells", 0)], children: cpuNodes)
    }

    /// /psci: KVM implements PSCI 1.x. The conduit is HVC, except for nested guests: an HVC from a
    /// virtual EL2 is the guest's own hypercall and traps to itself, so those guests use SMC
    /// (lab-proven; docs/testing.md, "Gotchas").
    static func psci(_ config: MachineConfig) -> FDTNode {
        FDTNode(
            "psci",
            properties: [
                .strings("compatible", ["arm,psci-1.0", "arm,psci-0.2"]),
                .string("method", config.nested ? "smc" : "hvc"),
            ])
    }

    /// /timer: see `timerPPIs`. `always-on`: the virtual timer keeps running while a vCPU idles, so
    /// Linux needs no broadcast timer.
    static func timer(_ config: MachineConfig) -> FDTNode {
        let ppis = timerPPIs(nested: config.nested, e2h0: config.e2h0)
        return FDTNode(
            "timer",
            properties: [
                .string("compatible", "arm,armv8-timer"),
                .cells("interrupts", ppis.flatMap { [interruptTypePPI, $0, levelHigh] }),
                .empty("always-on"),
            ])
    }

    /// /pmu: PMUv3 (the `arm,armv8-pmuv3` binding, pmu.yaml), its overflow interrupt a level PPI, the
    /// INTID every vCPU was given with KVM_ARM_VCPU_PMU_V3_IRQ. Without it Linux's PMU driver does not probe.
    static func pmu() -> FDTNode {
        FDTNode(
            "pmu",
            properties: [
                .string("compatible", "arm,armv8-pmuv3"),
                .cells("interrupts", [interruptTypePPI, MachineLayout.pmuPPI, levelHigh]),
            ])
    }

    /// The GICv3: distributor and one redistributor region covering every vCPU. The maintenance
    /// interrupt is PPI 9 (INTID 25), the value KVM is given; Linux's KVM in a nested guest needs it.
    static func gic(_ config: MachineConfig) -> FDTNode {
        let layout = config.layout
        var node = FDTNode(
            "intc@" + unitAddress(layout.gicDistributorBase),
            properties: [
                .string("compatible", "arm,gic-v3"),
                .u32("#interrupt-cells", 3),
                .empty("interrupt-controller"),
                // dtc insists an interrupt provider states #address-cells (interrupt-map parsing); the
                // identity `ranges` maps the ITS child node's `reg` to the same physical addresses.
                .u32("#address-cells", 2),
                .u32("#size-cells", 2),
                .empty("ranges"),
                .cells64(
                    "reg",
                    [
                        layout.gicDistributorBase, MachineLayout.gicDistributorSize,
                        layout.gicRedistributorBase, MachineLayout.gicRedistributorSize(vcpus: config.vcpuCount),
                    ]),
                .cells("interrupts", [interruptTypePPI, MachineLayout.gicMaintenancePPI, levelHigh]),
                .phandle("phandle", gicPhandle),
            ])
        if config.its { node.children.append(its(config)) }
        return node
    }

    /// The ITS, a child of the GIC node (the `arm,gic-v3` binding's msi-controller subnode, whose `reg`
    /// the GIC's identity `ranges` translate): one MSI specifier cell, the device ID. No phandle: nothing
    /// names it yet (no PCI host bridge with an `msi-parent`), and device phandles are handed out by the
    /// devices themselves (the PL011's clock is 2).
    static func its(_ config: MachineConfig) -> FDTNode {
        FDTNode(
            "msi-controller@" + unitAddress(config.layout.gicITSBase),
            properties: [
                .string("compatible", "arm,gic-v3-its"),
                .empty("msi-controller"),
                .u32("#msi-cells", 1),
                .cells64("reg", [config.layout.gicITSBase, MachineLayout.gicITSSize]),
            ])
    }

    /// A unit address: lower-case hex without leading zeros.
    static func unitAddress(_ value: UInt64) -> String { String(value, radix: 16) }
}
