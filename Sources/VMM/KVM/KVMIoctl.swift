import CKVM

/// One KVM ioctl: its kernel name, its number and the kind of file descriptor it is issued on.
///
/// Every KVM call in the codebase names one of these, so errors read like the kernel's documentation
/// (`KVM_SET_ONE_REG(SCTLR_EL1): Invalid argument (EINVAL)`).
public struct KVMIoctl: Hashable, Sendable, CustomStringConvertible {
    /// Which file descriptor an ioctl is issued on (KVM api.rst 4 "API description", "Type:").
    public enum Scope: String, Hashable, Sendable {
        case system, vm, vcpu, device
        /// /dev/userfaultfd or a userfaultfd: not KVM, but issued through the same choke point so that
        /// one function calls `ioctl` and every failure names its request.
        case userfaultfd
    }

    /// The kernel's name, such as `KVM_SET_ONE_REG`.
    public let name: String
    /// The request number (`_IOC(dir, 0xAE, nr, size)`).
    public let number: UInt
    /// The file descriptor kind.
    public let scope: Scope

    public init(name: String, number: UInt, scope: Scope) {
        self.name = name
        self.number = number
        self.scope = scope
    }

    public var description: String { name }

    /// This ioctl applied to `target` (a register, capability, device or attribute name).
    public func on(_ target: String?) -> KVMRequest { KVMRequest(self, target: target) }
}

extension KVMIoctl {
    public static let getAPIVersion = KVMIoctl(
        name: "KVM_GET_API_VERSION", number: CKVM_GET_API_VERSION, scope: .system)
    public static let createVM = KVMIoctl(name: "KVM_CREATE_VM", number: CKVM_CREATE_VM, scope: .system)
    public static let checkExtension = KVMIoctl(
        name: "KVM_CHECK_EXTENSION", number: CKVM_CHECK_EXTENSION, scope: .system)
    public static let getVCPUMmapSize = KVMIoctl(
        name: "KVM_GET_VCPU_MMAP_SIZE", number: CKVM_GET_VCPU_MMAP_SIZE, scope: .system)

    public static let createVCPU = KVMIoctl(name: "KVM_CREATE_VCPU", number: CKVM_CREATE_VCPU, scope: .vm)
    public static let setUserMemoryRegion = KVMIoctl(
        name: "KVM_SET_USER_MEMORY_REGION", number: CKVM_SET_USER_MEMORY_REGION, scope: .vm)
    public static let irqLine = KVMIoctl(name: "KVM_IRQ_LINE", number: CKVM_IRQ_LINE, scope: .vm)
    public static let enableCap = KVMIoctl(name: "KVM_ENABLE_CAP", number: CKVM_ENABLE_CAP, scope: .vm)
    public static let armPreferredTarget = KVMIoctl(
        name: "KVM_ARM_PREFERRED_TARGET", number: CKVM_ARM_PREFERRED_TARGET, scope: .vm)
    public static let armSetCounterOffset = KVMIoctl(
        name: "KVM_ARM_SET_COUNTER_OFFSET", number: CKVM_ARM_SET_COUNTER_OFFSET, scope: .vm)
    public static let armMTECopyTags = KVMIoctl(
        name: "KVM_ARM_MTE_COPY_TAGS", number: CKVM_ARM_MTE_COPY_TAGS, scope: .vm)
    public static let createDevice = KVMIoctl(name: "KVM_CREATE_DEVICE", number: CKVM_CREATE_DEVICE, scope: .vm)
    public static let ioEventFD = KVMIoctl(name: "KVM_IOEVENTFD", number: CKVM_IOEVENTFD, scope: .vm)
    public static let irqFD = KVMIoctl(name: "KVM_IRQFD", number: CKVM_IRQFD, scope: .vm)
    public static let getDirtyLog = KVMIoctl(name: "KVM_GET_DIRTY_LOG", number: CKVM_GET_DIRTY_LOG, scope: .vm)
    public static let clearDirtyLog = KVMIoctl(
        name: "KVM_CLEAR_DIRTY_LOG", number: CKVM_CLEAR_DIRTY_LOG, scope: .vm)

    public static let setDeviceAttr = KVMIoctl(
        name: "KVM_SET_DEVICE_ATTR", number: CKVM_SET_DEVICE_ATTR, scope: .device)
    public static let getDeviceAttr = KVMIoctl(
        name: "KVM_GET_DEVICE_ATTR", number: CKVM_GET_DEVICE_ATTR, scope: .device)
    public static let hasDeviceAttr = KVMIoctl(
        name: "KVM_HAS_DEVICE_ATTR", number: CKVM_HAS_DEVICE_ATTR, scope: .device)

    public static let run = KVMIoctl(name: "KVM_RUN", number: CKVM_RUN, scope: .vcpu)
    public static let getMPState = KVMIoctl(name: "KVM_GET_MP_STATE", number: CKVM_GET_MP_STATE, scope: .vcpu)
    public static let setMPState = KVMIoctl(name: "KVM_SET_MP_STATE", number: CKVM_SET_MP_STATE, scope: .vcpu)
    public static let getVCPUEvents = KVMIoctl(
        name: "KVM_GET_VCPU_EVENTS", number: CKVM_GET_VCPU_EVENTS, scope: .vcpu)
    public static let setVCPUEvents = KVMIoctl(
        name: "KVM_SET_VCPU_EVENTS", number: CKVM_SET_VCPU_EVENTS, scope: .vcpu)
    public static let getOneReg = KVMIoctl(name: "KVM_GET_ONE_REG", number: CKVM_GET_ONE_REG, scope: .vcpu)
    public static let setOneReg = KVMIoctl(name: "KVM_SET_ONE_REG", number: CKVM_SET_ONE_REG, scope: .vcpu)
    public static let armVCPUInit = KVMIoctl(name: "KVM_ARM_VCPU_INIT", number: CKVM_ARM_VCPU_INIT, scope: .vcpu)
    public static let getRegList = KVMIoctl(name: "KVM_GET_REG_LIST", number: CKVM_GET_REG_LIST, scope: .vcpu)
    public static let armVCPUFinalize = KVMIoctl(
        name: "KVM_ARM_VCPU_FINALIZE", number: CKVM_ARM_VCPU_FINALIZE, scope: .vcpu)

    // userfaultfd (lazy restore of guest RAM, streamed boot files; see UserfaultPager)
    public static let userfaultfdNew = KVMIoctl(
        name: "USERFAULTFD_IOC_NEW", number: CKVM_USERFAULTFD_IOC_NEW, scope: .userfaultfd)
    public static let uffdioAPI = KVMIoctl(name: "UFFDIO_API", number: CKVM_UFFDIO_API, scope: .userfaultfd)
    public static let uffdioRegister = KVMIoctl(
        name: "UFFDIO_REGISTER", number: CKVM_UFFDIO_REGISTER, scope: .userfaultfd)
    public static let uffdioCopy = KVMIoctl(name: "UFFDIO_COPY", number: CKVM_UFFDIO_COPY, scope: .userfaultfd)
    public static let uffdioWake = KVMIoctl(name: "UFFDIO_WAKE", number: CKVM_UFFDIO_WAKE, scope: .userfaultfd)
    public static let uffdioUnregister = KVMIoctl(
        name: "UFFDIO_UNREGISTER", number: CKVM_UFFDIO_UNREGISTER, scope: .userfaultfd)
}
