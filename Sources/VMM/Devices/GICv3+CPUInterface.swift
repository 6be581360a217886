import Glibc
import SysRegs

/// Saving a vCPU's GIC CPU interface (KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) completely or not at all.
///
/// The register set in the table is the architectural maximum. A vCPU implements fewer: the
/// active-priority registers exist only up to what its priority bits need (IHI0069, ICC_AP0R<n>_EL1:
/// 5 bits use AP<x>R0, 6 bits AP<x>R0..1, 7 bits AP<x>R0..3), and the list registers only up to
/// ICH_VTR_EL2.ListRegs. KVM refuses the others, and only those may be left out of a snapshot;
/// anything else that cannot be read makes the snapshot fail with the register named, since a
/// snapshot missing, say, ICC_PMR_EL1 would restore a guest that no longer takes interrupts.
extension GICv3 {
    /// The errno KVM answers for a CPU interface register this vCPU does not implement:
    /// arch/arm64/kvm/vgic-sys-reg-v3.c's get_user handlers for the APRs return -EINVAL for an index
    /// beyond `vgic_v3_max_apr_idx()`. The lab's kernel 7.2.13 confirms it: with 5 priority bits,
    /// ICC_AP{0,1}R1..3_EL1 (and ICH_AP{0,1}R1..3_EL2 on EL2 VHE and E2H0 vCPUs) answer EINVAL.
    /// (Registers KVM's table lacks, or hides from this vCPU, answer ENOENT: never a skip.)
    public static let unimplementedRegisterErrno: Int32 = EINVAL

    /// The classes of CPU interface registers, for deciding which may be absent.
    public enum CPURegisterClass: Hashable, Sendable {
        /// ICC_AP0R<n>_EL1, ICC_AP1R<n>_EL1, ICH_AP0R<n>_EL2, ICH_AP1R<n>_EL2.
        case activePriority(index: Int)
        /// ICH_LR<n>_EL2.
        case listRegister(index: Int)
        /// Every other register: always implemented, never skipped.
        case required

        /// The class of a register, from its architectural name.
        public init(name: String) {
            if let n = Self.index(in: name, after: ["ICC_AP0R", "ICC_AP1R", "ICH_AP0R", "ICH_AP1R"]) {
                self = .activePriority(index: n)
            } else if let n = Self.index(in: name, after: ["ICH_LR"]) {
                self = .listRegister(index: n)
            } else {
                self = .required
            }
        }

        /// The decimal number between one of `prefixes` and the `_EL` suffix (`ICH_LR12_EL2` -> 12).
        private static func index(in name: String, after prefixes: [String]) -> Int? {
            guard let prefix = prefixes.first(where: name.hasPrefix) else { return nil }
            return Int(String(name.dropFirst(prefix.count).prefix { $0 != "_" }))
        }
    }

    /// What a vCPU's CPU interface implements: the bounds of the optional register classes.
    public struct CPUInterfaceShape: Hashable, Sendable {
        /// Priority bits (ICC_CTLR_EL1.PRIbits + 1, or ICH_VTR_EL2.PRIbits + 1 for EL2 vCPUs).
        public var priorityBits: Int
        /// List registers (ICH_VTR_EL2.ListRegs + 1); 0 for a vCPU without EL2.
        public var listRegisters: Int

        public init(priorityBits: Int, listRegisters: Int) {
            self.priorityBits = priorityBits
            self.listRegisters = listRegisters
        }

        /// Active-priority registers per group: 1 for 5 priority bits, 2 for 6, 4 for 7
        /// (`vgic_v3_max_apr_idx()` + 1 in KVM).
        public var activePriorityRegisters: Int {
            switch priorityBits {
            case ...5: 1
            case 6: 2
            default: 4
            }
        }

        /// Whether a register of this class is architecturally absent on this vCPU.
        public func lacks(_ register: CPURegisterClass) -> Bool {
            switch register {
            case .activePriority(let n): n >= activePriorityRegisters
            case .listRegister(let n): n >= listRegisters
            case .required: false
            }
        }

        /// ICC_CTLR_EL1.PRIbits is [10:8]; ICH_VTR_EL2.PRIbits [31:29] and ListRegs [4:0]
        /// (IHI0069, 12.2.6 and 12.4.9). The fields hold the count minus one.
        public init(iccCTLR: UInt64, ichVTR: UInt64?) {
            if let vtr = ichVTR {
                self.init(priorityBits: Int((vtr >> 29) & 0x7) + 1, listRegisters: Int(vtr & 0x1F) + 1)
            } else {
                self.init(priorityBits: Int((iccCTLR >> 8) & 0x7) + 1, listRegisters: 0)
            }
        }
    }

