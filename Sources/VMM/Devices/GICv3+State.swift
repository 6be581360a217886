import CKVM
import SysRegs

/// Saving and restoring the in-kernel vGICv3 (Documentation/virt/kvm/devices/arm-vgic-v3.rst): the
/// distributor and redistributor registers through 32-bit device attributes, the CPU interface
/// (ICC_*, and ICH_*_EL2 for EL2 vCPUs) through CPU_SYSREGS, and line levels through LEVEL_INFO
/// (pending state of level-triggered lines is not derivable from ISPENDR).
extension GICv3 {
    /// Keys of line-level entries in `GICState.distributor`: this bit plus the first vINTID of 32.
    static let lineLevelKey: UInt64 = 1 << 63

    /// Distributor registers saved, as (offset, name). Restore writes GICD_IIDR first (the revision
    /// handshake) and GICD_CTLR last (so nothing is forwarded before the configuration is back).
    func distributorRegisters() -> [(UInt64, String)] {
        let spiWords = Int(layout.interruptCount) / 32
        var regs: [(UInt64, String)] = [(0x0008, "GICD_IIDR")]
        for n in 1..<spiWords {
            regs.append((0x0080 + 4 * UInt64(n), "GICD_IGROUPR\(n)"))
            regs.append((0x0100 + 4 * UInt64(n), "GICD_ISENABLER\(n)"))
            regs.append((0x0200 + 4 * UInt64(n), "GICD_ISPENDR\(n)"))
            regs.append((0x0300 + 4 * UInt64(n), "GICD_ISACTIVER\(n)"))
            regs.append((0x0D00 + 4 * UInt64(n), "GICD_IGRPMODR\(n)"))
        }
        for n in 8..<(spiWords * 8) { regs.append((0x0400 + 4 * UInt64(n), "GICD_IPRIORITYR\(n)")) }
        for n in 2..<(spiWords * 2) { regs.append((0x0C00 + 4 * UInt64(n), "GICD_ICFGR\(n)")) }
        for intid in 32..<Int(layout.interruptCount) {
            let base = 0x6000 + 8 * UInt64(intid)
            regs.append((base, "GICD_IROUTER\(intid)[31:0]"))
            regs.append((base + 4, "GICD_IROUTER\(intid)[63:32]"))
        }
        regs.append((0x0000, "GICD_CTLR"))
        return regs
    }

    /// Redistributor registers saved per vCPU (the SGI/PPI frame is at +64 KiB). With `lpis` (a machine
    /// with an ITS) also GICR_PROPBASER and GICR_PENDBASER, 64-bit registers the 32-bit attributes reach
    /// in halves: they must be back before GICR_CTLR, whose EnableLPIs makes KVM read the pending table
    /// they point at (and freezes them), and before the ITS restores its tables (arm-vgic-its.rst, "ITS
    /// Restore Sequence": the redistributors first).
    static func redistributorRegisters(lpis: Bool) -> [(UInt64, String)] {
        var regs: [(UInt64, String)] = [
            (0x1_0080, "GICR_IGROUPR0"), (0x1_0D00, "GICR_IGRPMODR0"), (0x1_0C00, "GICR_ICFGR0"),
            (0x1_0C04, "GICR_ICFGR1"),
        ]
        for n in 0..<8 { regs.append((0x1_0400 + 4 * UInt64(n), "GICR_IPRIORITYR\(n)")) }
        regs.append((0x1_0100, "GICR_ISENABLER0"))
        regs.append((0x1_0200, "GICR_ISPENDR0"))
        regs.append((0x1_0300, "GICR_ISACTIVER0"))
        if lpis {
            regs += [
                (0x0070, "GICR_PROPBASER[31:0]"), (0x0074, "GICR_PROPBASER[63:32]"),
                (0x0078, "GICR_PENDBASER[31:0]"), (0x007C, "GICR_PENDBASER[63:32]"),
            ]
        }
        regs.append((0x0000, "GICR_CTLR"))
        return regs
    }

