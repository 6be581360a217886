import SysRegs
import VMM

extension RegisterDump {
    /// Where a vCPU was when it stopped: its exception level and stack pointer from PSTATE.M (Arm ARM
    /// D1.4 "Process state, PSTATE"), the translation regime that level uses (Arm ARM D8.1 "Translation
    /// regimes": EL1&0; EL2 with HCR_EL2.E2H=0; EL2&0 with E2H=1, which EL0 also uses when TGE=1) and,
    /// for EL2 vCPUs, the stage 2 translation the guest hypervisor set up for its own guest.
    struct ExecutionContext {
        /// `EL2h`, `EL1t`, ...; nil without PSTATE.
        let mode: String?
        let exceptionLevel: Int?
        /// `SP_EL2`, or `SP_EL0` for the `t` modes.
        let stackPointer: String?
        let aarch32: Bool
        /// The translation regime of the current exception level; nil without PSTATE, or at EL3 (which
        /// KVM guests never reach).
        let regime: TranslationRegime?
        /// The vCPU has EL2 (KVM_ARM_VCPU_HAS_EL2).
        let hasEL2: Bool
        /// HCR_EL2.E2H and TGE (false on EL1 vCPUs, and E2H always false on E2H0 ones, where it is RES0).
        let e2h: Bool
        let tge: Bool
        /// HCR_EL2 was in the state.
        let hasHCR: Bool
        /// HCR_EL2.VM: stage 2 on for the guest hypervisor's EL1&0 guest.
        let stage2Enabled: Bool
        /// VTTBR_EL2, if in the state.
        let vttbr: UInt128?

        init(vcpu: VCPUState, file: RegisterFile) {
            hasEL2 = vcpu.features.el2
            let hcr = hasEL2 ? file[SysReg.HCR_EL2] : nil
            hasHCR = hcr != nil
            e2h = !vcpu.features.e2h0 && (hcr ?? 0) >> 34 & 1 == 1
            tge = (hcr ?? 0) >> 27 & 1 == 1
            stage2Enabled = (hcr ?? 0) & 1 == 1
            vttbr = hasEL2 ? file[SysReg.VTTBR_EL2] : nil
            guard let pstate = file[SysReg.PSTATE].map({ UInt64(truncatingIfNeeded: $0) }) else {
                (mode, exceptionLevel, stackPointer, aarch32, regime) = (nil, nil, nil, false, nil)
                return
            }
            let m = pstate & 0xF
            aarch32 = pstate >> 4 & 1 == 1
            if aarch32 {
                // AArch32 modes: usr (0b0000) is EL0, hyp (0b1010) EL2, the others EL1.
                let el = m == 0 ? 0 : (m == 0xA ? 2 : 1)
                (mode, exceptionLevel, stackPointer) = ("AArch32 M=" + hexShort(pstate & 0x1F), el, nil)
            } else {
                let el = Int(m >> 2)
                let handler = m & 1 == 1
                mode = m & 2 != 0 ? "reserved M[3:0]=" + hexShort(m) : "EL\(el)" + (handler ? "h" : "t")
                exceptionLevel = el
                stackPointer = handler ? "SP_EL\(el)" : "SP_EL0"
            }
            regime = TranslationRegime.current(exceptionLevel: exceptionLevel ?? 0, hasEL2: hasEL2, e2h: e2h, tge: tge)
        }

        /// VTTBR_EL2.VMID, bits [63:48] (16-bit VMIDs; [63:56] are RES0 with 8-bit ones).
        var vmid: UInt64? { vttbr.map { UInt64(truncatingIfNeeded: $0 >> 48) & 0xFFFF } }

        /// VTTBR_EL2.BADDR as an address: bits [47:1] in place.
        var baddr: UInt64? { vttbr.map { UInt64(truncatingIfNeeded: $0) & 0x0000_FFFF_FFFF_FFFE } }

        /// One line on the exception level: `EL2h: EL2, on SP_EL2, AArch64`.
        var levelText: String {
            guard let mode, let el = exceptionLevel else { return "unknown (no PSTATE in the state)" }
            if aarch32 { return "EL\(el) (\(mode)), AArch32" }
            return "\(mode): EL\(el), on \(stackPointer ?? "?"), AArch64"
        }

        /// One line on the regime and why.
        var regimeText: String {
            guard exceptionLevel != nil else { return "unknown (no PSTATE in the state)" }
            let hcrText = "HCR_EL2.E2H=\(e2h ? 1 : 0), TGE=\(tge ? 1 : 0)"
            guard let regime else { return "EL3 (\(hcrText))" }
            guard hasEL2 else { return "\(regime) (an EL1 vCPU: stage 2 belongs to the host's KVM)" }
            switch regime {
            case .el20 where exceptionLevel == 0: return "EL2&0 (\(hcrText): a host application under VHE)"
            case .el20: return "EL2&0 (\(hcrText): the guest hypervisor, VHE)"
            case .el2: return "EL2 (\(hcrText): the guest hypervisor, non-VHE)"
            case .el10: return "EL1&0 (\(hcrText): the guest hypervisor's guest)"
            }
        }

        /// One line on the guest hypervisor's stage 2, for EL2 vCPUs.
        var stage2Text: String? {
            guard hasEL2 else { return nil }
            guard hasHCR else { return "unknown (no HCR_EL2 in the state)" }
            var text =
                stage2Enabled
                ? "enabled for the guest hypervisor's guest (HCR_EL2.VM=1)"
                : "disabled for the guest hypervisor's guest (HCR_EL2.VM=0)"
            if let vmid, let baddr { text += "; VTTBR_EL2 VMID \(vmid), BADDR \(hexShort(baddr))" }
            return text
        }
    }
}
