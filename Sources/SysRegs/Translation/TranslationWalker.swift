/// A software model of the VMSAv8-64 AT instructions: stage 1 for the EL1&0, EL2 and EL2&0 regimes and
/// stage 2 for EL1&0, over guest-physical memory (Arm ARM DDI0487, D8 "The AArch64 Virtual Memory System
/// Architecture"; C5.5 "A64 system instructions for address translation").
///
/// Every stage 1 table fetch of the EL1&0 regime goes through stage 2 when HCR_EL2.VM=1, as the hardware
/// walker does, so a guest hypervisor's stage 2 faulting on its guest's page tables is reported as the
/// AT instruction reports it (PAR_EL1.S=1, PTW=1). What the walker does not model is in docs/translate.md.
public struct TranslationWalker<Memory: GuestPhysicalMemory> {
    public let memory: Memory
    public let registers: TranslationRegisters

    public init(memory: Memory, registers: TranslationRegisters) {
        self.memory = memory
        self.registers = registers
    }

    /// What `AT <operation>, <address>` would write to PAR_EL1, with the walk behind it.
    ///
    /// - Throws: `TranslationError` when the register state has no architected result (a reserved granule
    ///   encoding) or the operation needs EL2 the vCPU does not have. Faults are results, not errors.
    public func translate(_ address: UInt64, operation: ATOperation) throws(TranslationError) -> TranslationResult {
        let r = registers
        if !r.hasEL2 && (operation.targetsEL2 || operation.includesStage2) {
            throw .notAnEL2Operation(operation)
        }
        let regime = operation.regime(e2h: r.e2h, tge: r.tge)
        let stage2On = regime == .el10 && r.stage2Enabled
        let s1 = try stage1Control(regime: regime, va: address)
        let s2 = stage2On ? try stage2Control() : nil
        var steps: [WalkStep] = []
        var notes: [String] = []
        var builder = ResultBuilder(
            operation: operation, regime: regime, input: address, stage2Used: stage2On,
            stage1Disabled: s1.sctlr & 1 == 0)
        do {
            let stage1 = try walkStage1(
                address, control: s1, regime: regime, operation: operation, stage2: s2, steps: &steps, notes: &notes)
            builder.stage1Output = stage1.address
            builder.permissions = stage1.permissions
            var attr = stage1.attr
            var sh = stage1.sh
            var output = stage1.address
            if operation.includesStage2, let s2 {
                let final = try walkStage2(
                    stage1.address, write: operation.isWrite, onStage1Walk: false, control: s2, steps: &steps)
                attr = MemoryAttributes.combine(stage1: attr, stage2: final.memAttr)
                sh = MemoryAttributes.combine(shareability: sh, final.sh)
                output = final.pa
            }
            builder.output = output
            builder.attr = attr
            builder.sh = MemoryAttributes.reportedShareability(attr, sh: sh)
        } catch {
            builder.fault = error
        }
        return builder.build(steps: steps, notes: notes)
    }

    /// Stage 1's answer: the output address (IPA or PA), its MAIR attribute and SH, and the permissions.
    struct Stage1Output {
        let address: UInt64
        let attr: UInt8
        let sh: UInt64
        let permissions: AccessPermissions?
    }

    func walkStage1(
        _ va: UInt64, control: Stage1Control, regime: TranslationRegime, operation: ATOperation,
        stage2: Stage2Control?, steps: inout [WalkStep], notes: inout [String]
    ) throws(TranslationFault) -> Stage1Output {
        guard control.sctlr & 1 == 1 else { return try flatStage1(va, regime: regime) }
        let lookup = try stage1Lookup(control, regime: regime, va: va, notes: &notes)
        let memory = self.memory
        let leaf = try lookup.walk(va, steps: &steps) {
            (address, level, steps) throws(TranslationFault) -> UInt64 in
            var pa = address
            if let stage2 {
                pa = try walkStage2(address, write: false, onStage1Walk: true, control: stage2, steps: &steps).pa
            }
            guard let value = memory.read64(at: pa) else {
                throw TranslationFault(
                    .externalAbortOnWalk, level: level, reason: "stage 1 table entry at \(hex(pa)) is not in guest RAM")
            }
            return value
        }
        let d = leaf.descriptor
        if d >> 10 & 1 == 0 {
            guard control.ha && registers.hardwareAccessFlag else {
                throw TranslationFault(
                    .accessFlag, level: leaf.level,
                    reason: "AF=0 in the level \(leaf.level) descriptor (and no hardware Access flag update)")
            }
            notes.append("AF=0: the hardware sets it on this access (TCR HA=1, FEAT_HAFDBS)")
        }
        let permissions = stage1Permissions(leaf: leaf, control: control, regime: regime, operation: operation)
        try checkAccess(permissions, descriptor: d, level: leaf.level, regime: regime, operation: operation)
        let attr = MemoryAttributes.mairAttribute(control.mair, index: d >> 2 & 7)
        return Stage1Output(address: leaf.outputAddress, attr: attr, sh: d >> 8 & 3, permissions: permissions)
    }

