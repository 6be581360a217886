/// What `vmmctl run` boots and on what machine.
public struct RunConfig: Sendable {
    /// The guest software.
    public enum Payload: Sendable {
        /// An arm64 Linux `Image` (raw bytes), with an optional initrd.
        case linux(image: [UInt8], initrd: [UInt8]?)
        /// An arm64 Linux `Image` and optional initrd named by path: read straight into guest RAM while
        /// the machine is built (`GuestMemory.load(from:...)`), never into a buffer of the VMM's own.
        case linuxFiles(kernel: String, initrd: String?)
        /// The built-in demo guest: a tiny EL1 program, or with `nested` a tiny guest hypervisor at EL2
        /// that runs its own EL1 guest.
        case demo
        /// A benchmark payload: `count` single-byte UART writes (MMIO exits), each after a busy loop of
        /// `spin` iterations, then SYSTEM_OFF; first it writes one word per page of `touch` bytes of RAM
        /// (`DemoGuest.uartFlood`).
        /// With `dirty` > 0 each write is preceded by a store to the next page of `dirty` bytes of RAM
        /// (cycling), so the guest keeps dirtying memory (incremental snapshot tests and benchmarks).
        case uartFlood(count: UInt64, spin: UInt64 = 0, touch: UInt64 = 0, dirty: UInt64 = 0)
        /// A multi-vCPU test payload (`DemoGuest.smpCounters`): vCPUs `0..<startedVCPUs` each increment their
        /// own counter in guest RAM forever (vCPU 0 starts the others with PSCI CPU_ON), the rest stay off.
        case smpCounters(startedVCPUs: Int, spin: UInt64 = DemoGuest.smpDefaultSpin)
        /// A built-in virtio driver (`DemoGuest.virtioScript`): the KVM-tier tests' driver, and the
        /// malicious one of `--demo virtio-hostile` (`VirtioScript.hostile(layout:)`).
        case virtioScript(VirtioScript)
        /// The AT probe (`DemoGuest.atProbe`, nested only): AT instructions over pre-built tables, each
        /// PAR_EL1 printed, then a WFI loop to be snapshotted for `vmmctl translate` to check.
        case atProbe
        /// The MTE test payload (`DemoGuest.mte`): tags a buffer, waits for the host's go word, then
        /// checks its tags and takes one tag-check fault. Needs `mte`.
        case mteTags
        /// Nothing to load: guest RAM comes from a snapshot (`Machine(restoring:)`), whose shape
        /// alone configures the machine.
        case restored

        /// Whether this is one of the built-in programs that run on vCPU 0 alone (no device tree to find
        /// secondaries in, no CPU_ON); `smpCounters` starts its secondaries itself.
        var isSingleVCPUBuiltIn: Bool {
            switch self {
            case .demo, .uartFlood, .virtioScript, .atProbe, .mteTags: true
            case .smpCounters, .linux, .linuxFiles, .restored: false
            }
        }
    }

    public var payload: Payload
    public var cmdline: String
    public var vcpuCount: Int
    /// Guest RAM in bytes (a multiple of 2 MiB).
    public var memorySize: UInt64
    /// Boot the guest at EL2 (KVM_ARM_VCPU_HAS_EL2).
    public var nested: Bool
    /// With `nested`: EL2 without VHE (KVM_ARM_VCPU_HAS_EL2_E2H0).
    public var e2h0: Bool
    /// FEAT_MTE2 for the guest (KVM_CAP_ARM_MTE on the VM, before any vCPU): allocation tags in
    /// guest memory, the MTE registers, and a tag file in snapshots.
    public var mte: Bool
    /// PMUv3 for every vCPU (KVM_ARM_VCPU_PMU_V3, overflow interrupt PPI 7), `.auto` until
    /// `resolvingFeatures(on:)` decides it; a machine is built from a resolved configuration.
    public var pmu: CPUFeatureChoice = .off
    /// SVE for every vCPU (KVM_ARM_VCPU_SVE, vector lengths finalised before the first run).
    public var sve: CPUFeatureChoice = .off
    /// A GICv3 ITS (KVM_DEV_TYPE_ARM_VGIC_ITS at `layout.gicITSBase`), so the guest has LPIs and MSIs;
    /// resolved like `pmu`. Not a vCPU feature, but chosen the same way.
    public var its: CPUFeatureChoice = .off
    /// The KVM device.
    public var kvmPath: String
    public var layout: MachineLayout
    /// virtio-blk disks, in the order the guest sees them (vda, vdb, ...).
    public var disks: [DiskConfig] = []
    /// A virtio-rng device (the command line turns it on by default; the library default is off so a
    /// machine without it keeps the device tree it always had).
    public var rng = false

