/// Why the vGIC's state could not be saved.
public enum GICStateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A CPU interface register of the vCPU `mpidr` could not be read, and it is not one the vCPU
    /// may lack (GICv3+CPUInterface.swift): the snapshot would be incomplete, so there is none.
    case cpuRegister(name: String, mpidr: UInt64, errno: Int32?, reason: String)

    public var description: String {
        switch self {
        case .cpuRegister(let name, let mpidr, _, let reason):
            "vGIC CPU interface register \(name) of the vCPU with MPIDR 0x\(String(mpidr, radix: 16)) "
                + "cannot be saved: \(reason); refusing an incomplete GIC snapshot"
        }
    }
}
