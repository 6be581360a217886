import Glibc

/// What this host's KVM offers, probed once. Never throws: everything missing is recorded so that
/// `report` can list it all with what to do.
public struct HostCapabilities: Hashable, Sendable {
    /// The host architecture this binary was built for (`arm64`, `x86_64`, ...).
    public var architecture: String
    /// Why arm64 KVM cannot be used at all, or nil when `/dev/kvm` opened and speaks API 12.
    public var kvmProblem: String?
    /// `KVM_GET_API_VERSION`, when `/dev/kvm` opened.
    public var apiVersion: Int32?
    public var oneReg = false
    public var psci02 = false
    public var deviceControl = false
    public var vcpuAttributes = false
    /// `KVM_CAP_ARM_EL2`: vCPUs can boot at EL2 (nested virtualisation).
    public var el2 = false
    /// `KVM_CAP_ARM_EL2_E2H0`: EL2 vCPUs can be restricted to non-VHE.
    public var el2E2H0 = false
    public var mte = false
    public var sve = false
    /// The SVE vector lengths KVM offers a vCPU, in bytes (16 × VQ), from KVM_REG_ARM64_SVE_VLS on a
    /// scratch SVE vCPU before FINALIZE; empty without SVE or when the probe failed.
    public var sveVectorLengths: [Int] = []
    public var pauthAddress = false
    public var pauthGeneric = false
    public var pmuV3 = false
    /// `KVM_CAP_COUNTER_OFFSET`: `KVM_ARM_SET_COUNTER_OFFSET` is available.
    public var counterOffset = false
    /// `KVM_CAP_IOEVENTFD`: MMIO doorbells can signal an eventfd (`VirtualMachine.registerIOEventFD`).
    public var ioEventFD = false
    /// `KVM_CAP_IRQFD`: an eventfd can inject an SPI (`VirtualMachine.registerIRQFD`).
    public var irqFD = false
    /// `KVM_CAP_IRQFD_RESAMPLE`: level-triggered irqfds.
    public var irqFDResample = false
    /// A VM can have an in-kernel vGICv3 (probed with `KVM_CREATE_DEVICE_TEST` on a scratch VM).
    public var gicV3 = false
    /// A VM can have an in-kernel GICv3 ITS (`KVM_CREATE_DEVICE_TEST` on a scratch VM).
    public var gicITS = false
    /// `KVM_CAP_ARM_VM_IPA_SIZE`: the widest guest physical address space, in bits (0: unknown,
    /// meaning only the default 40 bits).
    public var maxIPABits = 0
    /// `KVM_CAP_NR_VCPUS`: the recommended vCPU count per VM.
    public var recommendedVCPUs = 0
    /// `KVM_CAP_MAX_VCPUS`: the hard vCPU limit per VM.
    public var maxVCPUs = 0

    /// A host with nothing, for `architecture` and `problem`.
    public init(architecture: String = HostCapabilities.buildArchitecture, kvmProblem: String?) {
        self.architecture = architecture
        self.kvmProblem = kvmProblem
    }

    /// The architecture this code was compiled for.
    public static var buildArchitecture: String {
        #if arch(arm64)
            return "arm64"
        #elseif arch(x86_64)
            return "x86_64"
        #else
            return "unknown"
        #endif
    }

    /// What to say on a host that is not arm64: its /dev/kvm, if any, is another architecture's KVM.
    public static var notARM64Message: String {
        "arm64 KVM is absent: this host is \(buildArchitecture); use the lab: bash scripts/test.sh or lab/lab run (docs/testing.md)"
    }

    /// Probes `/dev/kvm` (or `path`).
    public static func probe(path: String = "/dev/kvm") -> HostCapabilities {
        #if !arch(arm64)
            return HostCapabilities(kvmProblem: notARM64Message)
        #else
            let system: KVMSystem
            do {
                system = try KVMSystem(path: path)
            } catch let error as KVMError {
                return HostCapabilities(kvmProblem: explain(error, path: path))
            } catch {
                return HostCapabilities(kvmProblem: "\(error)")
            }
            var caps = HostCapabilities(kvmProblem: nil)
            caps.apiVersion = 12
            caps.fill(from: system)
            return caps
        #endif
    }

