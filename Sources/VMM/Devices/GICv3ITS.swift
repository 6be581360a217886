/// The in-kernel GICv3 ITS (Interrupt Translation Service): KVM emulates its registers and command queue
/// and turns a device's MSI (an ITS INT command, or a write to GITS_TRANSLATER) into an LPI on the vCPU
/// the guest mapped it to (Documentation/virt/kvm/devices/arm-vgic-its.rst; IHI 0069 chapter 5).
///
/// Why it is part of the GIC component and not a `MachineDevice` in the registry: it has no MMIO window
/// of ours (KVM decodes its frame), no SPI, no userspace state of its own, and its life is the vGIC's:
/// created right after the vGICv3 and before the vCPUs, initialised after the vGIC's CTRL_INIT, its
/// state captured after the redistributors' pending tables are flushed and restored after the
/// redistributors (GICR_PROPBASER/PENDBASER) and before any vCPU runs. The registry restores its devices
/// before KVM is touched and attaches them after, which is the wrong place on both ends; `GICv3` owns
/// it instead (`GICv3.addITS`), and the device tree's `msi-controller` node is a child of the GIC node.
public final class GICv3ITS {
    /// The GITS_* registers a snapshot holds, by offset in the ITS control frame (IHI 0069 12.19).
    public enum Register: UInt64, Sendable, CaseIterable {
        case GITS_CTLR = 0x0000
        case GITS_IIDR = 0x0004
        case GITS_CBASER = 0x0080
        case GITS_CWRITER = 0x0088
        case GITS_CREADR = 0x0090
        case GITS_BASER0 = 0x0100
        case GITS_BASER1 = 0x0108
        case GITS_BASER2 = 0x0110
        case GITS_BASER3 = 0x0118
        case GITS_BASER4 = 0x0120
        case GITS_BASER5 = 0x0128
        case GITS_BASER6 = 0x0130
        case GITS_BASER7 = 0x0138

        public var name: String { "\(self)" }

        /// The order KVM documents for restore (arm-vgic-its.rst, "ITS Restore Sequence"): GITS_IIDR
        /// (the ABI revision, which decides how the tables are read), the table bases GITS_BASER<n>, the
        /// command queue GITS_CBASER, GITS_CREADR (so executed commands are not replayed) and
        /// GITS_CWRITER, then the tables themselves (`KVM_DEV_ARM_ITS_RESTORE_TABLES`), and GITS_CTLR
        /// last, so the ITS is enabled only once everything it translates through is back.
        public static let restoreOrder: [Register] = [
            .GITS_IIDR, .GITS_BASER0, .GITS_BASER1, .GITS_BASER2, .GITS_BASER3, .GITS_BASER4, .GITS_BASER5,
            .GITS_BASER6, .GITS_BASER7, .GITS_CBASER, .GITS_CREADR, .GITS_CWRITER, .GITS_CTLR,
        ]
    }

    /// Guest physical base of the 128 KiB frame.
    public let base: UInt64
    let device: KVMDevice

    /// Creates the ITS on `vm`, which already has its vGICv3, with its frame at `base`.
    init(vm: VirtualMachine, base: UInt64) throws {
        guard base % MachineLayout.gicITSAlignment == 0 else {
            throw KVMError.invalidConfiguration("the ITS frame at 0x\(String(base, radix: 16)) is not 64 KiB aligned")
        }
        let device = try KVMDevice.createVGICITS(on: vm)
        try device.setITSAddress(base)
        self.device = device
        self.base = base
    }

    /// Whether `vm` could have an ITS (`KVM_CREATE_DEVICE_TEST`).
    static func available(on vm: VirtualMachine) throws -> Bool { try KVMDevice.canCreateVGICITS(on: vm) }

    /// `KVM_DEV_ARM_VGIC_CTRL_INIT` on the ITS, after the vGIC's own.
    func initialize() throws { try device.itsInit() }

    /// The frame address as KVM has it.
    public func address() throws -> UInt64 { try device.itsAddress() }

    /// Reads one GITS_* register.
    public func register(_ register: Register) throws -> UInt64 {
        try device.itsRegister(offset: register.rawValue, name: register.name)
    }

    /// Saves the ITS with every vCPU paused: `KVM_DEV_ARM_ITS_SAVE_TABLES` writes its tables into guest
    /// RAM (so this must come before the memory file is written), then the registers, in restore order.
    func saveState() throws -> ITSState {
        try device.itsSaveTables()
        var registers: [GICRegister] = []
        for r in Register.restoreOrder {
            registers.append(GICRegister(key: r.rawValue, name: r.name, value: try register(r)))
        }
        return ITSState(base: base, registers: registers)
    }

    /// Restores a saved ITS into this fresh one, after the redistributors and with guest RAM in place
    /// (`KVM_DEV_ARM_ITS_RESTORE_TABLES` reads the tables through the VMM's mapping of it: a private
    /// file mapping or a userfaultfd-filled one faults the pages in as KVM reads them), before any vCPU
    /// runs. The registers are written in saved order, which `ITSState` validation pins to end with
    /// GITS_CTLR; the tables go in just before it.
    ///
    /// A register that already reads as saved is left alone: this ITS is fresh, so such a write would
    /// change nothing the guest set, only let KVM sanitise fields of a register the guest never wrote
    /// (the lab showed an untouched GITS_CBASER of 0 reading back with InnerCache = Non-cacheable after
    /// being written 0), and the restored machine would no longer read as its snapshot.
    func restoreState(_ state: ITSState) throws {
        func put(_ r: GICRegister) throws {
            guard try device.itsRegister(offset: r.key, name: r.name) != r.value else { return }
            try device.setITSRegister(offset: r.key, name: r.name, r.value)
        }
        for r in state.registers where r.key != Register.GITS_CTLR.rawValue { try put(r) }
        try device.itsRestoreTables()
        for r in state.registers where r.key == Register.GITS_CTLR.rawValue { try put(r) }
    }
}
