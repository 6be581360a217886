import CKVM

/// The vGIC ITS device attributes (Documentation/virt/kvm/devices/arm-vgic-its.rst), as typed calls.
/// `GICv3ITS` (Devices/) decides placement and order; this file only knows the ABI.
extension KVMDevice {
    /// Creates an in-kernel GICv3 ITS on `vm` (which must already have its vGICv3).
    static func createVGICITS(on vm: VirtualMachine) throws -> KVMDevice {
        try vm.createDevice(type: CKVM_DEV_TYPE_ARM_VGIC_ITS, name: "vGIC ITS")
    }

    /// Whether `vm` could have an in-kernel ITS (`KVM_CREATE_DEVICE_TEST`).
    static func canCreateVGICITS(on vm: VirtualMachine) throws -> Bool {
        try vm.canCreateDevice(type: CKVM_DEV_TYPE_ARM_VGIC_ITS, name: "vGIC ITS")
    }

    /// Places the ITS control frame (128 KiB, 64 KiB aligned) at guest physical `address`
    /// (`KVM_VGIC_ITS_ADDR_TYPE` in `KVM_DEV_ARM_VGIC_GRP_ADDR`).
    func setITSAddress(_ address: UInt64) throws {
        try setAttribute(
            group: CKVM_DEV_ARM_VGIC_GRP_ADDR, attr: CKVM_VGIC_ITS_ADDR_TYPE, address, label: "ITS_ADDR_TYPE")
    }

    /// Reads back the ITS frame address.
    func itsAddress() throws -> UInt64 {
        try attribute(
            group: CKVM_DEV_ARM_VGIC_GRP_ADDR, attr: CKVM_VGIC_ITS_ADDR_TYPE, as: UInt64.self, label: "ITS_ADDR_TYPE")
    }

    /// `KVM_DEV_ARM_VGIC_CTRL_INIT` on the ITS device.
    func itsInit() throws {
        try setAttribute(group: CKVM_DEV_ARM_VGIC_GRP_CTRL, attr: CKVM_DEV_ARM_VGIC_CTRL_INIT, label: "CTRL_INIT")
    }

    /// `KVM_DEV_ARM_ITS_SAVE_TABLES`: writes the device, collection and interrupt translation tables into
    /// the guest RAM the guest gave them (GITS_BASER<n>, each DTE's ITT address). Needs every vCPU out of
    /// KVM_RUN (EBUSY otherwise), and must come before guest memory is written out.
    func itsSaveTables() throws {
        try setAttribute(
            group: CKVM_DEV_ARM_VGIC_GRP_CTRL, attr: CKVM_DEV_ARM_ITS_SAVE_TABLES, label: "ITS_SAVE_TABLES")
    }

    /// `KVM_DEV_ARM_ITS_RESTORE_TABLES`: reads those tables back from guest RAM, so the RAM must be in
    /// place and GITS_BASER<n> restored first.
    func itsRestoreTables() throws {
        try setAttribute(
            group: CKVM_DEV_ARM_VGIC_GRP_CTRL, attr: CKVM_DEV_ARM_ITS_RESTORE_TABLES, label: "ITS_RESTORE_TABLES")
    }

    /// Reads the GITS_* register at `offset` in the ITS frame. `kvm_device_attr.addr` points at a 64-bit
    /// value whatever the register's width (arm-vgic-its.rst, `KVM_DEV_ARM_VGIC_GRP_ITS_REGS`).
    func itsRegister(offset: UInt64, name: String) throws -> UInt64 {
        try attribute(group: CKVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: offset, as: UInt64.self, label: name)
    }

    /// Writes the GITS_* register at `offset`. KVM ignores writes to read-only registers from userspace,
    /// except GITS_CREADR (restored so that commands already executed are not replayed) and GITS_IIDR
    /// (its revision, which KVM checks).
    func setITSRegister(offset: UInt64, name: String, _ value: UInt64) throws {
        try setAttribute(group: CKVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: offset, value, label: name)
    }
}