    public init(
        payload: Payload, cmdline: String = "", vcpuCount: Int = 1, memorySize: UInt64 = 256 << 20,
        nested: Bool = false, e2h0: Bool = false, mte: Bool = false, kvmPath: String = "/dev/kvm",
        layout: MachineLayout = .standard
    ) {
        self.mte = mte
        self.payload = payload
        self.cmdline = cmdline
        self.vcpuCount = vcpuCount
        self.memorySize = memorySize
        self.nested = nested
        self.e2h0 = e2h0
        self.kvmPath = kvmPath
        self.layout = layout
    }

    /// This configuration without the guest image bytes (`.linux` keeps an empty image and no initrd).
    /// A machine keeps this once the kernel and initrd are in guest RAM, so the VMM does not hold a
    /// second copy of them, tens of MiB for a distribution kernel, for the whole run.
    public var withoutImageBytes: RunConfig {
        guard case .linux = payload else { return self }
        var copy = self
        copy.payload = .linux(image: [], initrd: nil)
        return copy
    }

    /// The vCPU features every vCPU of this machine is initialised with (secondaries also start
    /// powered off and wait for PSCI CPU_ON).
    public func features(forVCPU index: Int) -> VCPUInitFeatures {
        VCPUInitFeatures(powerOff: index > 0, el2: nested, e2h0: e2h0, sve: sve == .on, pmu: pmu == .on)
    }

    /// Checks what can be checked before touching KVM.
    /// IPA bits this machine's physical map needs: KVM's default 40 unless RAM ends above it.
    public var ipaBitsNeeded: Int {
        let end = layout.ramBase &+ memorySize
        return max(40, UInt64.bitWidth - (end &- 1).leadingZeroBitCount)
    }

    public func validate() throws(MachineError) {
        if e2h0 && !nested { throw .invalidConfig(.e2h0WithoutEL2) }
        guard vcpuCount >= 1 else { throw .invalidConfig(.noVCPUs) }
        guard vcpuCount <= layout.maximumVCPUs else {
            throw .invalidConfig(.tooManyVCPUs(requested: vcpuCount, maximum: layout.maximumVCPUs))
        }
        guard memorySize >= ConfigProblem.minimumMemory, memorySize % (2 << 20) == 0 else {
            throw .invalidConfig(.memorySize(memorySize))
        }
        guard !layout.ramBase.addingReportingOverflow(memorySize).overflow else {
            throw .invalidConfig(.memoryOverflows(base: layout.ramBase, size: memorySize))
        }
        let ramEnd = layout.ramBase + memorySize
        guard ramEnd <= 1 << ConfigProblem.architecturalIPABits else {
            throw .invalidConfig(
                .beyondIPALimit(end: ramEnd, bits: ConfigProblem.architecturalIPABits, host: false))
        }
        if let (a, b) = layout.firstOverlap(vcpus: vcpuCount, memorySize: memorySize) {
            throw .invalidConfig(.overlappingRegions(a, b))
        }
        let virtioDevices = disks.count + (rng ? 1 : 0)
        guard virtioDevices <= MachineLayout.virtioMMIOSlotCount else {
            throw .invalidConfig(
                .tooManyVirtioDevices(requested: virtioDevices, maximum: MachineLayout.virtioMMIOSlotCount))
        }
        if payload.isSingleVCPUBuiltIn && vcpuCount != 1 {
            throw .invalidConfig(.builtInGuestNeedsOneVCPU(requested: vcpuCount))
        }
    }
}

/// One `--disk`: a raw image file or block device for a virtio-blk device.
public struct DiskConfig: Hashable, Sendable {
    public var path: String
    /// Open read-only (VIRTIO_BLK_F_RO; the guest's writes are refused).
    public var readOnly: Bool
    /// What GET_ID reports (at most 20 bytes; the guest's /sys/block/vdX/serial).
    public var serial: String

    public init(path: String, readOnly: Bool = false, serial: String = "") {
        self.path = path
        self.readOnly = readOnly
        self.serial = serial
    }
}
