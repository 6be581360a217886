import SysRegs

// The VCPU section payload (docs/snapshot-format.md, "VCPU"): identity, init features, power state,
// pending events, then every register as (KVM id, name, byte count, little-endian bytes).

extension SnapshotCodec {
    /// Bit positions of `VCPUInitFeatures` in the VCPU section. The format's own numbering, not KVM's
    /// `features[0]` bitmap, so the codec stays independent of the UAPI headers.
    private static var featureBits: [(WritableKeyPath<VCPUInitFeatures, Bool>, UInt32)] {
        [
            (\.powerOff, 1 << 0), (\.psci0_2, 1 << 1), (\.el2, 1 << 2), (\.e2h0, 1 << 3), (\.sve, 1 << 4),
            (\.pmu, 1 << 5), (\.pauth, 1 << 6),
        ]
    }
    /// Bit positions of the `VCPUEvents` flags.
    private static var eventBits: [(WritableKeyPath<VCPUEvents, Bool>, UInt8)] {
        [
            (\.serrorPending, 1 << 0), (\.serrorHasESR, 1 << 1), (\.externalDataAbortPending, 1 << 2),
        ]
    }
    /// The widest ONE_REG transfer (KVM_REG_SIZE_U2048, an SVE Z register at the maximum vector length).
    static let maximumRegisterBytes = 256

    static func encodeVCPU(_ vcpu: VCPUState) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.count(vcpu.index)
        out.u64(vcpu.mpidr)
        var features: UInt32 = 0
        for (path, bit) in featureBits where vcpu.features[keyPath: path] { features |= bit }
        out.u32(features)
        out.u32(vcpu.mpState)
        var events: UInt8 = 0
        for (path, bit) in eventBits where vcpu.events[keyPath: path] { events |= bit }
        out.u8(events)
        out.u64(vcpu.events.serrorESR)
        out.count(vcpu.registers.count)
        for register in vcpu.registers {
            out.u64(register.id.rawValue)
            out.string(register.name)
            out.count(register.value.bytes.count)
            out.raw(register.value.bytes)
        }
        return out.bytes
    }

    static func decodeVCPU(_ r: inout SnapshotByteReader) throws(SnapshotError) -> VCPUState {
        let index = Int(try r.u32("vCPU index"))
        let mpidr = try r.u64("MPIDR")
        let features = try decodeFeatures(&r)
        let mpState = try r.u32("MP state")
        let events = try decodeEvents(&r)
        // id, empty name, byte count.
        let count = try r.count("register count", minimumSize: 8 + 4 + 4)
        var registers: [RegisterEntry] = []
        registers.reserveCapacity(count)
        for _ in 0..<count {
            registers.append(try decodeRegister(&r))
        }
        return VCPUState(
            index: index, mpidr: mpidr, features: features, registers: registers, mpState: mpState, events: events)
    }

    private static func decodeFeatures(_ r: inout SnapshotByteReader) throws(SnapshotError) -> VCPUInitFeatures {
        let start = r.offset
        var bits = try r.u32("features")
        var features = VCPUInitFeatures(psci0_2: false)
        for (path, bit) in featureBits {
            features[keyPath: path] = bits & bit != 0
            bits &= ~bit
        }
        guard bits == 0 else { throw r.malformed("unknown feature bits \(hex32(bits))", at: start) }
        return features
    }

    private static func decodeEvents(_ r: inout SnapshotByteReader) throws(SnapshotError) -> VCPUEvents {
        let start = r.offset
        var bits = try r.u8("event flags")
        var events = VCPUEvents()
        for (path, bit) in eventBits {
            events[keyPath: path] = bits & bit != 0
            bits &= ~bit
        }
        guard bits == 0 else { throw r.malformed("unknown event flags \(bits)", at: start) }
        events.serrorESR = try r.u64("SError ESR")
        return events
    }

    /// One register entry. The byte count must equal the width the id's size field gives: a mismatch
    /// would make KVM_SET_ONE_REG read past the value or leave part of the register unset.
    private static func decodeRegister(_ r: inout SnapshotByteReader) throws(SnapshotError) -> RegisterEntry {
        let start = r.offset
        let id = OneRegID(try r.u64("register id"))
        let name = try r.string("register name")
        let length = Int(try r.u32("value length of \(name)"))
        guard length == id.byteCount, length <= maximumRegisterBytes else {
            throw r.malformed(
                "register \(name) (\(id)) has \(length) value bytes, its id gives \(id.byteCount)", at: start)
        }
        let value = try r.raw(length, "value of \(name)")
        return RegisterEntry(id: id, name: name, value: RegisterValue(bytes: Array(value)))
    }
}
