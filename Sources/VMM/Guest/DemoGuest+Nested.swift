// The nested demo: a guest hypervisor at (virtual) EL2 that runs an EL1 guest behind its own stage 2.

extension DemoGuest {
    /// HCR_EL2 bits the guest hypervisor sets or keeps (Arm ARM D24.2 "HCR_EL2").
    enum HCR {
        /// VM[0]: stage 2 translation on for EL1&0.
        static let vm: UInt64 = 1 << 0
        /// RW[31]: EL1 is AArch64.
        static let rw: UInt64 = 1 << 31
        /// E2H[34]: kept as found, since KVM fixes it (RES1 for a VHE vCPU, RES0 with HAS_EL2_E2H0).
        static let e2h: UInt64 = 1 << 34
        static let e2hBit = 34
    }

    /// VTCR_EL2 without PS (Arm ARM D24.2 "VTCR_EL2"): T0SZ = 25 (39-bit IPA), SL0 = 0b01 (start at level 1
    /// with TG0 = 4 KiB), IRGN0 = ORGN0 = 0b01 (walks Write-Back Write-Allocate), SH0 = 0b11 (Inner
    /// Shareable), TG0 = 0b00 (4 KiB), VS = 0 (8-bit VMID), bit 31 RES1. PS[18:16] is filled in at run time
    /// from ID_AA64MMFR0_EL1.PARange, capped at 0b101 (48 bits) since descriptors here are 48-bit.
    static let vtcrWithoutPS: UInt64 =
        UInt64(64 - Stage2Tables.inputAddressBits) | 0b01 << 6 | 0b01 << 8 | 0b01 << 10 | 0b11 << 12 | 1 << 31
    /// VTTBR_EL2.VMID[55:48] of the L2 guest.
    static let vmid: UInt64 = 1
    /// SCTLR_EL1 for the L2 guest: MMU and caches off, little-endian, with the ARMv8.0 RES1 bits
    /// (LSMAOE, nTLSMD, SPAN, EIS, TSCXT, EOS); Linux's INIT_SCTLR_EL1_MMU_OFF.
    static let sctlrEL1MMUOff: UInt64 = 0x30D0_0800
    /// SPSR_EL2 for the ERET into the L2 guest: EL1h with D, A, I and F masked.
    static let spsrEL1h: UInt64 = 0x3C5
    /// The HVC immediate the L2 guest calls its hypervisor with.
    static let l2HVCImmediate: UInt16 = 0x42
    /// The HVC immediate the L2 guest's unexpected-exception handler uses to hand over to the hypervisor.
    static let l2FailureHVCImmediate: UInt16 = 0xBAD

