/// One register of the model: what it is called, how it is encoded and reached, how wide it is,
/// where it lives and when a vCPU has it.
///
/// Descriptors are built only through the named constructors in `RegisterDescriptor+Constructors.swift`
/// (`.el1`, `.el2`, `.vncrEL2`, `.id`, `.core`, ...), so every table row states its width and storage
/// explicitly rather than deriving them from an enum's position.
public struct RegisterDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// The verbatim architectural name (`HCR_EL2`, `X0`, `KVM_REG_ARM_PSCI_VERSION`, `CCSIDR[2]`).
    public let name: String
    /// The KVM ONE_REG id through which userspace reaches it. For the two timer registers whose KVM
    /// ids were frozen with swapped encodings, this is the id KVM really uses, not `sysreg(encoding)`.
    public let id: OneRegID
    /// The architectural system register encoding, if it is a system register.
    public let encoding: SysRegEncoding?
    /// The architectural width of the register's storage. May exceed the KVM transfer size
    /// (`id.byteCount`): FEAT_D128 registers are 128 bits wide but KVM transfers 64 of them today.
    public let width: RegisterWidth
    /// Where the register lives in the vCPU context.
    public let storage: Storage
    /// Its value after `KVM_ARM_VCPU_INIT`, where it is fixed.
    public let reset: Reset
    /// Which vCPU configurations have the register.
    public let visibility: Visibility
    /// The group it is shown in.
    public let group: RegisterGroup
    /// Whether KVM lets userspace write it (`false` for pure read-only values such as `CNTVCT_EL0`
    /// under a VM-wide counter offset are still writable; this flags registers whose writes KVM
    /// rejects or ignores by design, such as `ID_AA64ISAR1_EL1` fields after the first run).
    public let userWritable: Bool

    public init(
        name: String, id: OneRegID, encoding: SysRegEncoding?, width: RegisterWidth, storage: Storage,
        reset: Reset, visibility: Visibility, group: RegisterGroup, userWritable: Bool = true
    ) {
        self.name = name
        self.id = id
        self.encoding = encoding
        self.width = width
        self.storage = storage
        self.reset = reset
        self.visibility = visibility
        self.group = group
        self.userWritable = userWritable
    }

    /// The VNCR_EL2 page byte offset, if the register has a slot in that page (FEAT_NV2).
    public var vncrOffset: Int? {
        switch storage {
        case .vncr(let offset): return offset
        case .core(_, let vncr): return vncr
        case .gicCPUInterface(let vncr): return vncr
        default: return nil
        }
    }

    public var description: String { "\(name) \(id)" }
}

/// The architectural width of a register.
public enum RegisterWidth: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case bits32 = 32
    case bits64 = 64
    case bits128 = 128
    case bits256 = 256
    case bits512 = 512
    case bits2048 = 2048

    public var byteCount: Int { rawValue / 8 }
    public var description: String { "\(rawValue)" }
}

/// Where a register lives in the vCPU context.
///
/// KVM keeps a nested guest's EL2 context in the VNCR_EL2 page layout so that FEAT_NV2 guests run
/// without traps (Arm ARM D8.12 "Enhanced support for nested virtualization"); other system registers
/// sit in plain register-file slots; SP_EL2, ELR_EL2 and SPSR_EL2 are kept apart from both yet reached
/// through ONE_REG; the general-purpose and FP/SIMD registers are `struct kvm_regs` members.
public enum Storage: Hashable, Sendable, CustomStringConvertible {
    /// A `struct kvm_regs` member at `offset` bytes; `vncr` is its VNCR page slot when it also has one
    /// (SP_EL1, ELR_EL1 and SPSR_EL1 are core registers to userspace but live in the VNCR page).
    case core(offset: Int, vncr: Int? = nil)
    /// A slot of the VNCR_EL2 page at byte `offset`.
    case vncr(offset: Int)
    /// A plain register-file slot (no VNCR slot).
    case slot
    /// An EL2 special register: SP_EL2, ELR_EL2, SPSR_EL2.
    case special
    /// A KVM firmware pseudo-register (PSCI version, SMCCC workarounds, feature bitmaps).
    case firmware
    /// An SVE vector, predicate or vector-length register.
    case sve
    /// A CCSIDR_EL1 value selected through the CSSELR demultiplexer.
    case demux
    /// A GIC CPU interface register, reached through the vGICv3 `CPU_SYSREGS` device attribute group;
    /// `vncr` is its VNCR page slot when FEAT_NV2 also keeps it there (ICH_LRn_EL2, ICH_AP0Rn_EL2,
    /// ICH_AP1Rn_EL2, ICH_HCR_EL2, ICH_VMCR_EL2).
    case gicCPUInterface(vncr: Int? = nil)

    public var description: String {
        switch self {
        case .core(let offset, let vncr):
            return "core+\(hexShort(offset))" + (vncr.map { " vncr+\(hexShort($0))" } ?? "")
        case .vncr(let offset): return "vncr+\(hexShort(offset))"
        case .slot: return "slot"
        case .special: return "special"
        case .firmware: return "firmware"
        case .sve: return "sve"
        case .demux: return "demux"
        case .gicCPUInterface(let vncr): return "gic-cpuif" + (vncr.map { " vncr+\(hexShort($0))" } ?? "")
        }
    }
}

/// A register's value after vCPU reset.
public enum Reset: Hashable, Sendable, CustomStringConvertible {
    /// A fixed architectural or KVM reset value.
    case value(UInt64)
    /// Architecturally UNKNOWN. KVM fills such registers with `poison` so that uses of stale values
    /// stand out (SP_EL2 reads this after VCPU_INIT).
    case unknown
    /// Depends on the host (ID registers, MIDR_EL1, cache geometry, ...).
    case host

    /// The value KVM writes into UNKNOWN registers at reset.
    public static let poison: UInt64 = 0x1de7_ec7e_dbad_c0de

    public var description: String {
        switch self {
        case .value(let v): return hexShort(v)
        case .unknown: return "UNKNOWN"
        case .host: return "host"
        }
    }
}

/// The group a register is listed and dumped under.
public enum RegisterGroup: String, Hashable, Sendable, CaseIterable, Codable {
    case core
    case fpsimd
    case el0
    case el1
    case el2
    case el2Special = "el2-special"
    case timer
    case id
    case debug
    case pmu
    case pauth
    case mte
    case gic
    case firmware
    case sve
    case cache
}

/// Formats a value as the shortest `0x` hex.
public func hexShort<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }
