import CKVM
import SysRegs

/// The vGICv3 device attributes (Documentation/virt/kvm/devices/arm-vgic-v3.rst), as typed calls.
/// `GICv3` (Devices/) decides layout and order; this file only knows the ABI.
extension KVMDevice {
    /// The address kinds of `KVM_DEV_ARM_VGIC_GRP_ADDR`.
    public enum VGICAddressKind: Sendable, CustomStringConvertible {
        /// The 64 KiB distributor.
        case distributor
        /// The redistributors: 2 x 64 KiB per vCPU, contiguous.
        case redistributor

        var attr: UInt64 {
            switch self {
            case .distributor: return CKVM_VGIC_V3_ADDR_TYPE_DIST
            case .redistributor: return CKVM_VGIC_V3_ADDR_TYPE_REDIST
            }
        }

        public var description: String {
            switch self {
            case .distributor: return "ADDR_TYPE_DIST"
            case .redistributor: return "ADDR_TYPE_REDIST"
            }
        }
    }

    /// Creates an in-kernel vGICv3 on `vm`.
    static func createVGICv3(on vm: VirtualMachine) throws -> KVMDevice {
        try vm.createDevice(type: CKVM_DEV_TYPE_ARM_VGIC_V3, name: "vGICv3")
    }

    /// Whether `vm` could have an in-kernel vGICv3 (`KVM_CREATE_DEVICE_TEST`).
    static func canCreateVGICv3(on vm: VirtualMachine) throws -> Bool {
        try vm.canCreateDevice(type: CKVM_DEV_TYPE_ARM_VGIC_V3, name: "vGICv3")
    }

    /// Places the distributor or the redistributors at guest physical `address` (64 KiB aligned).
    func setVGICAddress(_ kind: VGICAddressKind, _ address: UInt64) throws {
        try setAttribute(group: CKVM_DEV_ARM_VGIC_GRP_ADDR, attr: kind.attr, address, label: "GRP_ADDR \(kind)")
    }

    /// Reads back a base address.
    func vgicAddress(_ kind: VGICAddressKind) throws -> UInt64 {
        try attribute(group: CKVM_DEV_ARM_VGIC_GRP_ADDR, attr: kind.attr, as: UInt64.self, label: "GRP_ADDR \(kind)")
    }

    /// Sets the number of interrupts (SGIs + PPIs + SPIs): 64 to 1024, a multiple of 32.
    func setVGICNumberOfIRQs(_ count: UInt32) throws {
        try setAttribute(group: CKVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0, count, label: "GRP_NR_IRQS")
    }

    /// Reads the number of interrupts.
    func vgicNumberOfIRQs() throws -> UInt32 {
        try attribute(group: CKVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0, as: UInt32.self, label: "GRP_NR_IRQS")
    }

    /// Sets the maintenance interrupt (an INTID of a PPI) that nested guests' GIC virtualisation uses.
    func setVGICMaintenanceIRQ(_ intid: UInt32) throws {
        try setAttribute(group: CKVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, attr: 0, intid, label: "GRP_MAINT_IRQ")
    }

    /// Reads the maintenance interrupt INTID (0 when never set).
    func vgicMaintenanceIRQ() throws -> UInt32 {
        try attribute(group: CKVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, attr: 0, as: UInt32.self, label: "GRP_MAINT_IRQ")
    }

    /// `KVM_DEV_ARM_VGIC_CTRL_INIT`: instantiates the vGIC for the vCPUs created so far.
    func vgicInit() throws {
        try setAttribute(group: CKVM_DEV_ARM_VGIC_GRP_CTRL, attr: CKVM_DEV_ARM_VGIC_CTRL_INIT, label: "CTRL_INIT")
    }

    /// `KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES`: writes the pending state of LPIs into the pending tables in
    /// guest RAM, so a memory snapshot taken afterwards carries it. Needs every vCPU out of KVM_RUN.
    func vgicSavePendingTables() throws {
        try setAttribute(
            group: CKVM_DEV_ARM_VGIC_GRP_CTRL, attr: CKVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, label: "SAVE_PENDING_TABLES"
        )
    }

    /// The `GRP_CPU_SYSREGS` attribute for one vCPU's register: `mpidr[63:32] | instr[15:0]`.
    static func vgicCPUSysRegAttr(mpidr: UInt32, encoding: SysRegEncoding) -> UInt64 {
        UInt64(mpidr) << UInt64(CKVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT)
            | UInt64(encoding.packed) & CKVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK
    }

    /// Reads a GIC CPU interface register (ICC_*, or ICH_*_EL2 for EL2 vCPUs) of the vCPU `mpidr`.
    func vgicCPUSysReg(mpidr: UInt32, encoding: SysRegEncoding, name: String) throws -> UInt64 {
        try attribute(
            group: CKVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: Self.vgicCPUSysRegAttr(mpidr: mpidr, encoding: encoding),
            as: UInt64.self, label: "CPU_SYSREGS \(name)")
    }

    /// Writes a GIC CPU interface register of the vCPU `mpidr`.
    func setVGICCPUSysReg(mpidr: UInt32, encoding: SysRegEncoding, name: String, _ value: UInt64) throws {
        try setAttribute(
            group: CKVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: Self.vgicCPUSysRegAttr(mpidr: mpidr, encoding: encoding),
            value, label: "CPU_SYSREGS \(name)")
    }
}
