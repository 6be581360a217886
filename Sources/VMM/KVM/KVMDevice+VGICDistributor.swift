import CKVM

/// Single distributor registers of an in-kernel vGICv3, by name, for code that needs one interrupt's
/// state rather than a whole snapshot (`GICv3+State` saves them all). Registers are 32 bits wide and
/// addressed by their offset in the distributor frame (IHI 0069 "GICv3 and GICv4 Architecture
/// Specification", 12.9 "The GIC Distributor register map"; arm-vgic-v3.rst `GRP_DIST_REGS`).
extension KVMDevice {
    /// The distributor registers that hold one bit or field per interrupt, as used here.
    public enum VGICDistributorBank: UInt64, Sendable {
        /// Set-enable: 1 bit per INTID.
        case isenabler = 0x0100
        /// Set-pending: 1 bit per INTID; reads the pending state (latch, or line level for level-triggered).
        case ispendr = 0x0200
        /// Clear-pending: 1 bit per INTID; writing 1 clears the pending latch.
        case icpendr = 0x0280
        /// Configuration: 2 bits per INTID; bit 1 of a field set means edge-triggered, clear level-sensitive.
        case icfgr = 0x0C00

        /// Interrupts covered by one 32-bit register.
        var interruptsPerRegister: UInt32 { self == .icfgr ? 16 : 32 }
    }

    /// The register of `bank` that covers `intid`, and the shift of `intid`'s field in it.
    static func vgicDistributorLocation(_ bank: VGICDistributorBank, intid: UInt32) -> (offset: UInt64, shift: UInt32) {
        let perRegister = bank.interruptsPerRegister
        let bits = 32 / perRegister
        return (bank.rawValue + 4 * UInt64(intid / perRegister), (intid % perRegister) * bits)
    }

    /// Reads the distributor register of `bank` covering `intid`.
    /// The corresponding ioctl is `KVM_GET_DEVICE_ATTR`.
    public func vgicDistributorRegister(_ bank: VGICDistributorBank, intid: UInt32) throws -> UInt32 {
        let (offset, _) = Self.vgicDistributorLocation(bank, intid: intid)
        return try attribute(
            group: CKVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: offset, as: UInt32.self,
            label: "GRP_DIST_REGS \(bank)(\(intid))")
    }

    /// Writes the distributor register of `bank` covering `intid`. The corresponding ioctl is
    /// `KVM_SET_DEVICE_ATTR`.
    public func setVGICDistributorRegister(_ bank: VGICDistributorBank, intid: UInt32, _ value: UInt32) throws {
        let (offset, _) = Self.vgicDistributorLocation(bank, intid: intid)
        try setAttribute(
            group: CKVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: offset, value, label: "GRP_DIST_REGS \(bank)(\(intid))")
    }

    /// Whether SPI `intid` is pending, from GICD_ISPENDR.
    public func vgicIsPending(intid: UInt32) throws -> Bool {
        let (_, shift) = Self.vgicDistributorLocation(.ispendr, intid: intid)
        return try vgicDistributorRegister(.ispendr, intid: intid) >> shift & 1 == 1
    }

    /// Configures SPI `intid` as edge-triggered or level-sensitive in GICD_ICFGR, keeping the others.
    public func setVGICEdgeTriggered(intid: UInt32, _ edge: Bool) throws {
        let (_, shift) = Self.vgicDistributorLocation(.icfgr, intid: intid)
        let old = try vgicDistributorRegister(.icfgr, intid: intid)
        let bit = UInt32(0b10) << shift
        try setVGICDistributorRegister(.icfgr, intid: intid, edge ? old | bit : old & ~bit)
    }

    /// Clears SPI `intid`'s pending latch through GICD_ICPENDR.
    public func vgicClearPending(intid: UInt32) throws {
        let (_, shift) = Self.vgicDistributorLocation(.icpendr, intid: intid)
        try setVGICDistributorRegister(.icpendr, intid: intid, 1 << shift)
    }
}