    /// Reads every capability from an open system, and probes the vGICv3 on a scratch VM.
    mutating func fill(from system: KVMSystem) {
        func has(_ capability: KVMCapability) -> Bool { value(capability) > 0 }
        func value(_ capability: KVMCapability) -> Int { Int((try? system.checkExtension(capability)) ?? 0) }
        oneReg = has(.oneReg)
        psci02 = has(.psci02)
        deviceControl = has(.deviceControl)
        vcpuAttributes = has(.vcpuAttributes)
        el2 = has(.el2)
        el2E2H0 = has(.el2E2H0)
        mte = has(.mte)
        sve = has(.sve)
        pauthAddress = has(.pauthAddress)
        pauthGeneric = has(.pauthGeneric)
        pmuV3 = has(.pmuV3)
        counterOffset = has(.counterOffset)
        ioEventFD = has(.ioEventFD)
        irqFD = has(.irqFD)
        irqFDResample = has(.irqFDResample)
        maxIPABits = value(.vmIPASize)
        recommendedVCPUs = value(.nrVCPUs)
        maxVCPUs = value(.maxVCPUs)
        // The test flag asks without creating anything; the scratch VM is closed on return.
        let scratch = try? system.createVM()
        gicV3 = scratch.flatMap { try? KVMDevice.canCreateVGICv3(on: $0) } ?? false
        gicITS = scratch.flatMap { try? KVMDevice.canCreateVGICITS(on: $0) } ?? false
        if sve { sveVectorLengths = (try? Self.probeSVEVectorLengths(system)) ?? [] }
    }

    /// The vector lengths in KVM_REG_ARM64_SVE_VLS of a vCPU initialised with KVM_ARM_VCPU_SVE on its own
    /// scratch VM (the register is only readable before FINALIZE). Bit `vq - 1` of the little-endian
    /// 64-bit words stands for a vector of `vq` × 128 bits (api.rst 4.68, "KVM_REG_ARM64_SVE_VLS").
    static func probeSVEVectorLengths(_ system: KVMSystem) throws -> [Int] {
        let vm = try system.createVM()
        let vcpu = try vm.createVCPU(id: 0)
        try vcpu.initialize(features: VCPUInitFeatures(sve: true))
        return vectorLengths(fromVLS: try vcpu.getOneReg(SVEFinalizeStep.vectorLengthsID).bytes)
    }

    /// Decodes a KVM_REG_ARM64_SVE_VLS value into vector lengths in bytes, shortest first.
    static func vectorLengths(fromVLS bytes: [UInt8]) -> [Int] {
        var lengths: [Int] = []
        for (index, byte) in bytes.enumerated() {
            for bit in 0..<8 where (byte >> UInt8(bit)) & 1 == 1 { lengths.append((index * 8 + bit + 1) * 16) }
        }
        return lengths
    }

    /// A one-line reason for an open failure, with what to do.
    static func explain(_ error: KVMError, path: String) -> String {
        switch error.errno {
        case ENOENT?:
            return "\(path) is missing: the host kernel has no KVM, or this container does not expose it"
        case EACCES?, EPERM?:
            return "\(path): permission denied: run as root or join the group that owns \(path) (usually kvm)"
        default:
            return "\(error)"
        }
    }

    /// Every capability `features` needs that this host lacks (empty when all are there).
    public func missing(for features: VCPUInitFeatures) -> [MissingCapability] {
        features.requiredCapabilities.filter { !offers($0) }.map(\.missing)
    }

    /// Whether the probe found `capability`.
    public func offers(_ capability: KVMCapability) -> Bool {
        switch capability {
        case .oneReg: return oneReg
        case .psci02: return psci02
        case .deviceControl: return deviceControl
        case .vcpuAttributes: return vcpuAttributes
        case .el2: return el2
        case .el2E2H0: return el2E2H0
        case .mte: return mte
        case .sve: return sve
        case .pauthAddress: return pauthAddress
        case .pauthGeneric: return pauthGeneric
        case .pmuV3: return pmuV3
        case .counterOffset: return counterOffset
        case .ioEventFD: return ioEventFD
        case .irqFD: return irqFD
        case .irqFDResample: return irqFDResample
        case .vmIPASize: return maxIPABits > 0
        case .nrVCPUs: return recommendedVCPUs > 0
        case .maxVCPUs: return maxVCPUs > 0
        default: return false
        }
    }
}
