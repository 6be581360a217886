/// A vCPU's PMUv3 configuration that lives outside its registers: the overflow interrupt KVM was given
/// (KVM_ARM_VCPU_PMU_V3_IRQ). The `PMU ` snapshot section (docs/snapshot-format.md) holds one per vCPU
/// initialised with KVM_ARM_VCPU_PMU_V3; restore sets it and performs PMU_V3_INIT after the vGIC is
/// initialised and before any PMU register is written (`PMUInitStep`).
public struct PMUState: Hashable, Sendable {
    /// The vCPU it belongs to.
    public var vcpuIndex: Int
    /// The overflow interrupt's INTID, a PPI (16...31).
    public var overflowIRQ: UInt32

    public init(vcpuIndex: Int, overflowIRQ: UInt32) {
        self.vcpuIndex = vcpuIndex
        self.overflowIRQ = overflowIRQ
    }
}

extension SnapshotCodec {
    /// `PMU `: a count, then (vCPU index u32, overflow INTID u32) per PMU vCPU.
    static func encodePMU(_ states: [PMUState]) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.count(states.count)
        for state in states {
            out.count(state.vcpuIndex)
            out.u32(state.overflowIRQ)
        }
        return out.bytes
    }

    static func decodePMU(_ r: inout SnapshotByteReader) throws(SnapshotError) -> [PMUState] {
        let count = try r.count("PMU vCPU count", minimumSize: 8)
        var states: [PMUState] = []
        states.reserveCapacity(count)
        for _ in 0..<count {
            let index = Int(try r.u32("PMU vCPU index"))
            states.append(PMUState(vcpuIndex: index, overflowIRQ: try r.u32("PMU overflow INTID")))
        }
        return states
    }
}

extension MachineState {
    /// Each PMU vCPU has exactly one PMU state, no other vCPU has one, and the interrupt is a PPI.
    func validatePMU() throws(SnapshotError) {
        let expected = vcpus.filter(\.features.pmu).map(\.index)
        guard pmu.map(\.vcpuIndex) == expected else {
            throw .inconsistent(
                "PMU interrupt states for vCPUs \(pmu.map(\.vcpuIndex)) but vCPUs \(expected) have a PMU")
        }
        for state in pmu where !(16...31).contains(state.overflowIRQ) {
            throw .inconsistent("vCPU \(state.vcpuIndex)'s PMU interrupt INTID \(state.overflowIRQ) is not a PPI")
        }
    }
}