    /// The nested demo: needs a vCPU with KVM_ARM_VCPU_HAS_EL2 (with or without HAS_EL2_E2H0), which KVM
    /// resets to EL2h with HCR_EL2 = E2H|RW (VHE) or RW (E2H0).
    ///
    /// Layout from `loadAddress` (4 KiB aligned), each part starting on a 4 KiB page:
    /// - page 0: the guest hypervisor's EL2 vector table (+0x000), its entry point (+0x800), code and strings;
    /// - page 1: the L2 guest: its EL1 vector table (+0x000), entry point (+0x800), code and strings;
    /// - pages 2-4: stage-2 tables (level-1 root, then level-2 and level-3 tables), mapping only the L2
    ///   guest's page (identity, Normal Write-Back) and the UART page (identity, Device-nGnRnE, XN), so the
    ///   guest's UART stores reach vmmctl as MMIO exits while the hypervisor's page stays invisible to it.
    ///
    /// The hypervisor sets VBAR_EL2, VTCR_EL2, VTTBR_EL2 (VMID 1), the L2's SCTLR_EL1 (through SCTLR_EL12
    /// when E2H = 1), HCR_EL2 = VM|RW plus E2H as found (TGE = 0), invalidates the VMID's TLB entries and
    /// ERETs to the L2 guest at EL1h. Only the vector at +0x400 (synchronous, lower EL, AArch64) is expected:
    /// it prints ESR_EL2 and calls SYSTEM_OFF with SMC #0.
    ///
    /// vCPU state at entry: PC = `entryPoint`, PSTATE = EL2h with DAIF masked (KVM's reset value); nothing
    /// else (no stack is used; SP_EL2 reads as KVM's poison value and is never touched).
    /// - Parameters:
    ///   - uartBase: the PL011's guest physical address: 4 KiB aligned, outside RAM.
    ///   - loadAddress: where the image goes; it must lie inside RAM.
    ///   - ramBase: guest physical address of RAM.
    ///   - ramSize: bytes of RAM.
    /// - Throws: `DemoGuestError` for a placement the program cannot use.
    public static func nested(
        uartBase: UInt64, loadAddress: UInt64, ramBase: UInt64, ramSize: UInt64
    ) throws(DemoGuestError) -> GuestProgram {
        guard loadAddress % 0x1000 == 0 else { throw .misalignedLoadAddress(loadAddress) }
        let ram = ramBase..<(ramBase &+ ramSize)
        guard ramBase <= ram.upperBound else { throw .beyondIPASpace(address: ramBase, bits: 64) }
        guard uartBase % 0x1000 == 0 else {
            throw .invalidUARTPlacement(uartBase: uartBase, reason: "not 4 KiB aligned")
        }
        guard !ram.contains(uartBase) else { throw .invalidUARTPlacement(uartBase: uartBase, reason: "inside RAM") }
        let regs = try DemoRegisters()
        var w = GuestImageWriter(uartBase: uartBase)
        let labels = NestedLabels(&w.asm)

        w.beginSection("hypervisor")
        emitHypervisor(&w, regs, labels)
        w.endSection()

        w.asm.align(0x1000)
        w.asm.bind(labels.l2Page)
        w.beginSection("l2")
        emitL2Guest(&w, regs, labels)
        w.endSection()
        w.asm.align(0x1000)
        w.asm.bind(labels.l2End)

        guard let l2Start = w.asm.byteOffset(of: labels.l2Page) else { throw .assembly(.unboundLabel("l2")) }
        var tables = Stage2Tables(baseAddress: loadAddress + UInt64(w.asm.byteOffset))
        w.asm.bind(labels.stage2Root)
        for page in stride(from: loadAddress + UInt64(l2Start), to: tables.baseAddress, by: 0x1000) {
            guard tables.mapPage(ipa: page, pa: page, attributes: Stage2Tables.normalPage) else {
                throw .beyondIPASpace(address: page, bits: Stage2Tables.inputAddressBits)
            }
        }
        guard tables.mapPage(ipa: uartBase, pa: uartBase, attributes: Stage2Tables.devicePage) else {
            throw .beyondIPASpace(address: uartBase, bits: Stage2Tables.inputAddressBits)
        }
        w.asm.data(tables.bytes)

        let bytes = try assemble(w.asm)
        let image = loadAddress..<(loadAddress + UInt64(bytes.count))
        guard image.lowerBound >= ram.lowerBound, image.upperBound <= ram.upperBound else {
            throw .imageOutsideRAM(image: image, ram: ram)
        }
        let symbols = try resolve(labels.symbols, in: w.asm, at: loadAddress)
        let expected =
            Text.hypervisorAt + "2" + Text.hypervisorEntering + Text.l2Hello + "1" + Text.l2HelloEnd
            + Text.hypervisorAt + "2" + Text.tookHVC + "42" + Text.fromEL1 + "5a000042" + Text.lineEnd
        return GuestProgram(
            name: "nested demo", bytes: bytes, loadAddress: loadAddress,
            entryPoint: symbols["hypervisor.entry"] ?? loadAddress, entryPSTATE: pstateEL2h,
            expectedOutput: expected, symbols: symbols)
    }

    /// Labels shared between the hypervisor and the L2 guest sections.
    struct NestedLabels {
        let hypervisorVectors: A64.Label
        let hypervisorEntry: A64.Label
        let l2Page: A64.Label
        let l2Vectors: A64.Label
        let l2Entry: A64.Label
        let l2End: A64.Label
        let stage2Root: A64.Label

        init(_ asm: inout A64Assembler) {
            hypervisorVectors = asm.makeLabel("hypervisor.vectors")
            hypervisorEntry = asm.makeLabel("hypervisor.entry")
            l2Page = asm.makeLabel("l2.page")
            l2Vectors = asm.makeLabel("l2.vectors")
            l2Entry = asm.makeLabel("l2.entry")
            l2End = asm.makeLabel("l2.end")
            stage2Root = asm.makeLabel("stage2.root")
        }

        var symbols: [String: A64.Label] {
            [
                "hypervisor.vectors": hypervisorVectors, "hypervisor.entry": hypervisorEntry, "l2.vectors": l2Vectors,
                "l2.entry": l2Entry, "stage2.root": stage2Root, "l2.end": l2End,
            ]
        }
    }

