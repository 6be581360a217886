import CKVM
import Glibc

/// A KVM vCPU: its fd and the `kvm_run` area shared with the kernel.
///
/// Bring-up order (lab-proven; docs/testing.md, "Gotchas"): create, `initialize(features:)`
/// (KVM_ARM_VCPU_INIT), `finalize(.sve)` if SVE, then registers, then run. GET_REG_LIST and
/// ONE_REG fail before initialisation.
public final class VCPU {
    /// The vCPU index (KVM_CREATE_VCPU argument).
    public let id: Int
    /// The VM, kept alive while the vCPU is.
    public let vm: VirtualMachine
    /// The vCPU fd.
    let fd: Int32
    /// The mmap'd `kvm_run` area.
    let runArea: UnsafeMutableRawPointer
    /// Its size in bytes (`KVM_GET_VCPU_MMAP_SIZE`).
    let runAreaSize: Int
    /// The features given to `initialize`, once it succeeded.
    public private(set) var features: VCPUInitFeatures?

    /// Maps the `kvm_run` area of a freshly created vCPU fd. The caller closes `fd` if this throws.
    init(vm: VirtualMachine, id: Int, fd: Int32) throws {
        let size = try vm.system.vcpuMmapSize()
        guard size >= MemoryLayout<ckvm_run>.size else {
            throw KVMError.invalidConfiguration(
                "KVM_GET_VCPU_MMAP_SIZE is \(size), smaller than struct kvm_run (\(MemoryLayout<ckvm_run>.size))")
        }
        // SAFETY: a shared mapping of the vCPU fd at offset 0 is how KVM exposes kvm_run (api.rst 5
        // "The kvm_run structure"); it stays valid until munmap in deinit.
        let area = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let area, area != MAP_FAILED else {
            throw KVMError.system(call: "mmap", target: "kvm_run of vCPU \(id)", errno: errno)
        }
        self.vm = vm
        self.id = id
        self.fd = fd
        self.runArea = area
        self.runAreaSize = size
    }

    deinit {
        // SAFETY: runArea/runAreaSize are exactly what mmap returned in init; nothing uses them after.
        munmap(runArea, runAreaSize)
        close(fd)
    }

    /// Initialises the vCPU with `features` for the VM's preferred target. Validates the features
    /// first (no ioctl is issued for an invalid combination).
    /// The corresponding ioctl is `KVM_ARM_VCPU_INIT`.
    public func initialize(features: VCPUInitFeatures) throws {
        try features.validate()
        var request = ckvm_vcpu_init()
        request.target = try vm.preferredTarget()
        request.features.0 = features.bitmap
        try KVMCall.perform(KVMIoctl.armVCPUInit.on("vcpu \(id), \(features.summary)"), fd: fd, pointingTo: &request)
        self.features = features
    }

    /// Features that must be finalised after VCPU_INIT and before the first run.
    public enum FinalizableFeature: Int32, Sendable {
        case sve = 4
    }

    /// Locks in a configurable feature (the SVE vector lengths).
    /// The corresponding ioctl is `KVM_ARM_VCPU_FINALIZE`.
    public func finalize(_ feature: FinalizableFeature) throws {
        var what = feature.rawValue
        try KVMCall.perform(KVMIoctl.armVCPUFinalize.on("\(feature)"), fd: fd, pointingTo: &what)
    }

    /// Runs the vCPU until the next exit and returns it decoded. A signal or `immediateExit` gives
    /// `.interrupted`. The corresponding ioctl is `KVM_RUN`.
    public func run() throws -> VCPUExit {
        switch try KVMCall.performRun(KVMIoctl.run.on("vcpu \(id)"), fd: fd) {
        case .interrupted:
            return .interrupted
        case .exited:
            // SAFETY: runArea holds at least one ckvm_run (checked in init); the kernel wrote it before
            // KVM_RUN returned and does not touch it until the next KVM_RUN on this thread.
            return VCPUExit(decoding: runArea.load(as: ckvm_run.self))
        }
    }

    /// Supplies the data of an MMIO read exit; KVM loads it into the guest register on the next run.
    /// Only the first `length` bytes of the last exit (at most 8) are used.
    public func completeMMIORead(_ data: UInt64) {
        // SAFETY: writes the 8-byte mmio.data array inside the mapped ckvm_run; the offset comes from
        // the imported struct layout, proven against the kernel by Tests/CKVMCheck.
        let offset = Int(CKVM_RUN_EXIT_OFFSET) + MemoryLayout<ckvm_run_mmio>.offset(of: \ckvm_run_mmio.data)!
        runArea.storeBytes(of: data.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    /// Makes the next `run()` return `.interrupted` at once (api.rst `immediate_exit`), for a
    /// signal handler or another thread asking the vCPU loop to stop.
    public func setImmediateExit(_ on: Bool) {
        // SAFETY: a single byte inside the mapped ckvm_run.
        let offset = MemoryLayout<ckvm_run>.offset(of: \ckvm_run.immediate_exit)!
        runArea.storeBytes(of: on ? 1 : 0, toByteOffset: offset, as: UInt8.self)
    }
}