    /// Whether a register that KVM refused with `errno` may be left out of the saved state: only a
    /// register this vCPU does not implement (`shape.lacks`), refused with KVM's "not implemented"
    /// errno. Every other failure must fail the snapshot.
    public static func mayOmit(_ register: CPURegisterClass, errno: Int32?, shape: CPUInterfaceShape) -> Bool {
        errno == unimplementedRegisterErrno && shape.lacks(register)
    }

    /// Whether a register is read for the snapshot at all. List registers beyond ICH_VTR_EL2.ListRegs
    /// are not: KVM keeps all 16 and answers for every one (lab, kernel 7.2.13: ListRegs 3 and
    /// ICH_LR4..15_EL2 read fine), but they are not the vCPU's, whose guest hypervisor may use only
    /// the LRs ICH_VTR_EL2 reports, so there is no errno to go by. Everything else is read, and
    /// what KVM refuses is judged by `mayOmit`.
    public static func isRequested(_ register: CPURegisterClass, shape: CPUInterfaceShape) -> Bool {
        if case .listRegister = register { return !shape.lacks(register) }
        return true
    }

    /// The CPU interface registers of vCPU `mpidr`, ICC_SRE_EL1 first (restore must enable the
    /// system register interface before anything else), leaving out exactly the registers this
    /// vCPU does not implement.
    /// - Throws: `GICStateError.cpuRegister` naming the first register that could not be read and
    ///   is not one that may be absent.
    func saveCPUInterface(mpidr: UInt64, el2: Bool) throws(GICStateError) -> [GICRegister] {
        let aff = Self.packedAffinity(mpidr: mpidr)
        let shape = try cpuInterfaceShape(mpidr: mpidr, el2: el2)
        var regs = Self.cpuInterfaceRegisters(el2: el2)
        if let sre = regs.firstIndex(where: { $0.id == SysReg.ICC_SRE_EL1.id }) {
            regs.insert(regs.remove(at: sre), at: 0)
        }
        var saved: [GICRegister] = []
        for d in regs {
            guard let e = d.encoding else { continue }
            let register = CPURegisterClass(name: d.name)
            guard Self.isRequested(register, shape: shape) else { continue }
            do {
                let value = try cpuRegister(e, mpidr: aff)
                saved.append(GICRegister(key: UInt64(e.packed), name: d.name, value: value))
            } catch {
                let code = (error as? KVMError)?.errno
                if Self.mayOmit(register, errno: code, shape: shape) { continue }
                throw .cpuRegister(
                    name: d.name, mpidr: mpidr, errno: code,
                    reason: shape.lacks(register) ? "\(error)" : "\(error) (this vCPU implements it: \(shape))")
            }
        }
        return saved
    }

    /// Reads the registers that say which optional registers this vCPU has.
    func cpuInterfaceShape(mpidr: UInt64, el2: Bool) throws(GICStateError) -> CPUInterfaceShape {
        let aff = Self.packedAffinity(mpidr: mpidr)
        func read(_ register: SysReg) throws(GICStateError) -> UInt64 {
            guard let encoding = register.encoding else {
                throw .cpuRegister(name: register.name, mpidr: mpidr, errno: nil, reason: "no encoding")
            }
            do { return try cpuRegister(encoding, mpidr: aff) } catch {
                throw .cpuRegister(
                    name: register.name, mpidr: mpidr, errno: (error as? KVMError)?.errno, reason: "\(error)")
            }
        }
        let ctlr = try read(SysReg.ICC_CTLR_EL1)
        let vtr = el2 ? try read(SysReg.ICH_VTR_EL2) : nil
        return CPUInterfaceShape(iccCTLR: ctlr, ichVTR: vtr)
    }

    /// ICH_MISR_EL2, ICH_EISR_EL2 and ICH_ELRSR_EL2 are read-only summaries of the list registers,
    /// computed by the hardware (or KVM) from them; they are not state, and KVM's CPU_SYSREGS group
    /// has no entry for them (reading them answers ENOENT), so they are never part of a snapshot.
    static let derivedCPURegisters: Set<OneRegID> = [
        SysReg.ICH_MISR_EL2.id, SysReg.ICH_EISR_EL2.id, SysReg.ICH_ELRSR_EL2.id,
    ]

    /// The CPU interface registers a vCPU's state is made of: the ICC set always, the ICH_*_EL2 set
    /// (visibility `.el2`) with EL2, less the derived summaries.
    static func cpuInterfaceRegisters(el2: Bool) -> [RegisterDescriptor] {
        let features: VCPUFeatures = el2 ? .el2 : []
        return RegisterTable.all.filter { d in
            guard case .gicCPUInterface = d.storage, !derivedCPURegisters.contains(d.id) else { return false }
            return d.visibility.isListed(for: features)
        }
    }
}

extension GICv3.CPUInterfaceShape: CustomStringConvertible {
    public var description: String {
        "\(priorityBits) priority bits, \(activePriorityRegisters) active-priority registers per group, "
            + "\(listRegisters) list registers"
    }
}
