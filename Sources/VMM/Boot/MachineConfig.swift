/// What the guest device tree describes: vCPUs, RAM, the EL2 flavour, the kernel command line,
/// the initrd and the registered devices' nodes. A plain value, validated by `validate()`.
public struct MachineConfig: Hashable, Sendable {
    /// One MPIDR_EL1 value per vCPU, in vCPU index order. Only the affinity fields reach the
    /// device tree (`cpu` node `reg`).
    public var mpidrs: [UInt64]
    /// Bytes of guest RAM starting at `layout.ramBase`.
    public var memorySize: UInt64
    /// vCPUs start at EL2 (KVM_ARM_VCPU_HAS_EL2): PSCI goes through SMC and the EL2 timers appear.
    public var nested: Bool
    /// With `nested`: the guest hypervisor runs without VHE (KVM_ARM_VCPU_HAS_EL2_E2H0).
    public var e2h0: Bool
    /// Every vCPU has PMUv3: the `arm,armv8-pmuv3` node with its overflow PPI.
    public var pmu = false
    /// The GIC has an ITS at `layout.gicITSBase`: an `arm,gic-v3-its` msi-controller child node.
    public var its = false
    /// The kernel command line (`/chosen/bootargs`).
    public var cmdline: String
    /// Guest-physical range of the initrd, if any (`/chosen/linux,initrd-start` / `-end`).
    public var initrd: Range<UInt64>?
    /// What each registered device adds, in registration order; the first that names a console is
    /// `/chosen/stdout-path`.
    public var devices: [DeviceTreeContribution]
    public var layout: MachineLayout

    public init(
        vcpuCount: Int, memorySize: UInt64, nested: Bool = false, e2h0: Bool = false, cmdline: String = "",
        initrd: Range<UInt64>? = nil, devices: [DeviceTreeContribution] = [], layout: MachineLayout = .standard
    ) {
        self.init(
            mpidrs: (0..<max(vcpuCount, 0)).map(Self.defaultMPIDR(vcpuIndex:)), memorySize: memorySize,
            nested: nested, e2h0: e2h0, cmdline: cmdline, initrd: initrd, devices: devices, layout: layout)
    }

    public init(
        mpidrs: [UInt64], memorySize: UInt64, nested: Bool = false, e2h0: Bool = false, cmdline: String = "",
        initrd: Range<UInt64>? = nil, devices: [DeviceTreeContribution] = [], layout: MachineLayout = .standard
    ) {
        self.mpidrs = mpidrs
        self.memorySize = memorySize
        self.nested = nested
        self.e2h0 = e2h0
        self.cmdline = cmdline
        self.initrd = initrd
        self.devices = devices
        self.layout = layout
    }

    public var vcpuCount: Int { mpidrs.count }

    /// The MPIDR_EL1 KVM gives vCPU `vcpuIndex` at reset: 16 vCPUs per Aff0 cluster, then Aff1,
    /// then Aff2, with the RES1 bit 31 set (the shape of KVM's reset_mpidr in sys_regs.c).
    public static func defaultMPIDR(vcpuIndex: Int) -> UInt64 {
        let id = UInt64(vcpuIndex)
        return 1 << 31 | (id & 0xf) | ((id >> 4) & 0xff) << 8 | ((id >> 12) & 0xff) << 16
    }

    /// MPIDR_EL1 affinity fields only (Aff3 [39:32], Aff2..Aff0 [23:0]): what a `cpu` node's `reg`
    /// holds (Documentation/devicetree/bindings/arm/cpus.yaml).
    public static func affinity(ofMPIDR mpidr: UInt64) -> UInt64 { mpidr & 0xff_00ff_ffff }

    /// Checks the combination before anything is built from it.
    public func validate() throws(DeviceTreeError) {
        guard vcpuCount >= 1, vcpuCount <= layout.maximumVCPUs else {
            throw .config("\(vcpuCount) vCPUs: this machine supports 1...\(layout.maximumVCPUs)")
        }
        let affinities = mpidrs.map(Self.affinity(ofMPIDR:))
        guard Set(affinities).count == affinities.count else { throw .config("two vCPUs share an MPIDR affinity") }
        guard memorySize >= 2 << 20, memorySize % (2 << 20) == 0 else {
            throw .config("memory size \(memorySize) bytes is not a positive multiple of 2 MiB")
        }
        let (ramEnd, overflow) = layout.ramBase.addingReportingOverflow(memorySize)
        guard !overflow else { throw .config("memory size \(memorySize) overflows the address space") }
        // KVM silently accepts E2H0 without EL2 and gives an EL1 vCPU (lab finding); refuse it here.
        if e2h0 && !nested { throw .config("e2h0 needs nested (a vCPU with EL2)") }
        if let initrd {
            guard !initrd.isEmpty, initrd.lowerBound >= layout.ramBase, initrd.upperBound <= ramEnd else {
                throw .config("initrd range \(hex(initrd.lowerBound))..<\(hex(initrd.upperBound)) is not inside RAM")
            }
        }
    }
}

/// Why a guest device tree could not be generated.
public enum DeviceTreeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `MachineConfig` is inconsistent.
    case config(String)
    /// The FDT writer refused the tree (a bug in the generator, reported rather than trapped).
    case fdt(FDTError)

    public var description: String {
        switch self {
        case .config(let message): "machine configuration: \(message)"
        case .fdt(let error): "\(error)"
        }
    }
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
