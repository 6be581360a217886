import Foundation
import Glibc
import SysRegs
import Testing

@testable import VMM

/// A PMU machine through the snapshot path against real KVM: its vCPUs list the PMU registers, the
/// overflow interrupt is INTID 23, and a cycle counter running at the pause holds its value through the
/// restore (set before any PMU register, after the vGIC: `PMUInitStep`) and counts on after it.
@Suite(
    "PMU and SVE snapshot round trip (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason),
    .timeLimit(.minutes(5)),
    .serialized)
struct PMUSnapshotKVMTests {
    @Test(
        "PMU registers and interrupt, SVE Z/P/FFR and vector lengths saved and restored; the cycle counter continues",
        arguments: SnapshotRoundTripKVMTests.Kind.supported)
    func roundTrip(kind: SnapshotRoundTripKVMTests.Kind) throws {
        var config = RunConfig(
            payload: .smpCounters(startedVCPUs: 2), vcpuCount: 2, memorySize: 16 << 20, nested: kind.nested,
            e2h0: kind == .nestedE2H0)
        config.pmu = .on
        config.sve = .on
        // An idle ITS too: its registers (all but GITS_IIDR still at reset) and the redistributors'
        // LPI bases must come back equal (restore() compares the whole state).
        config.its = .on
        let slots = DemoGuest.SMPSlots(loadAddress: config.layout.ramBase, vcpuCount: 2)
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = try Machine(config, console: { _ in })
        for vcpu in original.vcpus {
            #expect(try vcpu.pmuOverflowIRQ() == 23)
            #expect(try vcpu.regList().contains(SysReg.PMCCNTR_EL0.id))
            // The cycle counter on, counting at EL1 and EL2 (PMCCFILTR_EL0.NSH), as a guest's perf would.
            try vcpu.setOneReg(SysReg.PMCCFILTR_EL0, 1 << 27)
            try vcpu.setOneReg(SysReg.PMCNTENSET_EL0, 1 << 31)
            try vcpu.setOneReg(SysReg.PMCR_EL0, (try vcpu.getOneReg(SysReg.PMCR_EL0)) | 1)
            // SVE state live: a Z register pattern the guest never touches must survive the round trip,
            // written after FINALIZE, with the vector lengths restored before it.
            #expect(try vcpu.regList().contains(Self.z0))
            #expect(try vcpu.regList().contains(SVEFinalizeStep.vectorLengthsID))
            try vcpu.setOneReg(Self.z0, Self.z0Pattern)
        }
        let first = try BackgroundRun(original)
        defer { first.stop() }
        try SnapshotRoundTripKVMTests.waitForCounters(original, run: first, slots: slots, startedVCPUs: 2, above: nil)
        let (state, counts) = try SnapshotRoundTripKVMTests.pauseAndCapture(original, slots: slots)
        first.stop()
        #expect(state.pmu == [PMUState(vcpuIndex: 0, overflowIRQ: 23), PMUState(vcpuIndex: 1, overflowIRQ: 23)])
        let cycles = state.vcpus.map { $0.value(of: SysReg.PMCCNTR_EL0) ?? 0 }
        #expect(cycles[0] > 0, "the cycle counter ran before the snapshot")

        // restore() checks the restored state equals the saved one, PMU registers included.
        let restored = try SnapshotRoundTripKVMTests.restore(
            state, from: original, into: root + "/gen1", counts: counts, slots: slots)
        for vcpu in restored.vcpus { #expect(try vcpu.pmuOverflowIRQ() == 23) }
        let shape = SnapshotRoundTripKVMTests.Shape(vcpus: 2, started: 2)
        let second = try SnapshotRoundTripKVMTests.runOn(restored, from: counts, shape: shape, slots: slots)
        defer { second.stop() }
        try restored.pause()
        let after = try restored.captureState()
        #expect(after.vcpus[0].value(of: SysReg.PMCCNTR_EL0) ?? 0 > cycles[0], "the cycle counter counts on")
        // Only vCPU 0's: vCPU 1 is started by the guest with PSCI CPU_ON, which resets it, and a vCPU
        // reset clears its FP/SIMD and SVE registers (so its Z0 is 0 by then, before the snapshot too).
        #expect(after.vcpus[0].registers.first { $0.id == Self.z0 }?.value == Self.z0Pattern, "vCPU 0 Z0")
        #expect(state.vcpus[0].registers.first { $0.id == Self.z0 }?.value == Self.z0Pattern, "saved Z0")
    }

    /// Z0, slice 0 (2048 bits; api.rst 4.68 "arm64 SVE registers").
    static let z0 = OneRegID(coproc: OneRegID.Coproc.sve.rawValue, byteCount: 256, index: 0)
    /// Distinct bytes: only the low vector-length bits are kept by KVM, so 16 bytes of pattern then zeros.
    static let z0Pattern = RegisterValue(bytes: (0..<256).map { $0 < 16 ? UInt8(0xA0 + $0) : 0 })
}
