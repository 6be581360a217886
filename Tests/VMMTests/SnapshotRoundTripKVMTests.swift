import Foundation
import Glibc
import Synchronization
import SysRegs
import Testing

@testable import VMM

/// A multi-vCPU machine through the whole snapshot path against real KVM: boot the SMP counter guest,
/// let every started vCPU count, pause, capture, write and read the snapshot directory, restore into a
/// fresh machine, and check that the restored machine reports the same state before it runs (apart from
/// the clock) and that every started vCPU counts on from its snapshotted value while a never-started
/// secondary stays off. Then the restored machine is snapshotted and restored in turn.
@Suite(
    "Snapshot round trip, multi-vCPU (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason),
    .timeLimit(.minutes(5)), .serialized)
struct SnapshotRoundTripKVMTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case el1, nestedVHE, nestedE2H0
        var testDescription: String { rawValue }
        var nested: Bool { self != .el1 }
        /// PSTATE.M with DAIF (bits [9:0]) of a vCPU of this kind after reset or CPU_ON.
        var resetMode: UInt64 { nested ? DemoGuest.pstateEL2h : DemoGuest.pstateEL1h }
        /// The kinds this host runs (VCPUKindAvailabilityTests reports the others as skipped).
        static var supported: [Kind] {
            allCases.filter { LabKVM.supports(VCPUInitFeatures(el2: $0.nested, e2h0: $0 == .nestedE2H0)) }
        }
    }

    /// How many vCPUs the machine has and how many of them run (the rest are never started).
    struct Shape: Sendable, CustomTestStringConvertible {
        let vcpus: Int
        let started: Int
        var testDescription: String { "\(started) of \(vcpus) vCPUs started" }
        /// Three vCPUs with one never started covers started and never-started secondaries for each kind;
        /// the EL1 machine also runs with the 8 vCPUs `vmmctl run --cpus 8` makes, all started (EL2 teardown
        /// under TCG makes the nested 8-vCPU case too slow for every CI run).
        static let all = [Shape(vcpus: 3, started: 2)]
        static let largest = Shape(vcpus: 8, started: 8)
    }

    /// Generous for TCG: the counters move within a second or two there.
    static let deadline: Duration = .seconds(90)

    @Test(
        "boot, snapshot, restore, compare, run on; then snapshot the restored machine and restore it",
        arguments: Kind.supported.flatMap { kind in Shape.all.map { (kind, $0) } } + [(Kind.el1, Shape.largest)])
    func roundTrip(kind: Kind, shape: Shape) throws {
        let config = RunConfig(
            payload: .smpCounters(startedVCPUs: shape.started), vcpuCount: shape.vcpus, memorySize: 16 << 20,
            nested: kind.nested, e2h0: kind == .nestedE2H0)
        let slots = DemoGuest.SMPSlots(loadAddress: config.layout.ramBase, vcpuCount: shape.vcpus)
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }

        let original = try Machine(config, console: { _ in })
        let first = try BackgroundRun(original)
        defer { first.stop() }
        try Self.waitForCounters(original, run: first, slots: slots, startedVCPUs: shape.started, above: nil)
        let (state, counts) = try Self.pauseAndCapture(original, slots: slots)
        try Self.checkSecondaries(state, kind: kind, shape: shape, memory: original.guestMemory, slots: slots)
        first.stop()

        // Generation 1: restored from the snapshot of the booted machine.
        let restored = try Self.restore(state, from: original, into: root + "/gen1", counts: counts, slots: slots)
        let second = try Self.runOn(restored, from: counts, shape: shape, slots: slots)
        defer { second.stop() }

        // Generation 2: a snapshot of a restored machine restores too.
        let (state2, counts2) = try Self.pauseAndCapture(restored, slots: slots)
        #expect(state2.vcpus.map(\.mpState) == state.vcpus.map(\.mpState))
        second.stop()
        let again = try Self.restore(state2, from: restored, into: root + "/gen2", counts: counts2, slots: slots)
        let third = try Self.runOn(again, from: counts2, shape: shape, slots: slots)
        defer { third.stop() }
        #expect(third.stop() == .stopped(signal: SIGTERM))
    }

    // MARK: Steps

    /// Pauses `machine` and captures its state and the counters (read while paused, so they match the
    /// memory the snapshot will hold).
    static func pauseAndCapture(_ machine: Machine, slots: DemoGuest.SMPSlots) throws -> (MachineState, [UInt64]) {
        try machine.pause()
        let state = try machine.captureState()
        let counts = try (0..<slots.count).map {
            try machine.guestMemory.read(UInt64.self, at: slots.counter(vcpu: $0))
        }
        return (state, counts)
    }

    /// Runs a restored `machine` until every started vCPU has counted past `counts`, and checks that the
    /// never-started vCPUs' counters are still 0. The caller stops the run (this does if it throws).
    static func runOn(
        _ machine: Machine, from counts: [UInt64], shape: Shape, slots: DemoGuest.SMPSlots
    ) throws -> BackgroundRun {
        let run = try BackgroundRun(machine)
        do {
            try waitForCounters(machine, run: run, slots: slots, startedVCPUs: shape.started, above: counts)
            for vcpu in shape.started..<shape.vcpus {
                #expect(try machine.guestMemory.read(UInt64.self, at: slots.counter(vcpu: vcpu)) == 0)
            }
        } catch {
            run.stop()
            throw error
        }
        return run
    }

    /// Writes `state` with `source`'s RAM to `directory`, reads it back, restores a machine from it and
    /// checks, before it runs, that it reports the state that was saved and holds the saved counters.
    static func restore(
        _ state: MachineState, from source: Machine, into directory: String, counts: [UInt64],
        slots: DemoGuest.SMPSlots
    ) throws -> Machine {
        let written = try SnapshotStore.write(state: state, memory: source.guestMemory, to: directory)
        let (read, memoryFile) = try SnapshotStore.read(from: directory)
        #expect(read == written, "the snapshot directory reads back as written")
        let machine = try Machine(restoring: read, memoryFile: memoryFile, console: { _ in })
        let restored = try machine.captureState()
        let differences = Self.differences(Self.maskingClock(state), Self.maskingClock(restored))
        #expect(Self.maskingClock(restored) == Self.maskingClock(state), "\(differences.joined(separator: "; "))")
        // The clock goes on from the pause: it is neither reset nor moved backwards.
        #expect(restored.counter.guestCounterAtPause >= state.counter.guestCounterAtPause)
        let restoredCounts = try (0..<slots.count).map {
            try machine.guestMemory.read(UInt64.self, at: slots.counter(vcpu: $0))
        }
        #expect(restoredCounts == counts)
        return machine
    }

    /// What KVM reports about the secondaries: a started one went through CPU_ON (SUCCESS) into the
    /// reset PSTATE of its kind and recorded its CurrentEL; a never-started one is powered off, untouched.
    static func checkSecondaries(
        _ state: MachineState, kind: Kind, shape: Shape, memory: GuestMemory, slots: DemoGuest.SMPSlots
    ) throws {
        for vcpu in state.vcpus {
            let started = vcpu.index < shape.started
            #expect(
                MPState(rawValue: vcpu.mpState) == (started ? .runnable : .stopped), "vCPU \(vcpu.index) MP state")
            let pstate = try #require(vcpu.value(of: SysReg.PSTATE))
            if started {
                #expect(pstate & 0x3FF == kind.resetMode, "vCPU \(vcpu.index) PSTATE \(hex64(pstate))")
                #expect(try memory.read(UInt64.self, at: slots.currentEL(vcpu: vcpu.index)) == (kind.nested ? 8 : 4))
            }
            if vcpu.index > 0 {
                let result = try memory.read(UInt64.self, at: slots.cpuOnResult(vcpu: vcpu.index))
                #expect(result == (started ? 0 : DemoGuest.SMPSlots.notCalled), "CPU_ON(\(vcpu.index))")
            }
        }
    }

    /// Polls guest memory until every started vCPU's counter is above `above` (or above 0), failing at the
    /// deadline or as soon as the run ends.
    static func waitForCounters(
        _ machine: Machine, run: BackgroundRun, slots: DemoGuest.SMPSlots, startedVCPUs: Int, above: [UInt64]?
    ) throws {
        let start = ContinuousClock.now
        var counts: [UInt64] = []
        while true {
            counts = try (0..<startedVCPUs).map {
                try machine.guestMemory.read(UInt64.self, at: slots.counter(vcpu: $0))
            }
            if counts.enumerated().allSatisfy({ $0.element > (above?[$0.offset] ?? 0) }) { return }
            if let exit = run.exit {
                Issue.record("the machine stopped (\(exit)) before every vCPU counted: \(counts)")
                throw Failure.stoppedEarly
            }
            if ContinuousClock.now - start > deadline {
                Issue.record("counters \(counts) did not all pass \(above ?? []) within \(deadline)")
                throw Failure.timedOut
            }
            usleep(1000)
        }
    }

    enum Failure: Error { case stoppedEarly, timedOut }

    // MARK: Comparing states

    /// The registers the VM-wide counter offset owns: restore never writes them, and they read the time.
    static let clockRegisters: Set<OneRegID> = [SysReg.CNTVCT_EL0.id, SysReg.CNTPCT_EL0.id]

    /// `state` with the clock taken out: the two counter registers, the counter state (the offset is
    /// recomputed on restore, the counter read at capture has moved on) and the memory checksum (filled in
    /// by the snapshot writer, 0 from `captureState`). Everything else is compared, including any field
    /// MachineState gains later.
    static func maskingClock(_ state: MachineState) -> MachineState {
        var masked = state
        masked.counter = CounterState(offset: 0, guestCounterAtPause: 0)
        masked.memory.checksum = 0
        for v in masked.vcpus.indices {
            for r in masked.vcpus[v].registers.indices where clockRegisters.contains(masked.vcpus[v].registers[r].id) {
                masked.vcpus[v].registers[r].value = RegisterValue(
                    0, byteCount: masked.vcpus[v].registers[r].id.byteCount)
            }
        }
        return masked
    }

    /// What differs between two states, by vCPU register and GIC register name, for a failure message.
    static func differences(_ a: MachineState, _ b: MachineState) -> [String] {
        var found: [String] = []
        for (x, y) in zip(a.vcpus, b.vcpus) {
            let yValues = Dictionary(y.registers.map { ($0.id, $0.value) }, uniquingKeysWith: { first, _ in first })
            for r in x.registers where yValues[r.id] != r.value {
                found.append("vCPU \(x.index) \(r.name): \(r.value) -> \(yValues[r.id].map(\.description) ?? "absent")")
            }
            if x.mpState != y.mpState { found.append("vCPU \(x.index) MP state \(x.mpState) -> \(y.mpState)") }
            if x.events != y.events { found.append("vCPU \(x.index) events \(x.events) -> \(y.events)") }
            if x.features != y.features || x.mpidr != y.mpidr { found.append("vCPU \(x.index) features/MPIDR") }
        }
        func gic(_ what: String, _ x: [GICRegister], _ y: [GICRegister]) {
            let yValues = Dictionary(y.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            for r in x where yValues[r.key] != r.value {
                found.append("\(what) \(r.name): \(hex64(r.value)) -> \(yValues[r.key].map(hex64) ?? "absent")")
            }
        }
        gic("GICD", a.gic.distributor, b.gic.distributor)
        for (x, y) in zip(a.gic.cpus, b.gic.cpus) {
            gic("GICR \(hex64(x.mpidr))", x.redistributor, y.redistributor)
            gic("ICC \(hex64(x.mpidr))", x.cpuInterface, y.cpuInterface)
        }
        gic("ITS", a.its?.registers ?? [], b.its?.registers ?? [])
        if a.its?.base != b.its?.base { found.append("ITS base or presence") }
        if found.isEmpty && a != b { found.append("the states differ outside the vCPU and GIC registers") }
        return found
    }
}

