import CKVM
import Glibc
import SysRegs

/// A KVM virtual machine: its fd, its memory and what it needs to create vCPUs and devices.
///
/// VM-scoped capabilities (MTE, writable implementation ID registers) must be enabled before any vCPU
/// exists (api.rst 7 "Capabilities that can be enabled on VMs"), so `enableCap` refuses afterwards.
public final class VirtualMachine {
    /// The system this VM belongs to; kept alive for `vcpuMmapSize`.
    public let system: KVMSystem
    /// The VM fd.
    let fd: Int32
    /// Guest memory registered with this VM, kept alive as long as the VM is.
    public private(set) var memory: [GuestMemory] = []
    /// Memory slots in use.
    private(set) var usedSlots = 0
    /// How many vCPUs were created.
    public private(set) var vcpuCount = 0

    init(system: KVMSystem, fd: Int32) {
        self.system = system
        self.fd = fd
    }

    deinit { close(fd) }

    /// Registers every region of `memory` with KVM, in fresh slots, and keeps `memory` alive. With
    /// `logDirtyPages` KVM logs the guest's writes to the slots (KVM_MEM_LOG_DIRTY_PAGES; read them with
    /// `collectDirtyLog`, VirtualMachine+DirtyLog.swift).
    /// The corresponding ioctl is `KVM_SET_USER_MEMORY_REGION`.
    /// - Returns: the slot of each region, in the order of `memory.regions`.
    @discardableResult
    public func map(_ memory: GuestMemory, readOnly: Bool = false, logDirtyPages: Bool = false) throws -> [UInt32] {
        var slots: [UInt32] = []
        for region in memory.regions {
            let flags = (readOnly ? CKVM_MEM_READONLY : 0) | (logDirtyPages ? CKVM_MEM_LOG_DIRTY_PAGES : 0)
            slots.append(UInt32(usedSlots))
            var descriptor = ckvm_userspace_memory_region(
                slot: UInt32(usedSlots), flags: flags,
                guest_phys_addr: region.guestAddress, memory_size: UInt64(region.size),
                userspace_addr: UInt64(region.hostAddress))
            let target = "slot \(usedSlots) @\(hexShort(region.guestAddress))+\(hexShort(region.size))"
            try KVMCall.perform(KVMIoctl.setUserMemoryRegion.on(target), fd: fd, pointingTo: &descriptor)
            usedSlots += 1
        }
        self.memory.append(memory)
        return slots
    }

    /// Creates vCPU `id`, maps its `kvm_run` area and returns it uninitialised: call
    /// `initialize(features:)` next. The corresponding ioctl is `KVM_CREATE_VCPU`.
    public func createVCPU(id: Int) throws -> VCPU {
        let vcpuFD = try KVMCall.perform(KVMIoctl.createVCPU.on("\(id)"), fd: fd, .value(Int32(id)))
        do {
            let vcpu = try VCPU(vm: self, id: id, fd: vcpuFD)
            vcpuCount += 1
            return vcpu
        } catch {
            close(vcpuFD)
            throw error
        }
    }

    /// The target KVM prefers for this host's CPUs (a `KVM_ARM_TARGET_*` value, usually GENERIC_V8).
    /// The corresponding ioctl is `KVM_ARM_PREFERRED_TARGET`.
    public func preferredTarget() throws -> UInt32 {
        var init_ = ckvm_vcpu_init()
        try KVMCall.perform(KVMIoctl.armPreferredTarget.on(nil), fd: fd, pointingTo: &init_)
        return init_.target
    }

    /// Enables a VM-scoped capability. Must precede vCPU creation.
    /// The corresponding ioctl is `KVM_ENABLE_CAP`.
    public func enableCap(_ capability: KVMCapability, args: [UInt64] = []) throws {
        guard vcpuCount == 0 else {
            throw KVMError.invalidConfiguration(
                "\(capability.name) must be enabled before any vCPU is created")
        }
        guard args.count <= 4 else {
            throw KVMError.invalidConfiguration("\(capability.name): KVM_ENABLE_CAP takes at most 4 arguments")
        }
        var request = ckvm_enable_cap()
        request.cap = UInt32(capability.number)
        withUnsafeMutableBytes(of: &request.args) { raw in
            for (index, arg) in args.enumerated() { raw.storeBytes(of: arg, toByteOffset: index * 8, as: UInt64.self) }
        }
        try KVMCall.perform(KVMIoctl.enableCap.on(capability.name), fd: fd, pointingTo: &request)
    }

    /// `KVM_CHECK_EXTENSION` on the VM fd, which answers for this VM (IPA size, vCPU limits).
    /// The corresponding ioctl is `KVM_CHECK_EXTENSION`.
    public func checkExtension(_ capability: KVMCapability) throws -> Int32 {
        try KVMCall.perform(KVMIoctl.checkExtension.on(capability.name), fd: fd, .value(capability.number))
    }

    /// Applies one VM-wide offset to the virtual and physical counters (api.rst 4.138). After this,
    /// KVM silently ignores SET_ONE_REG writes to CNTVCT_EL0/CNTPCT_EL0, so own the offset here
    /// rather than replaying counter registers. The corresponding ioctl is `KVM_ARM_SET_COUNTER_OFFSET`.
    public func setCounterOffset(_ offset: UInt64) throws {
        var request = ckvm_arm_counter_offset(counter_offset: offset, reserved: 0)
        try KVMCall.perform(KVMIoctl.armSetCounterOffset.on(hexShort(offset)), fd: fd, pointingTo: &request)
    }

    /// Drives an interrupt line of the in-kernel vGIC (api.rst 4.25 "KVM_IRQ_LINE", arm64).
    /// The corresponding ioctl is `KVM_IRQ_LINE`.
    public func setIRQLine(_ line: IRQLine, high: Bool) throws {
        var request = ckvm_irq_level(irq: line.encoded, level: high ? 1 : 0)
        try KVMCall.perform(KVMIoctl.irqLine.on("\(line)"), fd: fd, pointingTo: &request)
    }
}
