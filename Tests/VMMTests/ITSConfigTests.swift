import Testing

@testable import VMM

/// The GICv3 ITS choice, its device-tree node, its place in the map and its snapshot state, on any host.
@Suite struct ITSConfigTests {
    static func host(its: Bool, kvm: Bool = true) -> HostCapabilities {
        var caps = HostCapabilities(architecture: "aarch64", kvmProblem: kvm ? nil : "no /dev/kvm")
        caps.gicV3 = true
        caps.gicITS = its
        return caps
    }

    @Test("auto follows what the host offers; off stays off; on where the host lacks one is hostLacksITS")
    func resolution() throws {
        var config = RunConfig(payload: .demo)
        #expect(config.its == .off, "the library default keeps a machine as it always was")
        config.its = .auto
        #expect(try config.resolvingFeatures(on: Self.host(its: true)).its == .on)
        #expect(try config.resolvingFeatures(on: Self.host(its: false)).its == .off)
        config.its = .off
        #expect(try config.resolvingFeatures(on: Self.host(its: true)).its == .off)
        config.its = .on
        #expect(
            PMUConfigTests.problem { () throws(MachineError) in try config.resolvingFeatures(on: Self.host(its: false))
            } == .hostLacksITS)
        #expect(try config.resolvingFeatures(on: Self.host(its: false, kvm: false)).its == .on)
        #expect("\(ConfigProblem.hostLacksITS)".contains("KVM_DEV_TYPE_ARM_VGIC_ITS"))
    }

    @Test("the ITS frame sits between the distributor and the redistributors, 64 KiB aligned, clear of both")
    func layout() throws {
        let layout = MachineLayout.standard
        #expect(layout.gicITSBase % MachineLayout.gicITSAlignment == 0)
        #expect(layout.gicITSBase >= layout.gicDistributorBase + MachineLayout.gicDistributorSize)
        #expect(layout.gicITSBase + MachineLayout.gicITSSize <= layout.gicRedistributorBase)
        let regions = try #require(layout.regions(vcpus: layout.maximumVCPUs, memorySize: 1 << 30))
        #expect(regions.contains { $0.name == "the GIC ITS" && $0.range == 0x0808_0000..<0x080A_0000 })
        #expect(layout.firstOverlap(vcpus: layout.maximumVCPUs, memorySize: 1 << 30) == nil)
    }

    @Test("an ITS machine's GIC node has an arm,gic-v3-its msi-controller child with its frame; none without")
    func deviceTreeNode() throws {
        var config = MachineConfig(vcpuCount: 2, memorySize: 64 << 20)
        let plain = try #require(try DeviceTreeTests.parsed(config).child("intc@8000000"))
        #expect(plain.children.isEmpty)
        config.its = true
        let gic = try #require(try DeviceTreeTests.parsed(config).child("intc@8000000"))
        #expect(gic.property("#address-cells")?.cellValues == [2] && gic.property("#size-cells")?.cellValues == [2])
        #expect(gic.property("ranges") != nil)
        let its = try #require(gic.child("msi-controller@8080000"))
        #expect(its.property("compatible")?.stringValues == ["arm,gic-v3-its"])
        #expect(its.property("msi-controller") != nil)
        #expect(its.property("#msi-cells")?.cellValues == [1])
        #expect(its.property("reg")?.cellValues == [0, 0x0808_0000, 0, 0x2_0000])
    }

    @Test(.enabled(if: DTC.path != nil, "dtc not on PATH (apt-get install device-tree-compiler)"))
    func dtcAcceptsTheITSNode() throws {
        var config = DeviceTreeGoldenTests.config
        config.its = true
        let result = try DTC.convert(try DeviceTree.blob(for: config), to: "dts")
        let dts = String(decoding: result.output, as: UTF8.self)
        #expect(result.status == 0)
        #expect(result.diagnostics.isEmpty, "dtc said: \(result.diagnostics)")
        #expect(dts.contains("compatible = \"arm,gic-v3-its\";"))
    }

    static let itsState = ITSState(
        base: 0x0808_0000,
        registers: GICv3ITS.Register.restoreOrder.enumerated().map { index, r in
            GICRegister(key: r.rawValue, name: r.name, value: 0x1000 * UInt64(index) + 1)
        })

    @Test("ITS states round-trip through the snapshot codec; without an ITS no section is written and none is read")
    func codecRoundTrip() throws {
        var state = SnapshotFixtures.rich
        state.its = Self.itsState
        try state.validate()
        let decoded = try SnapshotCodec.decode(SnapshotCodec.encode(state))
        #expect(decoded == state)
        #expect(decoded.its == Self.itsState)
        let plain = SnapshotCodec.encode(SnapshotFixtures.rich)
        #expect(!plain.windows(ofCount: 4).contains { Array($0) == Array("ITS ".utf8) })
        #expect(try SnapshotCodec.decode(plain).its == nil)
    }

    @Test("restore order: GITS_IIDR first, the BASERs before CBASER, CREADR before CWRITER, GITS_CTLR last")
    func restoreOrder() {
        let order = GICv3ITS.Register.restoreOrder
        #expect(order.first == .GITS_IIDR && order.last == .GITS_CTLR)
        #expect(Set(order).count == GICv3ITS.Register.allCases.count)
        func position(_ r: GICv3ITS.Register) -> Int { order.firstIndex(of: r) ?? -1 }
        #expect(position(.GITS_BASER7) < position(.GITS_CBASER))
        #expect(position(.GITS_CBASER) < position(.GITS_CREADR) && position(.GITS_CREADR) < position(.GITS_CWRITER))
    }

    @Test("an ITS frame that is not 64 KiB aligned, or registers that do not end with GITS_CTLR, are inconsistent")
    func validation() {
        var state = SnapshotFixtures.rich
        state.its = Self.itsState
        state.its?.base += 0x1000
        #expect(throws: SnapshotError.self) { try state.validate() }
        state.its = Self.itsState
        state.its?.registers.reverse()
        #expect(throws: SnapshotError.self) { try state.validate() }
    }

    @Test("a snapshot's ITS section rebuilds a machine with an ITS at the saved frame; none without")
    func restoredConfig() throws {
        var state = SnapshotFixtures.rich
        #expect(Machine.config(for: state, kvmPath: "/dev/kvm").its == .off)
        state.its = ITSState(base: 0x0809_0000, registers: Self.itsState.registers)
        let config = Machine.config(for: state, kvmPath: "/dev/kvm")
        #expect(config.its == .on && config.layout.gicITSBase == 0x0809_0000)
    }

    @Test("the ITS probe assembles, with its tables inside a 16 MiB machine's RAM and clear of the payload")
    func probeAssembles() throws {
        let layout = MachineLayout.standard
        for (hasEL2, waitForGo) in [(false, false), (true, true)] {
            let bytes = try DemoGuest.itsProbe(layout: layout, hasEL2: hasEL2, waitForGo: waitForGo)
            #expect(!bytes.isEmpty && bytes.count < 0x10_0000)
        }
        let t = ITSProbeLayout(ramBase: layout.ramBase)
        #expect(t.pendingTable % 0x1_0000 == 0 && t.itt % 256 == 0)
        #expect(t.go + 8 <= layout.ramBase + (16 << 20) - (2 << 20))
    }
}

extension Array {
    /// Consecutive slices of `count` elements (for searching a byte pattern).
    fileprivate func windows(ofCount count: Int) -> [ArraySlice<Element>] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { self[$0..<$0 + count] }
    }
}
