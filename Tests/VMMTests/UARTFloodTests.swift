import Testing

@testable import VMM

/// The `--bench-mmio` payload: N stores to the PL011 data register, then PSCI SYSTEM_OFF through the conduit
/// the vCPU's exception level can use (pure tier, run in `A64Emulator`).
@Suite struct UARTFloodTests {
    static let uart: UInt64 = 0x0900_0000
    static let ramBase: UInt64 = 0x4000_0000

    @Test(arguments: [false, true])
    func floodWritesEveryByteThenPowersOff(hasEL2: Bool) throws {
        let program = try DemoGuest.uartFlood(
            uartBase: Self.uart, loadAddress: Self.ramBase, count: 300, hasEL2: hasEL2)
        var cpu = A64Emulator(program: program, uartBase: Self.uart, hasEL2: hasEL2)
        #expect(cpu.run() == .systemOff(conduit: hasEL2 ? "smc" : "hvc", fromEL: hasEL2 ? 2 : 1))
        #expect(cpu.text == String(repeating: ".", count: 300))
        #expect(cpu.exceptionsTaken.isEmpty)
    }

    /// The spin loop runs before each write and leaves the output and the power-off unchanged.
    @Test func spinningFloodStillWritesEveryByte() throws {
        let program = try DemoGuest.uartFlood(
            uartBase: Self.uart, loadAddress: Self.ramBase, count: 7, spin: 50, hasEL2: true)
        var cpu = A64Emulator(program: program, uartBase: Self.uart, hasEL2: true)
        #expect(cpu.run() == .systemOff(conduit: "smc", fromEL: 2))
        #expect(cpu.text == ".......")
        // The spin really runs: 7 writes behind 50 two-instruction iterations each take over 700 steps.
        var short = A64Emulator(program: program, uartBase: Self.uart, hasEL2: true)
        if case .stepLimit = short.run(limit: 700) {} else { Issue.record("the payload did not spin") }
    }

    /// The bug this guards against: `--nested --bench-mmio` built the EL1 variant, which on an EL2 vCPU ran
    /// at EL1 and powered off with HVC into a guest hypervisor that was not there, so the run never ended.
    @Test(arguments: [false, true])
    func machinePicksTheVariantForItsVCPUs(nested: Bool) throws {
        let loaded = try Machine.prepare(RunConfig(payload: .uartFlood(count: 5), nested: nested), devices: [])
        #expect(loaded.pstate == (nested ? DemoGuest.pstateEL2h : DemoGuest.pstateEL1h))
        let bytes = try #require(loaded.pieces.first?.bytes)
        let program = GuestProgram(
            name: "flood", bytes: bytes, loadAddress: Self.ramBase, entryPoint: loaded.entry,
            entryPSTATE: loaded.pstate ?? 0, expectedOutput: loaded.expectedOutput ?? "", symbols: [:])
        var cpu = A64Emulator(program: program, uartBase: MachineLayout.standard.uartBase, hasEL2: nested)
        #expect(cpu.run() == .systemOff(conduit: nested ? "smc" : "hvc", fromEL: nested ? 2 : 1))
        #expect(cpu.text == ".....")
    }
}

/// `--bench-touch`: the flood first stores each page's own address into its first word, for exactly
/// the pages asked for, then floods as before.
@Suite struct UARTFloodTouchTests {
    @Test func touchesEveryPageOfTheRangeAndNothingElse() throws {
        let base = UARTFloodTests.ramBase
        let program = try DemoGuest.uartFlood(
            uartBase: UARTFloodTests.uart, loadAddress: base, count: 3, touch: 5 * 4096)
        var cpu = A64Emulator(program: program, uartBase: UARTFloodTests.uart, hasEL2: false)
        #expect(cpu.run() == .systemOff(conduit: "hvc", fromEL: 1))
        #expect(cpu.text == "...")
        let start = base + DemoGuest.touchOffset
        let written = Set(cpu.memory.keys.filter { $0 >= start })
        let expected = Set((0..<5).flatMap { page in (0..<8).map { start + UInt64(page * 4096 + $0) } })
        #expect(written == expected)
        for page in 0..<5 {
            let address = start + UInt64(page * 4096)
            let word = (0..<8).reduce(UInt64(0)) { $0 | UInt64(cpu.memory[address + UInt64($1)] ?? 0) << (8 * $1) }
            #expect(word == address)
        }
    }

    /// `--bench-dirty`: before each byte, the bytes still to print go to the next page of the range,
    /// wrapping: 7 bytes over 3 pages leave pages 0, 1, 2 holding 1, 3, 2 (the last store to each).
    @Test func dirtiesTheNextPageBeforeEachByteCycling() throws {
        let base = UARTFloodTests.ramBase
        let program = try DemoGuest.uartFlood(
            uartBase: UARTFloodTests.uart, loadAddress: base, count: 7, dirty: 3 * 4096)
        var cpu = A64Emulator(program: program, uartBase: UARTFloodTests.uart, hasEL2: false)
        #expect(cpu.run() == .systemOff(conduit: "hvc", fromEL: 1))
        #expect(cpu.text == ".......")
        let start = base + DemoGuest.touchOffset
        #expect(Set(cpu.memory.keys.filter { $0 >= start }).count == 3 * 8)
        for (page, value) in [(0, 1), (1, 3), (2, 2)] {
            let address = start + UInt64(page * 4096)
            let word = (0..<8).reduce(UInt64(0)) { $0 | UInt64(cpu.memory[address + UInt64($1)] ?? 0) << (8 * $1) }
            #expect(word == UInt64(value), "page \(page)")
        }
    }

    @Test func aTouchBeyondRAMIsABadGuest() {
        #expect(throws: MachineError.self) {
            try Machine.prepare(
                RunConfig(payload: .uartFlood(count: 1, touch: 255 << 20), memorySize: 256 << 20), devices: [])
        }
    }
}
