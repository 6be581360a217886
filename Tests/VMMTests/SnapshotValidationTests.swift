import Testing

@testable import VMM

/// `MachineState.validate()` and the restore path's use of it: a snapshot whose sections disagree is
/// refused, naming both sides, before anything is built.
@Suite("Snapshot cross-checks")
struct SnapshotValidationTests {
    /// A well-formed two-vCPU nested state the size of a real guest.
    static var consistent: MachineState {
        var state = SnapshotFixtures.rich
        state.config.memorySize = 256 << 20
        state.memory.size = 256 << 20
        return state
    }

    func reason(_ state: MachineState) -> String? {
        do {
            try state.validate()
            return nil
        } catch {
            guard case .inconsistent(let reason) = error else { return "unexpected error \(error)" }
            return reason
        }
    }

    @Test("a consistent state passes")
    func consistentPasses() throws {
        try Self.consistent.validate()
    }

    @Test("RAM recorded at another address than the machine's RAM base")
    func memoryAddress() {
        var state = Self.consistent
        state.memory.guestAddress = 0x8000_0000
        #expect(reason(state)?.contains("0x80000000") == true)
        #expect(reason(state)?.contains("0x40000000") == true)
    }

    @Test("a memory section of another size than the machine's RAM")
    func memorySize() {
        var state = Self.consistent
        state.memory.size = 128 << 20
        #expect(reason(state)?.contains("\(128 << 20) bytes") == true)
    }

    @Test("vCPU states out of order or missing")
    func vcpuOrder() {
        var swapped = Self.consistent
        swapped.vcpus.swapAt(0, 1)
        #expect(reason(swapped)?.contains("vCPU state 0 is recorded as vCPU 1") == true)
        var short = Self.consistent
        short.vcpus.removeLast()
        #expect(reason(short)?.contains("1 vCPU states for a machine of 2 vCPUs") == true)
    }

    @Test("a vCPU whose EL2 feature disagrees with the machine's nesting")
    func el2Mismatch() {
        var state = Self.consistent
        state.vcpus[1].features.el2 = false
        #expect(reason(state)?.contains("vCPU 1 was initialised with") == true)
        var e2h0 = Self.consistent
        e2h0.config.e2h0 = true
        #expect(reason(e2h0)?.contains("nested without VHE") == true)
    }

    @Test("two vCPUs with one MPIDR affinity, or an MPIDR register that contradicts the state")
    func mpidr() {
        var state = Self.consistent
        state.vcpus[1].mpidr = state.vcpus[0].mpidr
        state.gic.cpus[1].mpidr = state.vcpus[0].mpidr
        #expect(reason(state) == "two vCPUs share an MPIDR affinity")
        var register = Self.consistent
        register.vcpus[0].registers.append(SnapshotFixtures.sysreg("MPIDR_EL1", 0x8000_0007))
        #expect(reason(register)?.contains("MPIDR_EL1 register is 0x80000007") == true)
    }

    @Test("GIC CPU interfaces for other CPUs than the vCPUs")
    func gicCPUs() {
        var state = Self.consistent
        state.gic.cpus.removeLast()
        #expect(reason(state)?.contains("the GIC holds CPU interfaces for MPIDRs [0x80000000]") == true)
    }

    @Test("restore takes its configuration from the snapshot alone: 2 vCPUs, no payload pretence")
    func restoreConfigFromSnapshot() throws {
        // The bug this pins: restore rebuilt its configuration with the demo payload, and the demo's
        // one-vCPU rule refused every multi-vCPU snapshot.
        for (nested, e2h0) in [(false, false), (true, false), (true, true)] {
            var state = Self.consistent
            state.config.nested = nested
            state.config.e2h0 = e2h0
            for i in state.vcpus.indices {
                state.vcpus[i].features.el2 = nested
                state.vcpus[i].features.e2h0 = e2h0
            }
            try state.validate()
            let config = Machine.config(for: state, kvmPath: "/dev/kvm")
            try config.validate()
            #expect(config.vcpuCount == 2)
            #expect(config.nested == nested && config.e2h0 == e2h0)
            guard case .restored = config.payload else {
                Issue.record("restore configured payload \(config.payload)")
                continue
            }
        }
    }

    @Test("Machine(restoring:) refuses an inconsistent snapshot before it touches KVM")
    func restoreRefusesBeforeKVM() {
        var state = Self.consistent
        state.memory.size = 64 << 20
        // A KVM path that does not exist: had restore opened it first, the error would be about it.
        #expect {
            _ = try Machine(
                restoring: state, memoryFile: "/nonexistent/memory.bin", kvmPath: "/nonexistent/kvm",
                console: { _ in })
        } throws: { error in
            guard let error = error as? MachineError, case .badSnapshot(.inconsistent) = error else { return false }
            return "\(error)".contains("snapshot is inconsistent")
        }
    }

    @Test("a snapshot whose layout overlaps RAM with a device is refused")
    func overlappingLayout() {
        var state = Self.consistent
        state.config.uartBase = state.config.ramBase + 0x1000
        #expect {
            _ = try Machine(
                restoring: state, memoryFile: "/nonexistent/memory.bin", kvmPath: "/nonexistent/kvm",
                console: { _ in })
        } throws: { error in
            guard let error = error as? MachineError, case .invalidConfig(.overlappingRegions) = error else {
                return false
            }
            return "\(error)".contains("RAM overlaps the PL011")
        }
    }
}