/// A machine running on a thread of its own, stopped and joined exactly once.
final class BackgroundRun: Sendable {
    /// Where the run thread leaves the machine's exit.
    private final class ExitBox: Sendable {
        let exit = Mutex<MachineExit?>(nil)
    }

    private let machine: Machine
    private let box = ExitBox()
    private let thread: Mutex<pthread_t?>

    init(_ machine: Machine) throws {
        self.machine = machine
        let box = self.box
        let spawned = try Threads.spawn {
            let exit: MachineExit
            do {
                exit = try machine.run()
            } catch {
                exit = .guestFault(GuestFault(vcpu: -1, what: "run: \(error)", pc: nil, esr: nil))
            }
            box.exit.withLock { $0 = exit }
        }
        thread = Mutex(spawned)
    }

    /// How the run ended, if it has.
    var exit: MachineExit? { box.exit.withLock { $0 } }

    /// Asks the machine to stop (a no-op if it has) and waits for its thread; returns how it ended.
    @discardableResult
    func stop() -> MachineExit? {
        let taken = thread.withLock { t -> pthread_t? in
            defer { t = nil }
            return t
        }
        guard let taken else { return exit }
        machine.requestStop(.stopped(signal: SIGTERM))
        Threads.join(taken)
        return exit
    }
}