    /// The guest hypervisor: vector table, set-up and ERET, then the HVC and unexpected-exception handlers.
    private static func emitHypervisor(_ w: inout GuestImageWriter, _ regs: DemoRegisters, _ labels: NestedLabels) {
        let hvcHandler = w.asm.makeLabel("hypervisor.lowerSync")
        let unexpected = w.asm.makeLabel("hypervisor.unexpected")
        w.vectorTable(labels.hypervisorVectors, handlers: [0x400: hvcHandler], unexpected: unexpected)
        w.asm.bind(labels.hypervisorEntry)
        w.loadUARTBase()
        w.asm.adr(.x0, labels.hypervisorVectors)
        w.asm.msr(regs.vbarEL2, .x0)
        w.asm.isb()
        emitStage2Setup(&w, regs, labels)
        emitEL1Setup(&w, regs)
        w.print(Text.hypervisorAt)
        w.printCurrentEL(regs.currentEL)
        w.print(Text.hypervisorEntering)
        w.asm.adr(.x0, labels.l2Entry)
        w.asm.msr(regs.elrEL2, .x0)
        w.asm.mov(.x0, spsrEL1h)
        w.asm.msr(regs.spsrEL2, .x0)
        w.asm.eret()

        // Synchronous exception from the L2 guest: an HVC (EC 0x16) is what the demo expects; anything
        // else (a stage-2 abort, say) is reported as unexpected.
        w.asm.bind(hvcHandler)
        w.loadUARTBase()
        w.asm.mrs(.x21, regs.esrEL2)
        w.asm.lsr(.x0, .x21, 26)
        w.asm.cmp(.x0, 0x16)
        let isHVC = w.asm.makeLabel("hypervisor.isHVC")
        w.asm.b(.eq, isHVC)
        w.asm.movz(.x20, 0x400)
        w.asm.b(unexpected)
        w.asm.bind(isHVC)
        w.print(Text.hypervisorAt)
        w.printCurrentEL(regs.currentEL)
        w.print(Text.tookHVC)
        w.asm.and(.x0, .x21, 0xFFFF)
        w.printHex(.x0)
        w.print(Text.fromEL1)
        w.printHex(.x21)
        w.print(Text.lineEnd)
        w.powerOff(.smc)

        w.asm.bind(unexpected)
        w.reportUnexpected(level: 2, esr: regs.esrEL2, elr: regs.elrEL2)
        w.powerOff(.smc)
    }

    /// VTCR_EL2 (PS from ID_AA64MMFR0_EL1.PARange, at most 48 bits) and VTTBR_EL2 (root table, VMID 1).
    private static func emitStage2Setup(_ w: inout GuestImageWriter, _ regs: DemoRegisters, _ labels: NestedLabels) {
        let psReady = w.asm.makeLabel("hypervisor.psReady")
        w.asm.mrs(.x1, regs.idAA64MMFR0EL1)
        w.asm.and(.x1, .x1, 0x7)
        w.asm.cmp(.x1, 0b101)
        w.asm.b(.ls, psReady)
        w.asm.movz(.x1, 0b101)
        w.asm.bind(psReady)
        w.asm.mov(.x0, vtcrWithoutPS)
        w.asm.orr(.x0, .x0, .x1, lsl: 16)
        w.asm.msr(regs.vtcrEL2, .x0)
        w.asm.adr(.x0, labels.stage2Root)
        w.asm.orr(.x0, .x0, vmid << 48)
        w.asm.msr(regs.vttbrEL2, .x0)
    }

    /// The L2 guest's SCTLR_EL1 (MMU off whatever KVM reset it to), then HCR_EL2 and TLB invalidation.
    /// With E2H = 1, SCTLR_EL1's encoding at EL2 reaches SCTLR_EL2 (Arm ARM D8.10 "Virtualization Host
    /// Extensions" register redirection), so the guest's copy is written through SCTLR_EL12 instead.
    private static func emitEL1Setup(_ w: inout GuestImageWriter, _ regs: DemoRegisters) {
        let vhe = w.asm.makeLabel("hypervisor.vhe")
        let sctlrDone = w.asm.makeLabel("hypervisor.sctlrDone")
        w.asm.mrs(.x2, regs.hcrEL2)
        w.asm.mov(.x0, sctlrEL1MMUOff)
        w.asm.tbnz(.x2, HCR.e2hBit, vhe)
        w.asm.msr(regs.sctlrEL1, .x0)
        w.asm.b(sctlrDone)
        w.asm.bind(vhe)
        w.asm.msr(regs.sctlrEL12, .x0)
        w.asm.bind(sctlrDone)
        w.asm.and(.x2, .x2, HCR.e2h)
        w.asm.mov(.x0, HCR.vm | HCR.rw)
        w.asm.orr(.x2, .x2, .x0)
        w.asm.msr(regs.hcrEL2, .x2)
        w.asm.isb()
        w.asm.tlbi(.vmalls12e1is)
        w.asm.dsb(.sy)
        w.asm.isb()
    }

    /// The L2 guest: its own vectors and print routines (only its page is mapped at stage 2), one line, then
    /// HVC #0x42. Its unexpected-exception handler reports and hands over with HVC #0xbad.
    private static func emitL2Guest(_ w: inout GuestImageWriter, _ regs: DemoRegisters, _ labels: NestedLabels) {
        let unexpected = w.asm.makeLabel("l2.unexpected")
        w.vectorTable(labels.l2Vectors, handlers: [:], unexpected: unexpected)
        w.asm.bind(labels.l2Entry)
        w.loadUARTBase()
        w.asm.adr(.x0, labels.l2Vectors)
        w.asm.msr(regs.vbarEL1, .x0)
        w.asm.isb()
        w.print(Text.l2Hello)
        w.printCurrentEL(regs.currentEL)
        w.print(Text.l2HelloEnd)
        w.asm.hvc(l2HVCImmediate)
        w.print("vmmctl demo: the guest hypervisor returned to the L2 guest\n")
        w.halt()

        w.asm.bind(unexpected)
        w.reportUnexpected(level: 1, esr: regs.esrEL1, elr: regs.elrEL1)
        w.asm.hvc(l2FailureHVCImmediate)
        w.halt()
    }
}
