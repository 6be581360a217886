import CKVM

extension VCPUExit {
    /// Decodes a copy of `kvm_run`. Takes the struct by value so tests can hand-build one.
    public init(decoding run: ckvm_run) {
        switch run.exit_reason {
        case CKVM_EXIT_MMIO: self = Self.mmio(run.mmio)
        case CKVM_EXIT_SYSTEM_EVENT: self = Self.systemEvent(run.system_event)
        case CKVM_EXIT_HYPERCALL: self = Self.hypercall(run.hypercall)
        case CKVM_EXIT_INTERNAL_ERROR: self = Self.internalError(run.internal)
        case CKVM_EXIT_FAIL_ENTRY:
            self = .failEntry(reason: run.fail_entry.hardware_entry_failure_reason, cpu: run.fail_entry.cpu)
        case CKVM_EXIT_INTR: self = .interrupted
        case CKVM_EXIT_DEBUG: self = Self.debug(run.debug)
        case CKVM_EXIT_ARM_NISV:
            self = .dataAbortWithoutSyndrome(esrISS: run.arm_nisv.esr_iss, faultIPA: run.arm_nisv.fault_ipa)
        case CKVM_EXIT_ARM_SEA: self = Self.externalAbort(run.arm_sea)
        case CKVM_EXIT_UNKNOWN: self = .unknown(hardwareReason: run.hw.hardware_exit_reason)
        default: self = .unsupported(reason: run.exit_reason)
        }
    }

    private static func mmio(_ mmio: ckvm_run_mmio) -> VCPUExit {
        let length = Int(min(mmio.len, 8))
        // SAFETY: reads the 8-byte data tuple of a local copy; prefix(length) stays inside it.
        let bytes = withUnsafeBytes(of: mmio.data) { Array($0.prefix(length)) }
        let data = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        return .mmio(address: mmio.phys_addr, data: data, isWrite: mmio.is_write != 0, length: Int(mmio.len))
    }

    private static func systemEvent(_ event: ckvm_run_system_event) -> VCPUExit {
        // data[0] is the pre-5.18 `flags` field; the PSCI reset type lives there.
        .systemEvent(SystemEvent(rawValue: event.type), flags: event.data.0)
    }

    /// KVM_EXIT_HYPERCALL on arm64: `nr` is the SMCCC function id; flags bit 0 is
    /// KVM_HYPERCALL_EXIT_SMC (api.rst "KVM_EXIT_HYPERCALL", arm64).
    private static func hypercall(_ call: ckvm_run_hypercall) -> VCPUExit {
        .hypercall(functionID: call.nr, isSMC: call.flags & CKVM_HYPERCALL_EXIT_SMC != 0)
    }

    private static func internalError(_ error: ckvm_run_internal) -> VCPUExit {
        let count = Int(min(error.ndata, 16))
        // SAFETY: reads whole UInt64s of a local copy of the 16-entry data tuple; count <= 16.
        let data = withUnsafeBytes(of: error.data) { raw in
            (0..<count).map { raw.load(fromByteOffset: $0 * 8, as: UInt64.self) }
        }
        return .internalError(suberror: error.suberror, data: data)
    }

    private static func debug(_ debug: ckvm_run_debug) -> VCPUExit {
        .debug(esr: UInt64(debug.hsr_high) << 32 | UInt64(debug.hsr), far: debug.far)
    }

    /// KVM_EXIT_ARM_SEA: flags bit 0 (KVM_EXIT_ARM_SEA_FLAG_GPA_VALID) says whether gpa is meaningful.
    private static func externalAbort(_ sea: ckvm_run_arm_sea) -> VCPUExit {
        .externalAbort(
            esr: sea.esr, gva: sea.gva, gpa: sea.flags & CKVM_EXIT_ARM_SEA_FLAG_GPA_VALID != 0 ? sea.gpa : nil)
    }
}
