/// A GICv3 ITS's state (Documentation/virt/kvm/devices/arm-vgic-its.rst, "ITS Restore Sequence"): where
/// its frame is, and its GITS_* registers. Its tables (device, collection, interrupt translation) are
/// not here: `KVM_DEV_ARM_ITS_SAVE_TABLES` writes them into guest RAM before the memory file is written,
/// and restore reads them back from there. The `ITS ` snapshot section (docs/snapshot-format.md) holds
/// it; a snapshot without one is a machine without an ITS.
public struct ITSState: Hashable, Sendable {
    /// Guest physical base of the 128 KiB ITS control frame.
    public var base: UInt64
    /// GITS_* registers by frame offset, in restore order (GITS_IIDR first, GITS_CTLR last).
    public var registers: [GICRegister]

    public init(base: UInt64, registers: [GICRegister]) {
        self.base = base
        self.registers = registers
    }
}

extension SnapshotCodec {
    /// `ITS `: the frame base u64, then the registers as the `GIC3` section's register lists are written.
    static func encodeITS(_ state: ITSState) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u64(state.base)
        encodeGICRegisters(state.registers, to: &out)
        return out.bytes
    }

    static func decodeITS(_ r: inout SnapshotByteReader) throws(SnapshotError) -> ITSState {
        let base = try r.u64("ITS base")
        return ITSState(base: base, registers: try decodeGICRegisters(&r, "ITS"))
    }
}

extension MachineState {
    /// The ITS frame is 64 KiB aligned and clear of the rest of the map; GITS_CTLR is restored last.
    func validateITS() throws(SnapshotError) {
        guard let its else { return }
        guard its.base % MachineLayout.gicITSAlignment == 0 else {
            throw .inconsistent("the ITS frame at 0x\(String(its.base, radix: 16)) is not 64 KiB aligned")
        }
        guard its.registers.last?.key == GICv3ITS.Register.GITS_CTLR.rawValue else {
            throw .inconsistent("the ITS registers do not end with GITS_CTLR, which must be restored last")
        }
    }
}
