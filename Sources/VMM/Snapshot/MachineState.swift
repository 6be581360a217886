import SysRegs

/// Everything needed to recreate a paused machine, as Swift values only (never C structs): the snapshot
/// file is an encoding of this (docs/snapshot-format.md), and `vmmctl dump-regs` renders it.
///
/// Registers are keyed by KVM id and name, never by position: register lists differ between kernels,
/// vCPU features and hosts.
public struct MachineState: Hashable, Sendable {
    /// Bumped on any change to the State types' meaning or encoding. 2: device states are generic
    /// `DEV ` sections (format 1 had one fixed `UART` section, still read).
    public static let currentVersion: UInt32 = 2

    public var version: UInt32 = MachineState.currentVersion
    /// The machine's shape: everything `vmmctl run` was given except the guest images (already in RAM).
    public var config: MachineShape
    /// The VM-wide counter offset (KVM_ARM_SET_COUNTER_OFFSET) in force when the snapshot was taken,
    /// and the host counter value at that moment; restore computes a new offset from these so the
    /// guest's clock does not jump (the nested-virtualisation restore pitfall; KVM api.rst 4.138).
    public var counter: CounterState
    public var vcpus: [VCPUState]
    public var gic: GICState
    /// Every registered device's state, in registration order.
    public var devices: [DeviceState]
    /// Guest RAM: where it lives and its checksum; the bytes are in the snapshot's memory file.
    public var memory: MemoryState
    /// MTE allocation tags (their own `MTE ` section and tag file), for a machine run with MTE; nil
    /// otherwise. The section has its own version, so adding it left the format version alone.
    public var tags: TagState? = nil
    /// The PMU overflow interrupt of each vCPU with a PMU, in vCPU order (empty without PMU).
    public var pmu: [PMUState] = []
    /// The GICv3 ITS (its own `ITS ` section), for a machine with one; nil otherwise.
    public var its: ITSState? = nil
    /// For an incremental snapshot, what it extends and which pages its memory file holds (its own
    /// mandatory `BASE` section, so a reader that predates it refuses rather than restoring half a
    /// memory image); nil for a full snapshot.
    public var base: BaseReference? = nil

    public init(
        config: MachineShape, counter: CounterState, vcpus: [VCPUState], gic: GICState, devices: [DeviceState],
        memory: MemoryState
    ) {
        self.config = config
        self.counter = counter
        self.vcpus = vcpus
        self.gic = gic
        self.devices = devices
        self.memory = memory
    }
}

/// The machine's shape, as `vmmctl run` configured it.
public struct MachineShape: Hashable, Sendable {
    public var vcpuCount: Int
    public var memorySize: UInt64
    public var nested: Bool
    public var e2h0: Bool
    public var cmdline: String
    public var ramBase: UInt64
    public var uartBase: UInt64
    public var gicDistributorBase: UInt64
    public var gicRedistributorBase: UInt64

    public init(
        vcpuCount: Int, memorySize: UInt64, nested: Bool, e2h0: Bool, cmdline: String, ramBase: UInt64,
        uartBase: UInt64, gicDistributorBase: UInt64, gicRedistributorBase: UInt64
    ) {
        self.vcpuCount = vcpuCount
        self.memorySize = memorySize
        self.nested = nested
        self.e2h0 = e2h0
        self.cmdline = cmdline
        self.ramBase = ramBase
        self.uartBase = uartBase
        self.gicDistributorBase = gicDistributorBase
        self.gicRedistributorBase = gicRedistributorBase
    }
}

/// The guest's view of time at the snapshot.
public struct CounterState: Hashable, Sendable {
    /// The VM-wide offset that was in force (0 if never set).
    public var offset: UInt64
    /// The guest's physical counter (CNTPCT_EL0; vmmctl keeps the virtual and physical counters one view
    /// through the VM-wide offset) when the VM was paused.
    public var guestCounterAtPause: UInt64

    public init(offset: UInt64, guestCounterAtPause: UInt64) {
        self.offset = offset
        self.guestCounterAtPause = guestCounterAtPause
    }
}

/// One register value as KVM reported it.
public struct RegisterEntry: Hashable, Sendable {
    public var id: OneRegID
    /// The model's name for it, or the structural name of an id the model does not know; kept so a
    /// snapshot names its registers even when read by another version.
    public var name: String
    /// Little-endian bytes, `id.byteCount` long.
    public var value: RegisterValue

    public init(id: OneRegID, name: String, value: RegisterValue) {
        self.id = id
        self.name = name
        self.value = value
    }
}

/// One vCPU.
public struct VCPUState: Hashable, Sendable {
    public var index: Int
    public var mpidr: UInt64
    /// The KVM_ARM_VCPU_INIT features (el2, e2h0, sve, pmu, pauth, power-off at boot).
    public var features: VCPUInitFeatures
    /// Every register KVM_GET_REG_LIST listed, in list order.
    public var registers: [RegisterEntry]
    /// KVM_GET_MP_STATE (runnable, stopped, ...), raw.
    public var mpState: UInt32
    /// KVM_GET_VCPU_EVENTS.
    public var events: VCPUEvents

    public init(
        index: Int, mpidr: UInt64, features: VCPUInitFeatures, registers: [RegisterEntry], mpState: UInt32,
        events: VCPUEvents
    ) {
        self.index = index
        self.mpidr = mpidr
        self.features = features
        self.registers = registers
        self.mpState = mpState
        self.events = events
    }

    /// The registers as a register file.
    public var registerFile: RegisterFile {
        var file = RegisterFile()
        for r in registers { file[r.id] = r.value }
        return file
    }
}

/// The in-kernel vGICv3.
public struct GICState: Hashable, Sendable {
    /// Distributor registers: (offset, 32-bit value), GICD_IIDR first.
    public var distributor: [GICRegister]
    /// Per vCPU (by MPIDR): redistributor registers, CPU interface system registers (ICC_*, and
    /// ICH_*_EL2 for EL2 vCPUs) and interrupt line levels.
    public var cpus: [GICCPUState]

    public init(distributor: [GICRegister], cpus: [GICCPUState]) {
        self.distributor = distributor
        self.cpus = cpus
    }
}

/// A GIC register: a distributor/redistributor offset or a CPU-interface sysreg encoding, and its value.
public struct GICRegister: Hashable, Sendable {
    /// Byte offset (distributor/redistributor) or packed sysreg encoding (CPU interface).
    public var key: UInt64
    public var name: String
    public var value: UInt64

    public init(key: UInt64, name: String, value: UInt64) {
        self.key = key
        self.name = name
        self.value = value
    }
}

public struct GICCPUState: Hashable, Sendable {
    public var mpidr: UInt64
    public var redistributor: [GICRegister]
    public var cpuInterface: [GICRegister]

    public init(mpidr: UInt64, redistributor: [GICRegister], cpuInterface: [GICRegister]) {
        self.mpidr = mpidr
        self.redistributor = redistributor
        self.cpuInterface = cpuInterface
    }
}

/// Guest RAM as recorded in a snapshot.
public struct MemoryState: Hashable, Sendable {
    public var guestAddress: UInt64
    public var size: UInt64
    /// The memory file's name inside the snapshot directory.
    public var fileName: String
    /// CRC-32C of the memory file's contents.
    public var checksum: UInt32

    public init(guestAddress: UInt64, size: UInt64, fileName: String, checksum: UInt32) {
        self.guestAddress = guestAddress
        self.size = size
        self.fileName = fileName
        self.checksum = checksum
    }
}
