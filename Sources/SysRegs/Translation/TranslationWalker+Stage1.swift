extension TranslationWalker {
    /// Stage 1 control for one input address: the registers of its regime and the range it falls in.
    struct Stage1Control {
        let sctlr: UInt64
        let mair: UInt64
        /// TTBR0/TTBR1 (always TTBR0 in the EL2 regime).
        let upperRange: Bool
        let ttbr: UInt64
        let ttbrName: String
        let tnsz: UInt64
        let epd: Bool
        let granule: TranslationGranule
        let ips: UInt64
        let tbi: Bool
        let ha: Bool
        let hpd: Bool
    }

    /// Reads the regime's TCR fields for `va` (Arm ARM D24.2 "TCR_EL1", "TCR_EL2"): the EL1&0 and EL2&0
    /// regimes share the TCR_EL1 layout, with TTBR1 selected by VA bit 55; the EL2 regime has TCR_EL2's
    /// E2H=0 layout and only TTBR0_EL2.
    func stage1Control(regime: TranslationRegime, va: UInt64) throws(TranslationError) -> Stage1Control {
        let r = registers
        if regime == .el2 {
            let tcr = r.TCR_EL2
            guard let granule = TranslationGranule.fromTG0(tcr >> 14) else {
                throw .reservedGranule(register: "TCR_EL2", field: "TG0", value: tcr >> 14 & 3)
            }
            return Stage1Control(
                sctlr: r.SCTLR_EL2, mair: r.MAIR_EL2, upperRange: false, ttbr: r.TTBR0_EL2, ttbrName: "TTBR0_EL2",
                tnsz: tcr & 0x3F, epd: false, granule: granule, ips: tcr >> 16 & 7, tbi: tcr >> 20 & 1 == 1,
                ha: tcr >> 21 & 1 == 1, hpd: tcr >> 24 & 1 == 1)
        }
        let el2 = regime == .el20
        let tcr = el2 ? r.TCR_EL2 : r.TCR_EL1
        let tcrName = el2 ? "TCR_EL2" : "TCR_EL1"
        let upper = va >> 55 & 1 == 1
        let granule = upper ? TranslationGranule.fromTG1(tcr >> 30) : TranslationGranule.fromTG0(tcr >> 14)
        guard let granule else {
            throw .reservedGranule(
                register: tcrName, field: upper ? "TG1" : "TG0", value: tcr >> (upper ? 30 : 14) & 3)
        }
        let ttbr = upper ? (el2 ? r.TTBR1_EL2 : r.TTBR1_EL1) : (el2 ? r.TTBR0_EL2 : r.TTBR0_EL1)
        return Stage1Control(
            sctlr: el2 ? r.SCTLR_EL2 : r.SCTLR_EL1, mair: el2 ? r.MAIR_EL2 : r.MAIR_EL1, upperRange: upper,
            ttbr: ttbr, ttbrName: (upper ? "TTBR1_" : "TTBR0_") + (el2 ? "EL2" : "EL1"),
            tnsz: upper ? tcr >> 16 & 0x3F : tcr & 0x3F, epd: tcr >> (upper ? 23 : 7) & 1 == 1,
            granule: granule, ips: tcr >> 32 & 7, tbi: tcr >> (upper ? 38 : 37) & 1 == 1,
            ha: tcr >> 39 & 1 == 1, hpd: tcr >> (upper ? 42 : 41) & 1 == 1)
    }

    /// TnSZ outside 16...39 (48-bit VAs without FEAT_LVA, no FEAT_TTST) is IMPLEMENTATION DEFINED as either
    /// clamped or a level 0 Translation fault; the walker clamps, as the lab's hardware does, and notes it.
    static func clampedSize(_ tnsz: UInt64, name: String, notes: inout [String]) -> Int {
        let clamped = min(max(Int(tnsz), 16), 39)
        if clamped != Int(tnsz) { notes.append("\(name)=\(tnsz) is out of range; treated as \(clamped)") }
        return 64 - clamped
    }

    /// Sets up the stage 1 lookup for `va`, or throws the level 0 fault the architecture gives an address
    /// outside the regime's ranges, a disabled walk (EPDn) or a TTBR outside the output address size.
    func stage1Lookup(
        _ control: Stage1Control, regime: TranslationRegime, va: UInt64, notes: inout [String]
    ) throws(TranslationFault) -> TranslationLookup {
        let name = (regime == .el2 ? "T0SZ" : (control.upperRange ? "T1SZ" : "T0SZ"))
        let inputSize = Self.clampedSize(control.tnsz, name: name, notes: &notes)
        // The bits above the range, below the tag when TBI ignores it, must all equal the range select bit.
        let top = control.tbi ? 55 : 63
        let span = UInt64(top - inputSize + 1)
        let upperBits = (va >> UInt64(inputSize)) & ((1 << span) - 1)
        let expected: UInt64 = control.upperRange ? (1 << span) - 1 : 0
        guard upperBits == expected else {
            let want = control.upperRange ? "all 1" : "all 0"
            throw TranslationFault(
                .translation, level: 0,
                reason: "VA bits [\(top):\(inputSize)] are not \(want): outside the \(control.ttbrName) range "
                    + "(\(name)=\(64 - inputSize))")
        }
        guard !control.epd else {
            throw TranslationFault(
                .translation, level: 0,
                reason: "EPD\(control.upperRange ? 1 : 0)=1: walks using \(control.ttbrName) are disabled")
        }
        let outputSize = min(PhysicalAddressSize.bits(control.ips), registers.physicalAddressBits)
        let baddr = control.ttbr & TranslationLookup.addressMask & ~1
        guard baddr >> UInt64(outputSize) == 0 else {
            throw TranslationFault(
                .addressSize, level: 0,
                reason: "\(control.ttbrName).BADDR \(hex(baddr)) exceeds the \(outputSize)-bit output size")
        }
        let start = control.granule.startLevel(inputSize: inputSize)
        let lookup = TranslationLookup(
            stage: 1, granule: control.granule, inputSize: inputSize, startLevel: start, base: baddr,
            outputSize: outputSize, stage2: false, onStage1Walk: false)
        return lookup.aligned()
    }

    /// Stage 1 permissions of a leaf (Arm ARM D8.4 "Memory access control"): AP[2:1] limited by the
    /// hierarchical APTable/UXNTable/PXNTable (ignored with TCR_ELx.HPDn=1), then PAN for S1E1RP/WP.
    func stage1Permissions(
        leaf: TranslationLookup.Leaf, control: Stage1Control, regime: TranslationRegime, operation: ATOperation
    ) -> AccessPermissions {
        let d = leaf.descriptor
        let table = control.hpd ? 0 : leaf.tableAttributes
        // tableAttributes holds descriptor bits [63:59]: bit 0 PXNTable, 1 UXNTable/XNTable, 2-3 APTable.
        let pxnTable = table & 1 == 1
        let xnTable = table >> 1 & 1 == 1
        let apTable = table >> 2 & 3
        let readOnly = d >> 7 & 1 == 1 || apTable & 2 != 0
        var p = AccessPermissions()
        p.privilegedWrite = !readOnly
        let wxn = control.sctlr >> 19 & 1 == 1
        guard regime.hasUnprivilegedLevel else {
            // EL2 regime: AP[1] is RES1, XN is bit 54, and XNTable bit 60.
            p.privilegedExecute = !(d >> 54 & 1 == 1 || xnTable || (wxn && p.privilegedWrite))
            return p
        }
        p.unprivilegedRead = d >> 6 & 1 == 1 && apTable & 1 == 0
        p.unprivilegedWrite = p.unprivilegedRead && !readOnly
        p.unprivilegedExecute = !(d >> 54 & 1 == 1 || xnTable || (wxn && p.unprivilegedWrite))
        // Memory that EL0 can write is never executable at EL1 (Arm ARM D8.4.1.2).
        p.privilegedExecute =
            !(d >> 53 & 1 == 1 || pxnTable || p.unprivilegedWrite || (wxn && p.privilegedWrite))
        if operation.honoursPAN && registers.pan && (p.unprivilegedRead || p.unprivilegedWrite) {
            p.privilegedRead = false
            p.privilegedWrite = false
        }
        return p
    }
}

extension TranslationLookup {
    /// The start table aligned to its size: BADDR bits below it are RES0 and the walker ignores them, so a
    /// misaligned TTBR selects the same table the hardware uses when it treats them as 0.
    func aligned() -> TranslationLookup {
        let tableBytes = UInt64(8) << UInt64(max(startIndexBits, 3))
        return TranslationLookup(
            stage: stage, granule: granule, inputSize: inputSize, startLevel: startLevel,
            base: base & ~(tableBytes - 1), outputSize: outputSize, stage2: stage2, onStage1Walk: onStage1Walk)
    }
}