    /// The 32-bit MPIDR affinity KVM's GIC attributes use (Aff3:Aff2:Aff1:Aff0).
    public static func packedAffinity(mpidr: UInt64) -> UInt32 {
        // MPIDR_EL1: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], Aff3 [39:32]; bit 31 is RES1 and must not leak in.
        let aff0to2 = UInt32(truncatingIfNeeded: mpidr & 0xFF_FFFF)
        let aff3 = UInt32(truncatingIfNeeded: (mpidr >> 32) & 0xFF)
        return aff3 << 24 | aff0to2
    }

    /// Reads the whole GIC state for vCPUs with these MPIDRs and EL2-ness. Call with every vCPU paused.
    public func saveState(vcpus: [(mpidr: UInt64, el2: Bool)]) throws -> GICState {
        // LPI pending bits live in the redistributors' pending tables in guest RAM, which KVM only
        // updates on request; flush them before guest memory is written out (and before the ITS saves
        // its tables, `GICv3ITS.saveState`).
        try device.vgicSavePendingTables()
        var dist: [GICRegister] = []
        for (offset, name) in distributorRegisters() {
            let v = try device.attribute(
                group: CKVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: offset, as: UInt32.self, label: name)
            dist.append(GICRegister(key: offset, name: name, value: UInt64(v)))
        }
        for intid in stride(from: 32, to: Int(layout.interruptCount), by: 32) {
            let v = try device.attribute(
                group: CKVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: UInt64(intid), as: UInt32.self,
                label: "LEVEL_INFO(\(intid))")
            dist.append(
                GICRegister(key: Self.lineLevelKey | UInt64(intid), name: "LINE_LEVEL\(intid)", value: UInt64(v)))
        }
        var cpus: [GICCPUState] = []
        for cpu in vcpus {
            let aff = UInt64(Self.packedAffinity(mpidr: cpu.mpidr)) << 32
            var redist: [GICRegister] = []
            for (offset, name) in Self.redistributorRegisters(lpis: its != nil) {
                let v = try device.attribute(
                    group: CKVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: aff | offset, as: UInt32.self, label: name)
                redist.append(GICRegister(key: offset, name: name, value: UInt64(v)))
            }
            cpus.append(
                GICCPUState(
                    mpidr: cpu.mpidr, redistributor: redist,
                    cpuInterface: try saveCPUInterface(mpidr: cpu.mpidr, el2: cpu.el2)))
        }
        return GICState(distributor: dist, cpus: cpus)
    }

    /// Writes a saved state back into a freshly initialised vGIC with the same vCPUs.
    /// Symmetric with `saveState`: every saved register is written back, in saved order (ICC_SRE_EL1
    /// first), and any refusal fails the restore; nothing is skipped here, since the save already left
    /// out exactly what the vCPU lacks (a different host that lacks more cannot take this state).
    public func restoreState(_ state: GICState) throws {
        let dist = state.distributor.filter { $0.key & Self.lineLevelKey == 0 }
        for r in dist {
            try device.setAttribute(
                group: CKVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: r.key, UInt32(truncatingIfNeeded: r.value), label: r.name)
        }
        for cpu in state.cpus {
            let aff = Self.packedAffinity(mpidr: cpu.mpidr)
            for r in cpu.cpuInterface {
                try setCPURegister(SysRegEncoding(packed: UInt16(truncatingIfNeeded: r.key)), mpidr: aff, r.value)
            }
            for r in cpu.redistributor {
                try device.setAttribute(
                    group: CKVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: UInt64(aff) << 32 | r.key,
                    UInt32(truncatingIfNeeded: r.value), label: r.name)
            }
        }
        for r in state.distributor where r.key & Self.lineLevelKey != 0 {
            try device.setAttribute(
                group: CKVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: r.key & ~Self.lineLevelKey,
                UInt32(truncatingIfNeeded: r.value), label: r.name)
        }
    }
}
