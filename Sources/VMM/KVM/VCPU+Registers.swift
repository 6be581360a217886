import CKVM
import Glibc
import SysRegs

extension VCPU {
    /// The ids of every register KVM exposes for this vCPU, in KVM's order.
    ///
    /// Asks with n = 0 first: KVM answers E2BIG and writes the count, then a buffer of that size
    /// is passed (api.rst 4.84 "KVM_GET_REG_LIST"). A list that grows in between (it cannot for one
    /// vCPU, but the ABI allows it) is retried.
    /// The corresponding ioctl is `KVM_GET_REG_LIST`.
    public func regList() throws -> [OneRegID] {
        while true {
            var header = ckvm_reg_list(n: 0)
            do {
                try KVMCall.perform(KVMIoctl.getRegList.on("count"), fd: fd, pointingTo: &header)
                return []
            } catch let error as KVMError where error.errno == E2BIG {
            }
            let count = header.n
            var buffer = [UInt64](repeating: 0, count: Int(count) + 1)
            buffer[0] = count
            do {
                // SAFETY: buffer is one header word followed by `count` id slots, the layout the kernel
                // writes; it lives across the ioctl inside this closure.
                _ = try buffer.withUnsafeMutableBytes { bytes in
                    try KVMCall.perform(
                        KVMIoctl.getRegList.on("\(count) ids"), fd: fd, .pointer(bytes.baseAddress!))
                }
            } catch let error as KVMError where error.errno == E2BIG {
                continue
            }
            return buffer.dropFirst().prefix(Int(min(buffer[0], count))).map { OneRegID($0) }
        }
    }

    /// Reads one register. The value is as wide as the id's size field says (4 to 256 bytes).
    /// The corresponding ioctl is `KVM_GET_ONE_REG`.
    public func getOneReg(_ id: OneRegID) throws -> RegisterValue {
        let name = RegisterTable.lookup(id).name
        let size = try Self.transferSize(of: id, name: name)
        var bytes = [UInt8](repeating: 0, count: size)
        try oneReg(.getOneReg, id: id, name: name, bytes: &bytes)
        return RegisterValue(bytes: bytes)
    }

    /// Writes one register. `value` must be exactly as wide as the id's size field says.
    /// The corresponding ioctl is `KVM_SET_ONE_REG`.
    public func setOneReg(_ id: OneRegID, _ value: RegisterValue) throws {
        let name = RegisterTable.lookup(id).name
        let size = try Self.transferSize(of: id, name: name)
        guard value.bytes.count == size else {
            throw KVMError.registerWidth(name: name, id: id, expectedBytes: size, givenBytes: value.bytes.count)
        }
        var bytes = value.bytes
        try oneReg(.setOneReg, id: id, name: name, bytes: &bytes)
    }

    /// Reads a 64-bit (or narrower) register by descriptor.
    public func getOneReg(_ register: RegisterDescriptor) throws -> UInt64 { try getOneReg(register.id).u64 }

    /// Writes a 64-bit register by descriptor.
    public func setOneReg(_ register: RegisterDescriptor, _ value: UInt64) throws {
        try setOneReg(register.id, RegisterValue(value, byteCount: register.id.byteCount))
    }

    /// Reads every register in `regList()` into a register file keyed by id.
    public func readAll() throws -> RegisterFile {
        var file = RegisterFile()
        for id in try regList() { file[id] = try getOneReg(id) }
        return file
    }

    /// Writes every register of `file`, in id order.
    public func writeAll(_ file: RegisterFile) throws {
        for id in file.ids {
            if let value = file[id] { try setOneReg(id, value) }
        }
    }

    /// The transfer size of an id, refusing sizes ONE_REG does not use on arm64.
    static func transferSize(of id: OneRegID, name: String) throws -> Int {
        let size = id.byteCount
        guard (4...256).contains(size) else { throw KVMError.unsupportedRegisterSize(name: name, id: id) }
        return size
    }

    private func oneReg(_ ioctl: KVMIoctl, id: OneRegID, name: String, bytes: inout [UInt8]) throws {
        try bytes.withUnsafeMutableBytes { buffer in
            // SAFETY: buffer has exactly id.byteCount bytes (checked by the callers) and lives across
            // the ioctl inside this closure; KVM reads or writes exactly that many.
            var request = ckvm_one_reg(id: id.rawValue, addr: UInt64(UInt(bitPattern: buffer.baseAddress)))
            try KVMCall.perform(ioctl.on(name), fd: fd, pointingTo: &request)
        }
    }
}