    /// Stage 1 off: the output address is the input address, Device-nGnRnE for data, and an input address
    /// beyond the physical address size is an Address size fault at level 0 (Arm ARM D8.2.10 "The effects
    /// of disabling a stage of translation").
    func flatStage1(_ va: UInt64, regime: TranslationRegime) throws(TranslationFault) -> Stage1Output {
        let bits = registers.physicalAddressBits
        guard va >> UInt64(bits) == 0 else {
            throw TranslationFault(
                .addressSize, level: 0, reason: "stage 1 is off and \(hex(va)) exceeds the \(bits)-bit PA size")
        }
        return Stage1Output(address: va, attr: 0x00, sh: 0b10, permissions: nil)
    }

    /// The read or write check the operation makes, with the field that refused it.
    func checkAccess(
        _ p: AccessPermissions, descriptor d: UInt64, level: Int, regime: TranslationRegime, operation: ATOperation
    ) throws(TranslationFault) {
        let unprivileged = operation.isUnprivileged && regime.hasUnprivilegedLevel
        let allowed =
            unprivileged
            ? (operation.isWrite ? p.unprivilegedWrite : p.unprivilegedRead)
            : (operation.isWrite ? p.privilegedWrite : p.privilegedRead)
        guard !allowed else { return }
        let ap = "AP=0b" + String(d >> 6 & 3, radix: 2)
        let reason: String
        if !unprivileged && operation.honoursPAN && registers.pan && (p.unprivilegedRead || p.unprivilegedWrite) {
            reason = "PSTATE.PAN=1 and the page is accessible at EL0 (\(ap)): \(operation) is refused"
        } else if operation.isWrite && (unprivileged ? p.unprivilegedRead : p.privilegedRead) {
            reason = "read-only: \(ap) or APTable[1]=1"
        } else {
            reason = "no EL0 access: \(ap) (AP[1]=0) or APTable[0]=1"
        }
        throw TranslationFault(.permission, level: level, reason: reason)
    }
}

/// Assembles a `TranslationResult` and its PAR_EL1 from what the walk found.
struct ResultBuilder {
    let operation: ATOperation
    let regime: TranslationRegime
    let input: UInt64
    let stage2Used: Bool
    let stage1Disabled: Bool
    var stage1Output: UInt64?
    var output: UInt64?
    var attr: UInt8?
    var sh: UInt64?
    var permissions: AccessPermissions?
    var fault: TranslationFault?

    /// PAR_EL1 on success (Arm ARM D24.2 "PAR_EL1", F=0): ATTR [63:56], PA [47:12], bit 11 RES1, NS [9]
    /// (UNKNOWN for a Non-secure regime; written 1, the output being a Non-secure PA), SH [8:7], F=0.
    static func successPAR(pa: UInt64, attr: UInt8, sh: UInt64) -> UInt64 {
        UInt64(attr) << 56 | pa & 0x0000_FFFF_FFFF_F000 | 1 << 11 | 1 << 9 | (sh & 3) << 7
    }

    func build(steps: [WalkStep], notes: [String]) -> TranslationResult {
        let par: UInt64
        if let fault {
            par = fault.par
        } else {
            par = Self.successPAR(pa: output ?? 0, attr: attr ?? 0, sh: sh ?? 0)
        }
        return TranslationResult(
            operation: operation, regime: regime, inputAddress: input, par: par, fault: fault,
            stage1Output: fault == nil ? stage1Output : nil, outputAddress: fault == nil ? output : nil,
            attributes: fault == nil ? attr : nil, shareability: fault == nil ? sh : nil,
            permissions: fault == nil ? permissions : nil, stage1Disabled: stage1Disabled, stage2Used: stage2Used,
            steps: steps, notes: notes)
    }
}
