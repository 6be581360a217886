import CKVM
import Glibc

/// The KVM subsystem: an open `/dev/kvm`.
///
/// Creating one checks the API version (KVM api.rst 4.1 "KVM_GET_API_VERSION": it must be 12).
/// The fd is closed when the value goes away; VMs keep their `KVMSystem` alive.
public final class KVMSystem {
    /// The `/dev/kvm` fd.
    let fd: Int32
    /// The path opened, for messages.
    public let path: String

    /// Opens `/dev/kvm` (or `path`) and checks the API version.
    /// - Throws: `KVMError.unsupportedHost` on a host that is not arm64, `.system` if the open fails,
    ///   `.apiVersion` if the kernel speaks another API.
    public init(path: String = "/dev/kvm") throws {
        #if !arch(arm64)
            throw KVMError.unsupportedHost(HostCapabilities.notARM64Message)
        #else
            self.path = path
            let fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else {
                let code = errno
                switch code {
                case ENOENT, ENODEV, ENXIO:
                    throw KVMError.unsupportedHost(
                        "\(path) does not exist (\(Errno.describe(code))): this kernel has no KVM; on an arm64 host "
                            + "boot Linux at EL2 with KVM enabled (for nested guests: kvm-arm.mode=nested)")
                case EACCES, EPERM:
                    throw KVMError.unsupportedHost(
                        "cannot open \(path) (\(Errno.describe(code))): run as root or join the group that owns it "
                            + "(usually 'kvm')")
                default:
                    throw KVMError.system(call: "open", target: path, errno: code)
                }
            }
            self.fd = fd
            // From here on deinit closes fd if we throw.
            let version = try KVMCall.perform(KVMIoctl.getAPIVersion.on(nil), fd: fd)
            guard version == CKVM_API_VERSION else {
                throw KVMError.apiVersion(found: version, expected: CKVM_API_VERSION)
            }
        #endif
    }

    deinit { close(fd) }

    /// The value `KVM_CHECK_EXTENSION` returns for `capability`: 0 when absent; for most capabilities
    /// 1 when present, for some a number (IPA bits, vCPU counts).
    /// The corresponding ioctl is `KVM_CHECK_EXTENSION`.
    public func checkExtension(_ capability: KVMCapability) throws -> Int32 {
        try KVMCall.perform(KVMIoctl.checkExtension.on(capability.name), fd: fd, .value(capability.number))
    }

    /// Throws one error listing every capability of `capabilities` the host lacks.
    public func require(_ capabilities: [KVMCapability]) throws {
        var missing: [MissingCapability] = []
        for capability in capabilities where try checkExtension(capability) <= 0 {
            missing.append(capability.missing)
        }
        if !missing.isEmpty { throw KVMError.missingCapabilities(missing) }
    }

    /// The size of the `kvm_run` area to mmap from each vCPU fd.
    /// The corresponding ioctl is `KVM_GET_VCPU_MMAP_SIZE`.
    public func vcpuMmapSize() throws -> Int {
        Int(try KVMCall.perform(KVMIoctl.getVCPUMmapSize.on(nil), fd: fd))
    }

    /// Creates a VM whose guest physical address space is `ipaBits` wide (nil: KVM's default of 40).
    /// The corresponding ioctl is `KVM_CREATE_VM`, with `KVM_VM_TYPE_ARM_IPA_SIZE(ipaBits)` as type.
    public func createVM(ipaBits: Int? = nil) throws -> VirtualMachine {
        var type: Int32 = 0
        if let ipaBits {
            guard (32...52).contains(ipaBits) else {
                throw KVMError.invalidConfiguration("IPA size \(ipaBits) bits is outside 32...52")
            }
            type = Int32(UInt(ipaBits) & CKVM_VM_TYPE_ARM_IPA_SIZE_MASK)
        }
        let target = ipaBits.map { "ipa=\($0)" }
        let vmFD = try KVMCall.perform(KVMIoctl.createVM.on(target), fd: fd, .value(type))
        return VirtualMachine(system: self, fd: vmFD)
    }
}
