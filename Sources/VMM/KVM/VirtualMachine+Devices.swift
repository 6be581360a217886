import CKVM
import Glibc

extension VirtualMachine {
    /// Creates an in-kernel device of `type` (`CKVM_DEV_TYPE_ARM_VGIC_V3`, ...).
    /// The corresponding ioctl is `KVM_CREATE_DEVICE`.
    public func createDevice(type: UInt32, name: String) throws -> KVMDevice {
        var request = ckvm_create_device(type: type, fd: 0, flags: 0)
        try KVMCall.perform(KVMIoctl.createDevice.on(name), fd: fd, pointingTo: &request)
        return KVMDevice(vm: self, type: type, name: name, fd: Int32(bitPattern: request.fd))
    }

    /// Whether KVM could create a device of `type` on this VM, without creating it
    /// (`KVM_CREATE_DEVICE_TEST`). Errors other than ENODEV (unknown type) are thrown.
    /// The corresponding ioctl is `KVM_CREATE_DEVICE`.
    public func canCreateDevice(type: UInt32, name: String) throws -> Bool {
        var request = ckvm_create_device(type: type, fd: 0, flags: CKVM_CREATE_DEVICE_TEST)
        do {
            try KVMCall.perform(KVMIoctl.createDevice.on("\(name), test"), fd: fd, pointingTo: &request)
            return true
        } catch let error as KVMError where error.errno == ENODEV {
            return false
        }
    }
}
