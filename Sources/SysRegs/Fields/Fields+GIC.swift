// GICv3 virtual CPU interface control registers (Arm GIC architecture specification IHI0069, "ICH_HCR_EL2",
// "ICH_VMCR_EL2").

extension FieldLayout {
    /// ICH_HCR_EL2, Interrupt Controller Hyp Control Register.
    static let ICH_HCR_EL2 = FieldLayout([
        BitField("En", bit: 0, "Virtual CPU interface enable"),
        BitField("UIE", bit: 1, "Underflow maintenance interrupt enable"),
        BitField("LRENPIE", bit: 2, "List Register Entry Not Present maintenance interrupt enable"),
        BitField("NPIE", bit: 3, "No Pending maintenance interrupt enable"),
        BitField("VGrp0EIE", bit: 4, "Maintenance interrupt while virtual Group 0 is enabled"),
        BitField("VGrp0DIE", bit: 5, "Maintenance interrupt while virtual Group 0 is disabled"),
        BitField("VGrp1EIE", bit: 6, "Maintenance interrupt while virtual Group 1 is enabled"),
        BitField("VGrp1DIE", bit: 7, "Maintenance interrupt while virtual Group 1 is disabled"),
        BitField("vSGIEOICount", bit: 8, "Virtual SGI deactivation does not increment EOIcount"),
        BitField("TC", bit: 10, "Trap EL1 accesses to common Group 0/1 registers"),
        BitField("TALL0", bit: 11, "Trap EL1 accesses to Group 0 registers"),
        BitField("TALL1", bit: 12, "Trap EL1 accesses to Group 1 registers"),
        BitField("TSEI", bit: 13, "Trap locally generated SEIs"),
        BitField("TDIR", bit: 14, "Trap EL1 writes to ICC_DIR_EL1 and ICV_DIR_EL1"),
        BitField("DVIM", bit: 15, "Directly-injected Virtual Interrupt Mask"),
        BitField("EOIcount", 31, 27, "EOIs without a matching List Register"),
    ])

    /// ICH_VMCR_EL2, Interrupt Controller Virtual Machine Control Register.
    static let ICH_VMCR_EL2 = FieldLayout([
        BitField("VENG0", bit: 0, "Virtual Group 0 interrupt enable"),
        BitField("VENG1", bit: 1, "Virtual Group 1 interrupt enable"),
        BitField("VAckCtl", bit: 2, "Virtual AckCtl (legacy)"),
        BitField("VFIQEn", bit: 3, "Virtual FIQ enable (legacy)"),
        BitField("VCBPR", bit: 4, "Virtual Common Binary Point Register"),
        BitField("VEOIM", bit: 9, "Virtual EOI mode"),
        BitField("VBPR1", 20, 18, "Virtual Binary Point, Group 1"),
        BitField("VBPR0", 23, 21, "Virtual Binary Point, Group 0"),
        BitField("VPMR", 31, 24, "Virtual Priority Mask"),
    ])
}
