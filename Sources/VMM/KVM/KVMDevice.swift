import CKVM
import Glibc

/// An in-kernel device created with `KVM_CREATE_DEVICE` (a vGICv3, an ITS): its fd and attributes.
public final class KVMDevice {
    /// The `KVM_DEV_TYPE_*` value.
    public let type: UInt32
    /// A name for messages, such as `vGICv3`.
    public let name: String
    /// The device fd.
    let fd: Int32
    /// The VM, kept alive while the device is.
    let vm: VirtualMachine

    init(vm: VirtualMachine, type: UInt32, name: String, fd: Int32) {
        self.vm = vm
        self.type = type
        self.name = name
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sets attribute `attr` of `group` to the bytes of `value`.
    /// The corresponding ioctl is `KVM_SET_DEVICE_ATTR`.
    public func setAttribute<T: FixedWidthInteger>(group: UInt32, attr: UInt64, _ value: T, label: String) throws {
        var value = value
        try DeviceAttribute.transfer(
            .setDeviceAttr, fd: fd, group: group, attr: attr, value: &value, target: "\(name) \(label)")
    }

    /// Sets an attribute that takes no value (`KVM_DEV_ARM_VGIC_CTRL_INIT`).
    /// The corresponding ioctl is `KVM_SET_DEVICE_ATTR`.
    public func setAttribute(group: UInt32, attr: UInt64, label: String) throws {
        try DeviceAttribute.command(.setDeviceAttr, fd: fd, group: group, attr: attr, target: "\(name) \(label)")
    }

    /// Reads attribute `attr` of `group` as a `T`.
    /// The corresponding ioctl is `KVM_GET_DEVICE_ATTR`.
    public func attribute<T: FixedWidthInteger>(group: UInt32, attr: UInt64, as: T.Type, label: String) throws -> T {
        var value = T.zero
        try DeviceAttribute.transfer(
            .getDeviceAttr, fd: fd, group: group, attr: attr, value: &value, target: "\(name) \(label)")
        return value
    }

    /// Whether the device knows the attribute. The corresponding ioctl is `KVM_HAS_DEVICE_ATTR`.
    public func hasAttribute(group: UInt32, attr: UInt64, label: String) throws -> Bool {
        do {
            try DeviceAttribute.command(.hasDeviceAttr, fd: fd, group: group, attr: attr, target: "\(name) \(label)")
            return true
        } catch let error as KVMError where error.errno == ENXIO {
            return false
        }
    }
}

/// `struct kvm_device_attr` transfers, shared by device and vCPU fds.
enum DeviceAttribute {
    /// Issues a SET/GET/HAS_DEVICE_ATTR whose `addr` points at `value`.
    static func transfer<T>(
        _ ioctl: KVMIoctl, fd: Int32, group: UInt32, attr: UInt64, value: inout T, target: String
    ) throws {
        try withUnsafeMutableBytes(of: &value) { bytes in
            // SAFETY: `bytes` stays valid across the ioctl inside this closure; the kernel reads or
            // writes exactly the attribute's size, which is MemoryLayout<T>.size by the caller's contract.
            var request = ckvm_device_attr(
                flags: 0, group: group, attr: attr, addr: UInt64(UInt(bitPattern: bytes.baseAddress)))
            try KVMCall.perform(ioctl.on(target), fd: fd, pointingTo: &request)
        }
    }

    /// Issues a SET/HAS_DEVICE_ATTR with no value (addr = 0).
    static func command(_ ioctl: KVMIoctl, fd: Int32, group: UInt32, attr: UInt64, target: String) throws {
        var request = ckvm_device_attr(flags: 0, group: group, attr: attr, addr: 0)
        try KVMCall.perform(ioctl.on(target), fd: fd, pointingTo: &request)
    }
}
