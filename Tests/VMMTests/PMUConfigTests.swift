import Testing

@testable import VMM

/// PMUv3 and SVE choices, the PMU's device-tree node and its snapshot state, on any host.
@Suite struct PMUConfigTests {
    static func host(pmu: Bool, sve: Bool, kvm: Bool = true) -> HostCapabilities {
        var caps = HostCapabilities(architecture: "aarch64", kvmProblem: kvm ? nil : "no /dev/kvm")
        caps.pmuV3 = pmu
        caps.sve = sve
        return caps
    }

    /// The configuration problem `body` throws, if that is what it throws.
    static func problem(_ body: () throws(MachineError) -> RunConfig) -> ConfigProblem? {
        do {
            _ = try body()
            return nil
        } catch {
            if case .invalidConfig(let problem) = error { return problem }
            return nil
        }
    }

    @Test("auto follows what the host offers; off stays off; on needs the capability")
    func resolution() throws {
        var config = RunConfig(payload: .demo)
        config.pmu = .auto
        config.sve = .auto
        let full = try config.resolvingFeatures(on: Self.host(pmu: true, sve: true))
        #expect(full.pmu == .on && full.sve == .on)
        #expect(full.features(forVCPU: 1) == VCPUInitFeatures(powerOff: true, sve: true, pmu: true))
        let bare = try config.resolvingFeatures(on: Self.host(pmu: false, sve: false))
        #expect(bare.pmu == .off && bare.sve == .off)
        #expect(!bare.features(forVCPU: 0).pmu && !bare.features(forVCPU: 0).sve)
        config.pmu = .off
        #expect(try config.resolvingFeatures(on: Self.host(pmu: true, sve: true)).pmu == .off)
        config.pmu = .on
        #expect(
            Self.problem { () throws(MachineError) in try config.resolvingFeatures(on: Self.host(pmu: false, sve: true))
            } == .hostLacks(.pmu))
        config.sve = .on
        #expect(
            Self.problem { () throws(MachineError) in try config.resolvingFeatures(on: Self.host(pmu: true, sve: false))
            } == .hostLacks(.sve))
        // Without KVM at all the bring-up names /dev/kvm; the choice is left for it.
        #expect(try config.resolvingFeatures(on: Self.host(pmu: false, sve: false, kvm: false)).pmu == .on)
        #expect("\(ConfigProblem.hostLacks(.pmu))".contains("KVM_CAP_ARM_PMU_V3"))
    }

    @Test("a PMU machine's tree has /pmu: arm,armv8-pmuv3 with PPI 7, level high; none without")
    func deviceTreeNode() throws {
        var config = MachineConfig(vcpuCount: 2, memorySize: 64 << 20)
        #expect(try DeviceTreeTests.parsed(config).child("pmu") == nil)
        config.pmu = true
        let pmu = try #require(try DeviceTreeTests.parsed(config).child("pmu"))
        #expect(pmu.property("compatible")?.stringValues == ["arm,armv8-pmuv3"])
        #expect(pmu.property("interrupts")?.cellValues == [1, 7, 4])
        #expect(Machine.pmuOverflowIRQ == 23)
    }

    @Test("PMU states round-trip through the snapshot codec; without PMU no section is written")
    func codecRoundTrip() throws {
        var state = SnapshotFixtures.rich
        for index in state.vcpus.indices { state.vcpus[index].features.pmu = true }
        state.pmu = [PMUState(vcpuIndex: 0, overflowIRQ: 23), PMUState(vcpuIndex: 1, overflowIRQ: 23)]
        try state.validate()
        let decoded = try SnapshotCodec.decode(SnapshotCodec.encode(state))
        #expect(decoded == state)
        let plain = SnapshotCodec.encode(SnapshotFixtures.rich)
        #expect(!plain.windows(ofCount: 4).contains { Array($0) == Array("PMU ".utf8) })
        #expect(try SnapshotCodec.decode(plain).pmu.isEmpty)
    }

    @Test("a PMU vCPU without its interrupt, or an interrupt that is not a PPI, is inconsistent")
    func validation() {
        var state = SnapshotFixtures.rich
        state.vcpus[1].features.pmu = true
        #expect(throws: SnapshotError.self) { try state.validate() }
        state.pmu = [PMUState(vcpuIndex: 1, overflowIRQ: 40)]
        #expect(throws: SnapshotError.self) { try state.validate() }
        state.pmu = [PMUState(vcpuIndex: 1, overflowIRQ: 23)]
        #expect(throws: Never.self) { try state.validate() }
    }
}

extension Array {
    /// Consecutive slices of `count` elements (for searching a byte pattern).
    fileprivate func windows(ofCount count: Int) -> [ArraySlice<Element>] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { self[$0..<$0 + count] }
    }
}
