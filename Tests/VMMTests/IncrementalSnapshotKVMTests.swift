import Foundation
import Glibc
import SysRegs
import Testing

@testable import VMM

/// Incremental snapshots against real KVM, with dirty logging on from the start: the SMP counter guest
/// (two vCPUs counting in RAM) is snapshotted in full, runs on, is snapshotted incrementally and in full
/// at the same paused instant; the chain restores to exactly the full snapshot's memory and counts on.
/// The restored machine extends the chain again (three snapshots), after a refused `--base` that must
/// lose no dirty page. EL1, nested VHE and nested E2H0.
@Suite(
    "Incremental snapshots (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason),
    .timeLimit(.minutes(5)), .serialized)
struct IncrementalSnapshotKVMTests {
    typealias RoundTrip = SnapshotRoundTripKVMTests

    @Test(
        "full, run on, incremental and full at one instant, restore the chain, extend it",
        arguments: RoundTrip.Kind.supported)
    func chain(kind: RoundTrip.Kind) throws {
        let config = RunConfig(
            payload: .smpCounters(startedVCPUs: 2), vcpuCount: 2, memorySize: 16 << 20, nested: kind.nested,
            e2h0: kind == .nestedE2H0)
        let slots = DemoGuest.SMPSlots(loadAddress: config.layout.ramBase, vcpuCount: 2)
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }

        let machine = try Machine(config, console: { _ in })
        let run = try BackgroundRun(machine)
        defer { run.stop() }
        try RoundTrip.waitForCounters(machine, run: run, slots: slots, startedVCPUs: 2, above: nil)
        try machine.pause()
        try machine.writeSnapshot(to: root + "/a")
        let countsA = try Self.counters(machine, slots)
        machine.resume()
        try RoundTrip.waitForCounters(machine, run: run, slots: slots, startedVCPUs: 2, above: countsA)
        try machine.pause()
        let b = try machine.writeSnapshot(to: root + "/b", base: root + "/a")
        let pages = try #require(b.base).pages
        let page = UInt64(try #require(b.base).pageSize)
        // The counters' page was dirtied by the guest; most of RAM was not.
        let counterPage = (slots.counter(vcpu: 0) - config.layout.ramBase) / page
        #expect(pages.contains { $0.contains(counterPage) }, "pages \(pages)")
        #expect(try #require(b.base).byteCount < 4 << 20)
        try machine.writeSnapshot(to: root + "/c")
        let countsB = try Self.counters(machine, slots)
        run.stop()

        let restored = try Self.restoreChain(root + "/b", equals: root + "/c", layers: 2, counts: countsB, slots)
        let run2 = try BackgroundRun(restored)
        defer { run2.stop() }
        try RoundTrip.waitForCounters(restored, run: run2, slots: slots, startedVCPUs: 2, above: countsB)
        try restored.pause()
        // Not the snapshot the restored machine's tracking starts at: refused, nothing written or lost.
        #expect(throws: SnapshotError.chain(.notTheLatest(path: root + "/a", latest: root + "/b"))) {
            try restored.writeSnapshot(to: root + "/bad", base: root + "/a")
        }
        #expect(!HostFile.exists(root + "/bad"))
        try restored.writeSnapshot(to: root + "/d", base: root + "/b")
        try restored.writeSnapshot(to: root + "/e")
        let countsD = try Self.counters(restored, slots)
        run2.stop()
        let again = try Self.restoreChain(root + "/d", equals: root + "/e", layers: 3, counts: countsD, slots)
        let run3 = try BackgroundRun(again)
        defer { run3.stop() }
        try RoundTrip.waitForCounters(again, run: run3, slots: slots, startedVCPUs: 2, above: countsD)
    }

    static func counters(_ machine: Machine, _ slots: DemoGuest.SMPSlots) throws -> [UInt64] {
        try (0..<2).map { try machine.guestMemory.read(UInt64.self, at: slots.counter(vcpu: $0)) }
    }

    /// Restores the chain ending at `top` and checks, before it runs, that its RAM equals the memory file
    /// of the full snapshot `full` taken at the same instant, byte for byte, and holds `counts`.
    static func restoreChain(
        _ top: String, equals full: String, layers: Int, counts: [UInt64], _ slots: DemoGuest.SMPSlots
    ) throws -> Machine {
        let chain = try SnapshotStore.readChain(from: top, verifyMemory: true)
        #expect(chain.count == layers)
        let last = try #require(chain.last)
        let machine = try Machine(
            restoring: last.state, memoryFile: last.memoryFile, chain: chain, console: { _ in })
        machine.restored(from: try SnapshotStore.link(to: top).0)
        let size = Int(last.state.memory.size)
        let ram = try machine.guestMemory.read(at: last.state.memory.guestAddress, count: size)
        let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: full + "/memory.bin")))
        #expect(ram.count == expected.count)
        // memcmp, not a zip over 16 Mi elements: that loop in a debug build under TCG took minutes.
        let equal =
            ram.count == expected.count
            && ram.withUnsafeBytes { r in
                expected.withUnsafeBytes { e in memcmp(r.baseAddress!, e.baseAddress!, r.count) == 0 }
            }
        #expect(equal, "the restored chain's RAM differs from the full snapshot's")
        #expect(try counters(machine, slots) == counts)
        return machine
    }
}
