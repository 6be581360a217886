import SysRegs

/// The in-kernel GICv3 (vGICv3): distributor and redistributors emulated by KVM.
///
/// Order matters (lab-proven; docs/testing.md, "Gotchas"): create the VM and its
/// memory, create this device with its addresses, create and initialise the vCPUs, then
/// `setMaintenanceInterrupt` (EL2 vCPUs; it reads 0 otherwise) and `initialize()` (CTRL_INIT) before
/// the first run. An EL2 vCPU's first KVM_RUN fails EAGAIN without a vGIC and EBUSY without CTRL_INIT.
public final class GICv3 {
    /// Where the GIC lives in the guest physical address space, and how many interrupts it has.
    public struct Layout: Hashable, Sendable {
        /// Distributor base (64 KiB, 64 KiB aligned).
        public var distributorBase: UInt64
        /// First redistributor base; each vCPU takes 128 KiB (RD_base and SGI_base frames).
        public var redistributorBase: UInt64
        /// SGIs + PPIs + SPIs: 64...1024 in steps of 32.
        public var interruptCount: UInt32

        public init(distributorBase: UInt64, redistributorBase: UInt64, interruptCount: UInt32 = 256) {
            self.distributorBase = distributorBase
            self.redistributorBase = redistributorBase
            self.interruptCount = interruptCount
        }

        /// The layout the lab probe and QEMU's virt board use: distributor at 0x0800_0000,
        /// redistributors at 0x080A_0000.
        public static let standard = Layout(distributorBase: 0x0800_0000, redistributorBase: 0x080A_0000)

        /// Bytes of redistributor space `vcpus` vCPUs need.
        public static func redistributorSize(vcpus: Int) -> UInt64 { UInt64(vcpus) * 0x2_0000 }
    }

    /// The GIC maintenance interrupt for nested guests: PPI 9, INTID 25 (kvmtool, QEMU virt and the
    /// lab all use it; the guest's device tree must say the same).
    public static let maintenanceINTID: UInt32 = 25

    public let layout: Layout
    let device: KVMDevice
    /// The VM, for devices created after the GIC (`addITS`).
    let vm: VirtualMachine
    /// The ITS, when the machine has one (`addITS`); its LPIs also add GICR_PROPBASER/PENDBASER to
    /// what `saveState` keeps of each redistributor.
    public internal(set) var its: GICv3ITS?

    /// Creates the vGICv3 on `vm` and sets its addresses and interrupt count. Create it before the
    /// vCPUs it will serve are initialised.
    public init(vm: VirtualMachine, layout: Layout = .standard) throws {
        guard layout.interruptCount >= 64, layout.interruptCount <= 1024, layout.interruptCount % 32 == 0 else {
            throw KVMError.invalidConfiguration(
                "vGICv3 interrupt count \(layout.interruptCount) is not in 64...1024 step 32")
        }
        let device = try KVMDevice.createVGICv3(on: vm)
        try device.setVGICAddress(.distributor, layout.distributorBase)
        try device.setVGICAddress(.redistributor, layout.redistributorBase)
        try device.setVGICNumberOfIRQs(layout.interruptCount)
        self.device = device
        self.layout = layout
        self.vm = vm
    }

    /// Sets the maintenance interrupt (needed for EL2 vCPUs), before `initialize()`.
    public func setMaintenanceInterrupt(intid: UInt32 = GICv3.maintenanceINTID) throws {
        try device.setVGICMaintenanceIRQ(intid)
    }

    /// The maintenance interrupt INTID; 0 if never set.
    public func maintenanceInterrupt() throws -> UInt32 { try device.vgicMaintenanceIRQ() }

    /// The interrupt count as KVM has it.
    public func interruptCount() throws -> UInt32 { try device.vgicNumberOfIRQs() }

    /// The distributor and redistributor bases as KVM has them.
    public func addresses() throws -> (distributor: UInt64, redistributor: UInt64) {
        (try device.vgicAddress(.distributor), try device.vgicAddress(.redistributor))
    }

    /// Instantiates the GIC for the vCPUs created so far (`KVM_DEV_ARM_VGIC_CTRL_INIT`). Call after
    /// every vCPU is initialised and before any runs.
    public func initialize() throws {
        try device.vgicInit()
        try its?.initialize()
    }

    /// Reads a CPU interface register (ICC_*_EL1, or ICH_*_EL2 for EL2 vCPUs) of the vCPU whose
    /// MPIDR affinity is `mpidr` (Aff3:Aff2:Aff1:Aff0 packed in 32 bits; 0 for vCPU 0).
    public func cpuRegister(_ encoding: SysRegEncoding, mpidr: UInt32 = 0) throws -> UInt64 {
        try device.vgicCPUSysReg(mpidr: mpidr, encoding: encoding, name: Self.name(of: encoding))
    }

    /// Writes a CPU interface register of the vCPU whose MPIDR affinity is `mpidr`.
    public func setCPURegister(_ encoding: SysRegEncoding, mpidr: UInt32 = 0, _ value: UInt64) throws {
        try device.setVGICCPUSysReg(mpidr: mpidr, encoding: encoding, name: Self.name(of: encoding), value)
    }

    /// The SysRegs name of an encoding, or its generic spelling.
    static func name(of encoding: SysRegEncoding) -> String {
        RegisterTable.descriptor(for: encoding)?.name ?? encoding.description
    }
}

extension GICv3 {
    /// Gives the GIC an ITS with its frame at `base` (`GICv3ITS`). Call after `init` and before the
    /// vCPUs are created, so the redistributors report LPI support (GICR_TYPER.PLPIS) from the start.
    func addITS(base: UInt64) throws {
        its = try GICv3ITS(vm: vm, base: base)
    }
}
