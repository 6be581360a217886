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
        /// Set-pending: 1 bit per INTID. Through the device attribute it is not the guest's register: a
        /// read gives the pending *latch* only (a level-sensitive line's level comes from `GRP_LEVEL_INFO`,
        /// see `vgicLineLevel`), and a write sets each latch to the bit written, 0 included. (The lab
        /// showed that GICD_ICPENDR writes from userspace are ignored, so clearing goes through here.)
        case ispendr = 0x0200
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

    /// Sets or clears SPI `intid`'s pending latch, keeping the others (a read-modify-write of GICD_ISPENDR,
    /// which userspace writes exactly; see `VGICDistributorBank.ispendr`).
    public func setVGICPending(intid: UInt32, _ pending: Bool) throws {
        let (_, shift) = Self.vgicDistributorLocation(.ispendr, intid: intid)
        let old = try vgicDistributorRegister(.ispendr, intid: intid)
        let bit = UInt32(1) << shift
        try setVGICDistributorRegister(.ispendr, intid: intid, pending ? old | bit : old & ~bit)
    }

    /// Whether SPI `intid`'s input line is high (`KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO`, info type 0, line
    /// level): what a level-sensitive line asserted by `KVM_IRQ_LINE` or a resampling irqfd shows, and
    /// GICD_ISPENDR does not. The corresponding ioctl is `KVM_GET_DEVICE_ATTR`.
    public func vgicLineLevel(intid: UInt32) throws -> Bool {
        // attr: the info type in bits 15:10 (0, line level) and the first of 32 INTIDs in bits 9:0.
        let first = intid / 32 * 32
        let levels = try attribute(
            group: CKVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: UInt64(first), as: UInt32.self,
            label: "GRP_LEVEL_INFO(\(first))")
        return levels >> (intid % 32) & 1 == 1
    }
}
