/// Named constructors, one per register class. Table rows use only these, so each row reads like the
/// architecture: `.el2("HCR_EL2", (3, 4, 1, 1, 0), vncr: 0x078, reset: .value(0x4_8000_0000))`.
extension RegisterDescriptor {
    public typealias Enc = (UInt8, UInt8, UInt8, UInt8, UInt8)

    static func sysreg(
        _ name: String, _ e: Enc, group: RegisterGroup, width: RegisterWidth, storage: Storage,
        reset: Reset, visibility: Visibility, id: OneRegID? = nil, userWritable: Bool = true
    ) -> RegisterDescriptor {
        let encoding = SysRegEncoding(e.0, e.1, e.2, e.3, e.4)
        return RegisterDescriptor(
            name: name, id: id ?? .sysreg(encoding), encoding: encoding, width: width, storage: storage,
            reset: reset, visibility: visibility, group: group, userWritable: userWritable)
    }

    /// An EL0-accessible system register (TPIDR_EL0, ...).
    public static func el0(
        _ name: String, _ e: Enc, vncr: Int? = nil, reset: Reset = .unknown,
        visibility: Visibility = .always, group: RegisterGroup = .el0
    ) -> RegisterDescriptor {
        sysreg(
            name, e, group: group, width: .bits64, storage: vncr.map { .vncr(offset: $0) } ?? .slot,
            reset: reset, visibility: visibility)
    }

    /// An EL1 system register. Give `vncr:` where FEAT_NV2 puts it in the VNCR page, and
    /// `width: .bits128` for FEAT_D128 registers (TTBR0_EL1, TTBR1_EL1, PAR_EL1).
    public static func el1(
        _ name: String, _ e: Enc, vncr: Int? = nil, width: RegisterWidth = .bits64,
        reset: Reset = .unknown, visibility: Visibility = .always, group: RegisterGroup = .el1
    ) -> RegisterDescriptor {
        sysreg(
            name, e, group: group, width: width, storage: vncr.map { .vncr(offset: $0) } ?? .slot,
            reset: reset, visibility: visibility)
    }

    /// An EL2 system register, present only for `HAS_EL2` vCPUs unless `visibility` says otherwise.
    public static func el2(
        _ name: String, _ e: Enc, vncr: Int? = nil, width: RegisterWidth = .bits64,
        reset: Reset = .unknown, visibility: Visibility = .el2
    ) -> RegisterDescriptor {
        sysreg(
            name, e, group: .el2, width: width, storage: vncr.map { .vncr(offset: $0) } ?? .slot,
            reset: reset, visibility: visibility)
    }

    /// SP_EL2, ELR_EL2, SPSR_EL2: kept apart from the sysreg array, yet plain sysreg ids in ONE_REG.
    public static func el2Special(_ name: String, _ e: Enc, reset: Reset) -> RegisterDescriptor {
        sysreg(
            name, e, group: .el2Special, width: .bits64, storage: .special, reset: reset, visibility: .el2)
    }

    /// An ID register: host-dependent, read-only to the guest, writable by userspace only to narrow
    /// what the guest sees.
    public static func id(_ name: String, _ e: Enc, visibility: Visibility = .always) -> RegisterDescriptor {
        sysreg(name, e, group: .id, width: .bits64, storage: .slot, reset: .host, visibility: visibility)
    }

    /// A register of another group (debug, PMU, PAuth, MTE, timer) held in a register-file slot.
    public static func reg(
        _ name: String, _ e: Enc, group: RegisterGroup, vncr: Int? = nil, reset: Reset = .unknown,
        visibility: Visibility = .always, id: OneRegID? = nil
    ) -> RegisterDescriptor {
        sysreg(
            name, e, group: group, width: .bits64, storage: vncr.map { .vncr(offset: $0) } ?? .slot,
            reset: reset, visibility: visibility, id: id)
    }

    /// A GIC CPU interface register (ICC_*, and ICH_*_EL2 for EL2 vCPUs), reached through the vGICv3
    /// `CPU_SYSREGS` attribute group rather than ONE_REG.
    public static func gic(
        _ name: String, _ e: Enc, vncr: Int? = nil, visibility: Visibility = .always
    ) -> RegisterDescriptor {
        sysreg(
            name, e, group: .gic, width: .bits64, storage: .gicCPUInterface(vncr: vncr), reset: .unknown,
            visibility: visibility)
    }

    /// A `struct kvm_regs` member: X0..X30, SP, PC, PSTATE, SP_EL1, ELR_EL1, SPSR_*, V0..V31, FPSR, FPCR.
    public static func core(
        _ name: String, offset: Int, width: RegisterWidth = .bits64, vncr: Int? = nil,
        group: RegisterGroup = .core, reset: Reset = .unknown, visibility: Visibility = .always
    ) -> RegisterDescriptor {
        RegisterDescriptor(
            name: name, id: .core(byteOffset: offset, byteCount: width.byteCount), encoding: nil,
            width: width, storage: .core(offset: offset, vncr: vncr), reset: reset, visibility: visibility,
            group: group)
    }

    /// A KVM firmware pseudo-register (coproc 0x14) or firmware feature bitmap (coproc 0x16).
    public static func firmware(
        _ name: String, coproc: OneRegID.Coproc, number: UInt16, reset: Reset = .host
    ) -> RegisterDescriptor {
        RegisterDescriptor(
            name: name, id: OneRegID(coproc: coproc.rawValue, byteCount: 8, index: UInt64(number)),
            encoding: nil, width: .bits64, storage: .firmware, reset: reset, visibility: .always,
            group: .firmware)
    }

    /// An SVE register slice (Zn, Pn, FFR) or KVM_REG_ARM64_SVE_VLS.
    public static func sve(_ name: String, width: RegisterWidth, index: UInt16) -> RegisterDescriptor {
        RegisterDescriptor(
            name: name,
            id: OneRegID(
                coproc: OneRegID.Coproc.sve.rawValue, byteCount: width.byteCount,
                index: UInt64(index)),
            encoding: nil, width: width, storage: .sve, reset: .unknown, visibility: .feature(.sve),
            group: .sve)
    }

    /// CCSIDR_EL1 for the cache selected by CSSELR_EL1 value `csselr` (a 32-bit demux register).
    public static func ccsidr(csselr: UInt8) -> RegisterDescriptor {
        RegisterDescriptor(
            name: "CCSIDR_EL1[\(csselr)]",
            id: OneRegID(coproc: OneRegID.Coproc.demux.rawValue, byteCount: 4, index: UInt64(csselr)),
            encoding: nil, width: .bits32, storage: .demux, reset: .host, visibility: .always,
            group: .cache)
    }
}

extension RegisterDescriptor {
    /// Whether a vCPU with `features` lists this register in KVM_GET_REG_LIST. GIC CPU interface
    /// registers never are: they are device attributes.
    public func isInRegList(for features: VCPUFeatures) -> Bool {
        if case .gicCPUInterface = storage { return false }
        return visibility.isListed(for: features)
    }
}
