import Testing

@testable import VMM

/// The SMP counter payload in `A64Emulator` (pure tier). The emulator runs one vCPU at a time and records
/// PSCI CPU_ON instead of starting anything, so vCPU 0's start-up and a secondary's entry are run as two
/// separate emulators; that KVM really starts the secondaries is the KVM tier's part
/// (SnapshotRoundTripKVMTests).
@Suite struct SMPCountersTests {
    static let ramBase: UInt64 = 0x4000_0000

    static func program(vcpus: Int, started: Int, hasEL2: Bool, spin: UInt64 = 3) throws -> GuestProgram {
        try DemoGuest.smpCounters(
            loadAddress: ramBase, vcpuCount: vcpus, startedVCPUs: started, spin: spin, hasEL2: hasEL2)
    }

    static func slots(vcpus: Int) -> DemoGuest.SMPSlots { DemoGuest.SMPSlots(loadAddress: ramBase, vcpuCount: vcpus) }

    /// An emulator at the program's entry, as vCPU 0 boots.
    static func vcpu0(_ program: GuestProgram, hasEL2: Bool) -> A64Emulator {
        A64Emulator(program: program, uartBase: MachineLayout.standard.uartBase, hasEL2: hasEL2)
    }

    /// An emulator as KVM leaves a secondary after CPU_ON: reset PSTATE for its kind, PC = entry, x0 = context.
    static func secondary(_ program: GuestProgram, hasEL2: Bool, call: A64Emulator.CPUOnCall) -> A64Emulator {
        var cpu = vcpu0(program, hasEL2: hasEL2)
        cpu.pc = call.entry
        cpu.x[0] = call.contextID
        cpu.el = hasEL2 ? 2 : 1
        return cpu
    }

