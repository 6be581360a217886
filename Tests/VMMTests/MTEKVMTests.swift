import Foundation
import Glibc
import Synchronization
import SysRegs
import Testing

@testable import VMM

/// MTE against real KVM with KVM_CAP_ARM_MTE (the lab's `lab run --mte` pass): the registers KVM lists
/// with and without MTE against the model's visibility, the EL2 refusal, and the tagged payload through
/// snapshot and restore (tags kept, a mistagged load still faults).
@Suite("MTE (KVM tier)", .enabled(if: LabKVM.mteAvailable, LabKVM.mteSkipReason), .timeLimit(.minutes(5)), .serialized)
struct MTEKVMTests {
    static let deadline: Duration = .seconds(90)

    /// The registers KVM_GET_REG_LIST lists for a fresh vCPU with `features` in a VM with or without MTE.
    static func liveRegList(features: VCPUInitFeatures, mte: Bool) throws -> Set<OneRegID> {
        let system = try KVMSystem()
        let vm = try system.createVM()
        if mte { try vm.enableMTE() }
        let vcpu = try vm.createVCPU(id: 0)
        try vcpu.initialize(features: features)
        return Set(try vcpu.regList())
    }

    /// The model's MTE group for `features`, exactly as visibility says.
    static func modelMTE(_ features: VCPUFeatures) -> Set<OneRegID> {
        Set(RegisterTable.all.filter { $0.group == .mte && $0.isInRegList(for: features) }.map(\.id))
    }

    @Test("EL1: the MTE registers appear exactly with MTE, as the model's visibility says")
    func el1RegisterList() throws {
        let without = try Self.liveRegList(features: VCPUInitFeatures(), mte: false)
        let with = try Self.liveRegList(features: VCPUInitFeatures(), mte: true)
        let names = { (ids: Set<OneRegID>) in ids.map { RegisterTable.lookup($0).name }.sorted() }
        #expect(names(with.subtracting(without)) == names(Self.modelMTE([.mte])))
        #expect(without.subtracting(with).isEmpty)
        #expect(names(Self.modelMTE([.mte])) == ["GCR_EL1", "RGSR_EL1", "TFSRE0_EL1", "TFSR_EL1"])
        #expect(Self.modelMTE([]).isEmpty)
    }

    @Test("EL2 (VHE): the MTE registers KVM lists with MTE match the model")
    func el2RegisterList() throws {
        let features = VCPUInitFeatures(el2: true)
        let without = try Self.liveRegList(features: features, mte: false)
        let with = try Self.liveRegList(features: features, mte: true)
        let names = { (ids: Set<OneRegID>) in ids.map { RegisterTable.lookup($0).name }.sorted() }
        #expect(names(with.subtracting(without)) == names(Self.modelMTE([.mte, .el2])))
        #expect(names(without.intersection(Self.modelMTE([.mte, .el2]))).isEmpty)
    }

    @Test("--mte with EL2 is refused exactly when KVM hides FEAT_MTE2 from the EL2 vCPU")
    func nestedRefusal() throws {
        let system = try KVMSystem()
        let vm = try system.createVM()
        try vm.enableMTE()
        let vcpu = try vm.createVCPU(id: 0)
        try vcpu.initialize(features: VCPUInitFeatures(el2: true))
        let field = (try vcpu.getOneReg(SysReg.ID_AA64PFR1_EL1) >> 8) & 0xF
        let config = RunConfig(payload: .demo, nested: true, mte: true)
        if field >= 2 {
            _ = try Machine(config, console: { _ in })
        } else {
            let error = try #require(throws: MachineError.self) { try Machine(config, console: { _ in }) }
            guard case .mte(.hiddenFromEL2(let reported)) = error else {
                Issue.record("expected hiddenFromEL2, got \(error)")
                return
            }
            #expect(reported == field)
        }
        // An EL1 vCPU of an MTE VM sees FEAT_MTE2 or better.
        let el1VM = try system.createVM()
        try el1VM.enableMTE()
        let el1 = try el1VM.createVCPU(id: 0)
        try el1.initialize(features: VCPUInitFeatures())
        #expect((try el1.getOneReg(SysReg.ID_AA64PFR1_EL1) >> 8) & 0xF >= 2)
    }

