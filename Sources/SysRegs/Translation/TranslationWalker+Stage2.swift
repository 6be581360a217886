extension TranslationWalker {
    /// Stage 2 control from VTCR_EL2 and VTTBR_EL2 (Arm ARM D24.2 "VTCR_EL2"; D8.2.6 "Stage 2 translation
    /// table walks"): granule, IPA size, start level from SL0 and the PS output size.
    struct Stage2Control {
        let granule: TranslationGranule
        let t0sz: UInt64
        let sl0: UInt64
        let ps: UInt64
        let ha: Bool
        let baddr: UInt64
    }

    func stage2Control() throws(TranslationError) -> Stage2Control {
        let vtcr = registers.VTCR_EL2
        guard let granule = TranslationGranule.fromTG0(vtcr >> 14) else {
            throw .reservedGranule(register: "VTCR_EL2", field: "TG0", value: vtcr >> 14 & 3)
        }
        return Stage2Control(
            granule: granule, t0sz: vtcr & 0x3F, sl0: vtcr >> 6 & 3, ps: vtcr >> 16 & 7, ha: vtcr >> 21 & 1 == 1,
            baddr: registers.VTTBR_EL2 & TranslationLookup.addressMask & ~1)
    }

    /// The stage 2 start level SL0 encodes: 4KB 0b00 level 2, 0b01 level 1, 0b10 level 0; 16KB and 64KB
    /// 0b00 level 3, 0b01 level 2, 0b10 level 1. 0b11 needs FEAT_TTST (4KB) or FEAT_LPA2 (16KB) and is
    /// treated as the reserved value it is without them.
    static func stage2StartLevel(granule: TranslationGranule, sl0: UInt64) -> Int? {
        guard sl0 != 3 else { return nil }
        return granule == .kb4 ? 2 - Int(sl0) : 3 - Int(sl0)
    }

    /// The stage 2 output for an IPA: the PA, the leaf's MemAttr and SH, and its S2AP/XN.
    struct Stage2Output {
        let pa: UInt64
        let memAttr: UInt8
        let sh: UInt64
    }

    /// Translates `ipa` through stage 2, for a read or a write; `onStage1Walk` marks a stage 1 table fetch,
    /// so every fault carries PTW=1 (Arm ARM D24.2 "PAR_EL1": a stage 2 fault on a stage 1 walk).
    func walkStage2(
        _ ipa: UInt64, write: Bool, onStage1Walk: Bool, control: Stage2Control, steps: inout [WalkStep]
    ) throws(TranslationFault) -> Stage2Output {
        func fault(_ kind: TranslationFault.Kind, _ level: Int, _ reason: String) -> TranslationFault {
            TranslationFault(kind, level: level, stage2: true, onStage1Walk: onStage1Walk, reason: reason)
        }
        let inputSize = 64 - min(max(Int(control.t0sz), 16), 39)
        guard let start = Self.stage2StartLevel(granule: control.granule, sl0: control.sl0) else {
            throw fault(.translation, 0, "VTCR_EL2.SL0=0b11 is reserved with \(control.granule)")
        }
        let lookup = TranslationLookup(
            stage: 2, granule: control.granule, inputSize: inputSize, startLevel: start, base: control.baddr,
            outputSize: min(PhysicalAddressSize.bits(control.ps), registers.physicalAddressBits), stage2: true,
            onStage1Walk: onStage1Walk)
        // VTCR_EL2.{T0SZ,SL0} must agree: 1 to stride+4 index bits at the start level (up to 16 concatenated
        // tables); otherwise the walk is a stage 2 level 0 Translation fault.
        guard lookup.startIndexBits >= 1, lookup.startIndexBits <= control.granule.stride + 4 else {
            throw fault(
                .translation, 0,
                "VTCR_EL2.T0SZ=\(control.t0sz) and SL0=\(control.sl0) disagree: level \(start) would index "
                    + "\(lookup.startIndexBits) bits")
        }
        guard ipa >> UInt64(inputSize) == 0 else {
            throw fault(.translation, 0, "IPA \(hex(ipa)) is outside the \(inputSize)-bit IPA space (VTCR_EL2.T0SZ)")
        }
        guard control.baddr >> UInt64(lookup.outputSize) == 0 else {
            throw fault(.addressSize, 0, "VTTBR_EL2.BADDR exceeds the \(lookup.outputSize)-bit output size")
        }
        let memory = self.memory
        let leaf = try lookup.aligned().walk(ipa, steps: &steps) {
            (address, level, _) throws(TranslationFault) -> UInt64 in
            guard let value = memory.read64(at: address) else {
                throw fault(.externalAbortOnWalk, level, "stage 2 table entry at \(hex(address)) is not in guest RAM")
            }
            return value
        }
        let d = leaf.descriptor
        if d >> 10 & 1 == 0 && !(control.ha && registers.hardwareAccessFlag) {
            throw fault(.accessFlag, leaf.level, "stage 2 AF=0 (and no hardware Access flag update)")
        }
        let s2ap = d >> 6 & 3
        if write ? s2ap & 2 == 0 : s2ap & 1 == 0 {
            let what = onStage1Walk ? "stage 1 table fetch (a read)" : (write ? "write" : "read")
            throw fault(.permission, leaf.level, "S2AP=0b\(String(s2ap, radix: 2)) does not allow the \(what)")
        }
        return Stage2Output(pa: leaf.outputAddress, memAttr: UInt8(d >> 2 & 0xF), sh: d >> 8 & 3)
    }
}