    @Test(arguments: [false, true])
    func vcpu0StartsEverySecondaryThroughItsConduitThenCounts(hasEL2: Bool) throws {
        let program = try Self.program(vcpus: 4, started: 4, hasEL2: hasEL2)
        let slots = Self.slots(vcpus: 4)
        var cpu = Self.vcpu0(program, hasEL2: hasEL2)
        guard case .stepLimit = cpu.run(limit: 2_000) else { Issue.record("vCPU 0 stopped counting"); return }
        let secondary = try #require(program.symbols["secondary"])
        #expect(
            cpu.cpuOnCalls
                == (1...3).map {
                    A64Emulator.CPUOnCall(
                        conduit: hasEL2 ? "smc" : "hvc", fromEL: hasEL2 ? 2 : 1, targetMPIDR: UInt64($0),
                        entry: secondary, contextID: UInt64($0))
                })
        #expect(cpu.read(slots.counter(vcpu: 0), 8) > 10)
        #expect(cpu.read(slots.currentEL(vcpu: 0), 8) == (hasEL2 ? 8 : 4))
        for vcpu in 1...3 {
            #expect(cpu.read(slots.cpuOnResult(vcpu: vcpu), 8) == 0, "CPU_ON(\(vcpu)) result stored")
            #expect(cpu.read(slots.counter(vcpu: vcpu), 8) == 0, "vCPU 0 touches only its own counter")
        }
        #expect(cpu.read(slots.cpuOnResult(vcpu: 0), 8) == DemoGuest.SMPSlots.notCalled)
        #expect(cpu.exceptionsTaken.isEmpty)
    }

    /// The target is MPIDR affinity only: KVM refuses CPU_ON with bit 31 (RES1 in MPIDR_EL1) set.
    @Test func targetsAreKVMsDefaultAffinities() throws {
        let program = try Self.program(vcpus: 20, started: 20, hasEL2: false)
        var cpu = Self.vcpu0(program, hasEL2: false)
        _ = cpu.run(limit: 5_000)
        #expect(cpu.cpuOnCalls.count == 19)
        for call in cpu.cpuOnCalls {
            let vcpu = Int(call.contextID)
            #expect(call.targetMPIDR == MachineConfig.defaultMPIDR(vcpuIndex: vcpu) & 0xff_00ff_ffff)
            #expect(call.targetMPIDR >> 31 & 1 == 0)
        }
        // vCPU 17 is Aff1 = 1, Aff0 = 1.
        #expect(cpu.cpuOnCalls.first { $0.contextID == 17 }?.targetMPIDR == 0x101)
    }

    @Test(arguments: [false, true])
    func secondaryEntryCountsInItsOwnSlot(hasEL2: Bool) throws {
        let program = try Self.program(vcpus: 3, started: 3, hasEL2: hasEL2)
        let slots = Self.slots(vcpus: 3)
        var boot = Self.vcpu0(program, hasEL2: hasEL2)
        _ = boot.run(limit: 500)
        let call = try #require(boot.cpuOnCalls.last)
        var cpu = Self.secondary(program, hasEL2: hasEL2, call: call)
        guard case .stepLimit = cpu.run(limit: 2_000) else { Issue.record("the secondary stopped"); return }
        #expect(cpu.read(slots.counter(vcpu: 2), 8) > 10)
        #expect(cpu.read(slots.currentEL(vcpu: 2), 8) == (hasEL2 ? 8 : 4))
        #expect(cpu.read(slots.counter(vcpu: 0), 8) == 0)
        #expect(cpu.read(slots.counter(vcpu: 1), 8) == 0)
        #expect(cpu.cpuOnCalls.isEmpty, "a secondary starts nobody")
        #expect(cpu.exceptionsTaken.isEmpty)
    }

    @Test func vcpusBeyondStartedAreNeverCalled() throws {
        let program = try Self.program(vcpus: 3, started: 2, hasEL2: true)
        let slots = Self.slots(vcpus: 3)
        var cpu = Self.vcpu0(program, hasEL2: true)
        _ = cpu.run(limit: 1_000)
        #expect(cpu.cpuOnCalls.map(\.contextID) == [1])
        #expect(cpu.read(slots.cpuOnResult(vcpu: 2), 8) == DemoGuest.SMPSlots.notCalled)
        var alone = Self.vcpu0(try Self.program(vcpus: 2, started: 1, hasEL2: false), hasEL2: false)
        _ = alone.run(limit: 1_000)
        #expect(alone.cpuOnCalls.isEmpty)
        #expect(alone.read(Self.slots(vcpus: 2).counter(vcpu: 0), 8) > 0)
    }

    /// A context id that is no vCPU of the machine parks the vCPU before it stores anything.
    @Test func unknownContextIDParks() throws {
        let program = try Self.program(vcpus: 2, started: 2, hasEL2: false)
        let call = A64Emulator.CPUOnCall(
            conduit: "hvc", fromEL: 1, targetMPIDR: 7, entry: try #require(program.symbols["secondary"]), contextID: 2)
        var cpu = Self.secondary(program, hasEL2: false, call: call)
        let before = cpu.memory
        guard case .waitingForInterrupt = cpu.run(limit: 100) else { Issue.record("did not park"); return }
        #expect(cpu.memory == before)
    }

    /// Each increment waits for the spin loop (two instructions per iteration).
    @Test func spinSeparatesIncrements() throws {
        let program = try Self.program(vcpus: 1, started: 1, hasEL2: false, spin: 100)
        var cpu = Self.vcpu0(program, hasEL2: false)
        _ = cpu.run(limit: 2_100)
        #expect((9...11).contains(cpu.read(Self.slots(vcpus: 1).counter(vcpu: 0), 8)))
    }

    @Test func layoutAndSymbols() throws {
        let program = try Self.program(vcpus: 3, started: 2, hasEL2: false)
        let slots = Self.slots(vcpus: 3)
        #expect(program.symbols["counters"] == slots.base)
        #expect(slots.base == Self.ramBase + 0x1000)
        #expect(program.endAddress == slots.base + 3 * 64)
        #expect(slots.counter(vcpu: 2) - slots.counter(vcpu: 1) == 64)
        #expect(program.entryPoint == Self.ramBase)
        #expect(try Self.program(vcpus: 1, started: 1, hasEL2: true).entryPSTATE == DemoGuest.pstateEL2h)
        // The largest machine's start-up code and MPIDR table still fit below the counters.
        let maximum = MachineLayout.standard.maximumVCPUs
        let largest = try Self.program(vcpus: maximum, started: maximum, hasEL2: true)
        #expect(largest.symbols["counters"] == Self.ramBase + DemoGuest.SMPSlots.offset)
    }

    @Test func startedVCPUsMustBeOnTheMachine() {
        for (vcpus, started) in [(2, 0), (2, 3), (0, 0)] {
            #expect(throws: DemoGuestError.smpStartedVCPUs(started: started, vcpuCount: vcpus)) {
                try Self.program(vcpus: vcpus, started: started, hasEL2: false)
            }
        }
    }

    /// The machine builds it for every vCPU count and picks the EL2 variant for nested vCPUs; the one-vCPU
    /// rule of the other built-in guests still holds.
    @Test(arguments: [false, true])
    func machinePreparesItOnSeveralVCPUs(nested: Bool) throws {
        let config = RunConfig(payload: .smpCounters(startedVCPUs: 2), vcpuCount: 3, nested: nested)
        try config.validate()
        let loaded = try Machine.prepare(config, devices: [])
        #expect(loaded.pstate == (nested ? DemoGuest.pstateEL2h : DemoGuest.pstateEL1h))
        let program = try Self.program(vcpus: 3, started: 2, hasEL2: nested, spin: DemoGuest.smpDefaultSpin)
        #expect(loaded.pieces.first?.bytes == program.bytes)
        #expect(loaded.entry == program.entryPoint)
        #expect(throws: MachineError.self) {
            try RunConfig(payload: .demo, vcpuCount: 2).validate()
        }
        #expect(throws: MachineError.self) {
            try Machine.prepare(RunConfig(payload: .smpCounters(startedVCPUs: 4), vcpuCount: 3), devices: [])
        }
    }
}