    @Test("tagged payload: snapshot, stop, restore; LDG finds every tag, a mistagged load faults (EC 0x25, DFSC 0x11)")
    func taggedPayloadSurvivesRestore() throws {
        let config = RunConfig(payload: .mteTags, memorySize: 16 << 20, mte: true)
        let slots = DemoGuest.MTESlots(loadAddress: config.layout.ramBase)
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = try Machine(config, console: { _ in })
        let first = try BackgroundRun(original)
        defer { first.stop() }
        try Self.wait(original, run: first) { try $0.read(UInt64.self, at: slots.phase) == 1 }
        try original.pause()
        let state = try original.captureState()
        let tags = try #require(try original.captureTags())
        // The tags KVM reports are the ones the guest stored: pointer bits 59:56, granule by granule.
        let pointers = try (0..<DemoGuest.MTESlots.granules).map {
            try original.guestMemory.read(UInt64.self, at: slots.pointers + UInt64($0 * 8))
        }
        let unpacked = TagPacking.unpack(tags)
        let firstGranule = Int((slots.buffer - slots.loadAddress) / 16)
        for (index, pointer) in pointers.enumerated() {
            #expect(UInt8((pointer >> 56) & 0xF) == unpacked[firstGranule + index], "granule \(index)")
            #expect((pointer >> 56) & 0xF != 0, "IRG picked the excluded tag 0")
        }
        #expect(Set(pointers.map { $0 >> 56 }).count > 4, "IRG's tags vary")
        #expect(state.tags != nil)
        let written = try SnapshotStore.write(
            state: state, memory: original.guestMemory, tags: tags, to: root + "/snap")
        #expect(first.stop() == .stopped(signal: SIGTERM))

        let (read, memoryFile) = try SnapshotStore.read(from: root + "/snap")
        #expect(read == written)
        let output = ConsoleCapture()
        let restored = try Machine(restoring: read, memoryFile: memoryFile, console: { output.append($0) })
        #expect(try restored.captureTags() == tags, "restore put every tag back")
        try restored.guestMemory.write(UInt64(1), at: slots.go)
        let second = try BackgroundRun(restored)
        defer { second.stop() }
        try Self.wait(restored, run: second) { _ in second.exit != nil }
        #expect(second.exit == .poweredOff)
        let memory = restored.guestMemory
        #expect(try memory.read(UInt64.self, at: slots.phase) == 2)
        #expect(try memory.read(UInt64.self, at: slots.tagMismatches) == 0)
        #expect(try memory.read(UInt64.self, at: slots.dataMismatches) == 0)
        #expect(try memory.read(UInt64.self, at: slots.faults) == 1)
        let esr = try memory.read(UInt64.self, at: slots.faultESR)
        #expect((esr >> 26) & 0x3F == 0x25, "EC: data abort from the current EL, ESR_EL1 \(hex64(esr))")
        #expect(esr & 0x3F == 0x11, "DFSC: synchronous tag check fault, ESR_EL1 \(hex64(esr))")
        let far = try memory.read(UInt64.self, at: slots.faultFAR)
        #expect(far & 0x00FF_FFFF_FFFF_FFFF == slots.buffer, "FAR_EL1 \(hex64(far)) names the first granule")
        #expect(output.text.contains("LDG mismatches 0x0, data mismatches 0x0, tag check faults 0x1, ESR_EL1 0x"))
    }

    @Test("two vCPUs with MTE: snapshot and restore keep the tags and both vCPUs count on")
    func smpRoundTrip() throws {
        let config = RunConfig(payload: .smpCounters(startedVCPUs: 2), vcpuCount: 2, memorySize: 16 << 20, mte: true)
        let slots = DemoGuest.SMPSlots(loadAddress: config.layout.ramBase, vcpuCount: 2)
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = try Machine(config, console: { _ in })
        let first = try BackgroundRun(original)
        defer { first.stop() }
        let counter = { (m: Machine, v: Int) in try m.guestMemory.read(UInt64.self, at: slots.counter(vcpu: v)) }
        try Self.wait(original, run: first) { _ in try counter(original, 0) > 0 && counter(original, 1) > 0 }
        try original.pause()
        let state = try original.captureState()
        let counts = try (0..<2).map { try counter(original, $0) }
        let tags = try #require(try original.captureTags())
        try SnapshotStore.write(state: state, memory: original.guestMemory, tags: tags, to: root + "/snap")
        first.stop()
        let (read, memoryFile) = try SnapshotStore.read(from: root + "/snap")
        let restored = try Machine(restoring: read, memoryFile: memoryFile, console: { _ in })
        #expect(restored.config.mte)
        #expect(try restored.captureTags() == tags)
        let second = try BackgroundRun(restored)
        defer { second.stop() }
        try Self.wait(restored, run: second) { _ in
            try counter(restored, 0) > counts[0] && counter(restored, 1) > counts[1]
        }
    }

    /// Polls `condition` on the machine's memory until it holds, the run ends, or the deadline passes.
    static func wait(_ machine: Machine, run: BackgroundRun, _ condition: (GuestMemory) throws -> Bool) throws {
        let start = ContinuousClock.now
        while try !condition(machine.guestMemory) {
            if let exit = run.exit {
                Issue.record("the machine stopped early: \(exit)")
                throw SnapshotRoundTripKVMTests.Failure.stoppedEarly
            }
            if ContinuousClock.now - start > deadline {
                Issue.record("the guest did not get there within \(deadline)")
                throw SnapshotRoundTripKVMTests.Failure.timedOut
            }
            usleep(1000)
        }
    }
}

/// A KVM host without MTE (the lab's ordinary pass): `--mte` and MTE snapshots are refused up front.
@Suite(
    "MTE refused without host MTE (KVM tier)",
    .enabled(if: LabKVM.lacksMTE, "KVM tier (no MTE): this host offers MTE or no KVM"))
struct MTERefusalKVMTests {
    @Test func mteIsRefusedWhereKVMLacksIt() throws {
        let error = try #require(throws: MachineError.self) {
            try Machine(RunConfig(payload: .demo, mte: true), console: { _ in })
        }
        guard case .mte(.hostLacksMTE) = error else {
            Issue.record("expected hostLacksMTE, got \(error)")
            return
        }
    }

    @Test func snapshotWithTagsIsRefusedWhereKVMLacksMTE() throws {
        var state = SnapshotFixtures.small
        // A machine size restore accepts, so the refusal is the host's missing MTE and nothing earlier.
        state.config.memorySize = 16 << 20
        state.memory = MemoryState(
            guestAddress: state.memory.guestAddress, size: 16 << 20, fileName: "memory.bin", checksum: 0)
        state.tags = TagState(guestAddress: state.memory.guestAddress, size: state.memory.size, checksum: 0)
        let error = try #require(throws: MachineError.self) {
            try Machine(restoring: state, memoryFile: "/nonexistent/memory.bin", console: { _ in })
        }
        guard case .mte(.snapshotNeedsMTE) = error else {
            Issue.record("expected snapshotNeedsMTE, got \(error)")
            return
        }
    }
}
