import CKVM
import Testing

@testable import VMM

/// Exit decoding from hand-built `ckvm_run` values: runs on any host.
@Suite struct VCPUExitDecodingTests {
    private func run(_ reason: UInt32, _ fill: (inout ckvm_run) -> Void = { _ in }) -> ckvm_run {
        var run = ckvm_run()
        run.exit_reason = reason
        fill(&run)
        return run
    }

    @Test func mmioWriteKeepsOnlyLengthBytes() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_MMIO) {
                $0.mmio.phys_addr = 0x1000_0000
                $0.mmio.data = (0x08, 0x00, 0x00, 0x00, 0xAA, 0xBB, 0xCC, 0xDD)
                $0.mmio.len = 4
                $0.mmio.is_write = 1
            })
        #expect(exit == .mmio(address: 0x1000_0000, data: 0x8, isWrite: true, length: 4))
    }

    @Test func mmioRead() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_MMIO) {
                $0.mmio.phys_addr = 0x0900_0018
                $0.mmio.len = 8
                $0.mmio.is_write = 0
            })
        #expect(exit == .mmio(address: 0x0900_0018, data: 0, isWrite: false, length: 8))
    }

    @Test(arguments: [
        (UInt32(1), SystemEvent.shutdown), (2, .reset), (3, .crash), (4, .wakeup), (5, .suspend), (99, .other(99)),
    ])
    func systemEvents(type: UInt32, expected: SystemEvent) {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_SYSTEM_EVENT) {
                $0.system_event.type = type
                $0.system_event.ndata = 1
                $0.system_event.data.0 = 0x8000_0000_0000_0001
            })
        #expect(exit == .systemEvent(expected, flags: 0x8000_0000_0000_0001))
    }

    @Test func failEntry() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_FAIL_ENTRY) {
                $0.fail_entry.hardware_entry_failure_reason = 0x1234
                $0.fail_entry.cpu = 3
            })
        #expect(exit == .failEntry(reason: 0x1234, cpu: 3))
    }

    @Test func internalErrorCopiesNDataWords() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_INTERNAL_ERROR) {
                $0.internal.suberror = 1
                $0.internal.ndata = 2
                $0.internal.data.0 = 7
                $0.internal.data.1 = 8
                $0.internal.data.2 = 9
            })
        #expect(exit == .internalError(suberror: 1, data: [7, 8]))
    }

    @Test func internalErrorClampsNData() {
        let exit = VCPUExit(decoding: run(CKVM_EXIT_INTERNAL_ERROR) { $0.internal.ndata = 1000 })
        guard case .internalError(_, let data) = exit else {
            Issue.record("expected an internal error, got \(exit)")
            return
        }
        #expect(data.count == 16)
    }

    @Test func hypercallSMCFlag() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_HYPERCALL) {
                $0.hypercall.nr = 0x8400_0000
                $0.hypercall.flags = CKVM_HYPERCALL_EXIT_SMC
            })
        #expect(exit == .hypercall(functionID: 0x8400_0000, isSMC: true))
    }

    @Test func debugJoinsSyndromeHalves() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_DEBUG) {
                $0.debug.hsr = 0xF200_0000
                $0.debug.hsr_high = 0x1
                $0.debug.far = 0x4000_0000
            })
        #expect(exit == .debug(esr: 0x1_F200_0000, far: 0x4000_0000))
    }

    @Test func dataAbortWithoutSyndrome() {
        let exit = VCPUExit(
            decoding: run(CKVM_EXIT_ARM_NISV) {
                $0.arm_nisv.esr_iss = 0x44
                $0.arm_nisv.fault_ipa = 0x1000_0000
            })
        #expect(exit == .dataAbortWithoutSyndrome(esrISS: 0x44, faultIPA: 0x1000_0000))
    }

    @Test func externalAbortGPAOnlyWhenValid() {
        let valid = VCPUExit(
            decoding: run(CKVM_EXIT_ARM_SEA) {
                $0.arm_sea.flags = CKVM_EXIT_ARM_SEA_FLAG_GPA_VALID
                $0.arm_sea.esr = 0x9200_0010
                $0.arm_sea.gva = 0xFFFF_0000
                $0.arm_sea.gpa = 0x4000_1000
            })
        #expect(valid == .externalAbort(esr: 0x9200_0010, gva: 0xFFFF_0000, gpa: 0x4000_1000))
        let invalid = VCPUExit(decoding: run(CKVM_EXIT_ARM_SEA) { $0.arm_sea.gpa = 0x4000_1000 })
        #expect(invalid == .externalAbort(esr: 0, gva: 0, gpa: nil))
    }

    @Test func interruptUnknownAndUnsupported() {
        #expect(VCPUExit(decoding: run(CKVM_EXIT_INTR)) == .interrupted)
        #expect(
            VCPUExit(decoding: run(CKVM_EXIT_UNKNOWN) { $0.hw.hardware_exit_reason = 5 }) == .unknown(hardwareReason: 5)
        )
        #expect(VCPUExit(decoding: run(2)) == .unsupported(reason: 2))  // KVM_EXIT_IO: x86 only
        #expect(VCPUExit(decoding: run(0xFFFF)) == .unsupported(reason: 0xFFFF))
    }

    /// The Swift view of the struct agrees with the C layout the lab check proves.
    @Test func runLayoutAsImported() {
        #expect(MemoryLayout<ckvm_run>.size == 2352)
        #expect(MemoryLayout<ckvm_run>.offset(of: \ckvm_run.exit_reason) == 8)
        #expect(MemoryLayout<ckvm_run>.offset(of: \ckvm_run.kvm_valid_regs) == Int(CKVM_RUN_EXIT_OFFSET) + 256)
        #expect(MemoryLayout<ckvm_run_mmio>.offset(of: \ckvm_run_mmio.len) == 16)
        #expect(MemoryLayout<ckvm_vcpu_events>.size == 64)
        #expect(MemoryLayout<ckvm_enable_cap>.size == 104)
        #expect(MemoryLayout<ckvm_userspace_memory_region>.size == 32)
        #expect(MemoryLayout<ckvm_create_device>.size == 12)
        #expect(MemoryLayout<ckvm_device_attr>.size == 24)
    }
}
