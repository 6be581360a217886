import SysRegs

/// An MTE test payload (EL1, one vCPU, a VM with KVM_CAP_ARM_MTE): it builds its own stage-1 identity
/// map, turns on synchronous tag checking, tags `MTESlots.granules` granules with IRG/STG, writes data
/// through the tagged pointers, and waits for the host's go word. A snapshot is taken while it waits;
/// after restore the host writes the go word and the payload checks, for every granule, that LDG returns
/// the tag it stored and that a load through the tagged pointer reads the data back, then makes one
/// load with a wrong tag (ADDG #1) and records the tag-check fault it takes (ESR_EL1, FAR_EL1), prints
/// its findings on the PL011 and powers off.
///
/// What tag checking needs (Arm ARM D10 "The Memory Tagging Extension"): the MMU on with the data in
/// Normal Tagged memory (MAIR attribute 0xF0), TCR_EL1.TBI0 so bits 63:56 of a pointer are not part of
/// the address, SCTLR_EL1.ATA so EL1 may access allocation tags, SCTLR_EL1.TCF = 0b01 for synchronous
/// faults (a Data Abort with DFSC 0b010001, "synchronous Tag Check Fault"), and GCR_EL1.Exclude so IRG
/// never picks tag 0, which every untagged granule has. HCR_EL2.ATA is KVM's: it sets it for MTE VMs.
///
/// The translation tables: 4 KiB granule, T0SZ = 25 (a 39-bit VA space, walks start at level 1), one
/// level-1 table at `MTESlots.table` with two 1 GiB blocks, VA = PA: the GiB holding the PL011 as
/// Device-nGnRnE (attribute 0), the GiB holding RAM as Normal Tagged (attribute 1). Walks are
/// non-cacheable (IRGN0 = ORGN0 = 0), since the table is written with the MMU off.
extension DemoGuest {
    /// Where `mte` keeps its table, results and buffer, as offsets from the load address (4 KiB aligned).
    public struct MTESlots: Hashable, Sendable {
        public static let tableOffset: UInt64 = 0x1_0000
        public static let resultsOffset: UInt64 = 0x2_0000
        public static let bufferOffset: UInt64 = 0x10_0000
        /// Tagged granules (16 bytes each): 4 KiB of buffer.
        public static let granules = 256

        public let loadAddress: UInt64
        public init(loadAddress: UInt64) { self.loadAddress = loadAddress }

        /// The level-1 translation table.
        public var table: UInt64 { loadAddress + Self.tableOffset }
        /// Phase word: 0 before tagging, 1 tagged and waiting for go, 2 checked.
        public var phase: UInt64 { loadAddress + Self.resultsOffset }
        /// The host writes 1 here to let the payload check its tags.
        public var go: UInt64 { phase + 0x08 }
        /// Granules whose LDG tag differed from the stored pointer's.
        public var tagMismatches: UInt64 { phase + 0x10 }
        /// Granules whose data read back wrong through the tagged pointer.
        public var dataMismatches: UInt64 { phase + 0x18 }
        /// ESR_EL1 and FAR_EL1 of the last tag-check fault.
        public var faultESR: UInt64 { phase + 0x20 }
        public var faultFAR: UInt64 { phase + 0x28 }
        /// Tag-check faults taken (1 expected: the deliberately mistagged load).
        public var faults: UInt64 { phase + 0x30 }
        /// Incremented while waiting for go, so a test sees the guest running.
        public var spins: UInt64 { phase + 0x38 }
        /// The tagged pointers, one u64 per granule (logical tag in bits 59:56).
        public var pointers: UInt64 { phase + 0x100 }
        /// The tagged buffer.
        public var buffer: UInt64 { loadAddress + Self.bufferOffset }
    }

    /// The text `mte` prints before the host's go (after which it prints its findings).
    static let mteTaggedText = "vmmctl mte: tagged granules, waiting\n"

    /// The MTE payload at `loadAddress` (4 KiB aligned; RAM must hold at least 2 MiB from it, and RAM and
    /// the PL011 must lie in different 1 GiB blocks).
    public static func mte(uartBase: UInt64, loadAddress: UInt64) throws(DemoGuestError) -> GuestProgram {
        guard loadAddress % 0x1000 == 0 else { throw .misalignedLoadAddress(loadAddress) }
        guard uartBase >> 30 != loadAddress >> 30 else {
            throw .invalidUARTPlacement(
                uartBase: uartBase, reason: "the MTE payload maps it and RAM as separate 1 GiB blocks")
        }
        let regs = try DemoRegisters()
        let slots = MTESlots(loadAddress: loadAddress)
        var w = GuestImageWriter(uartBase: uartBase)
        let unexpected = w.asm.makeLabel("unexpected")
        let tagFault = w.asm.makeLabel("tagFault")
        let vectors = w.asm.makeLabel("vectors")
        // 0x200: synchronous, current EL with SP_ELx (the payload runs in EL1h).
        w.vectorTable(vectors, handlers: [0x200: tagFault], unexpected: unexpected)
        let entry = w.asm.here("entry")
        w.loadUARTBase()
        w.asm.adr(.x0, vectors)
        w.asm.msr(regs.vbarEL1, .x0)
        try mteEnableTagging(&w, slots: slots, uartBase: uartBase)
        mteTagBuffer(&w, slots: slots)
        w.print(mteTaggedText)
        mteWaitForGo(&w, slots: slots)
        mteCheck(&w, slots: slots)
        w.powerOff(.hvc)

        w.asm.bind(tagFault)
        try mteFaultHandler(&w, slots: slots, unexpected: unexpected)
        w.asm.bind(unexpected)
        w.reportUnexpected(level: 1, esr: regs.esrEL1, elr: regs.elrEL1)
        w.powerOff(.hvc)
        w.endSection()

        let bytes = try assemble(w.asm)
        guard UInt64(bytes.count) <= MTESlots.tableOffset else { throw .smpCodeTooLarge(bytes: bytes.count) }
        let symbols = try resolve(["vectors": vectors, "entry": entry], in: w.asm, at: loadAddress)
        return GuestProgram(
            name: "MTE payload", bytes: bytes, loadAddress: loadAddress, entryPoint: symbols["entry"] ?? loadAddress,
            entryPSTATE: pstateEL1h, expectedOutput: mteTaggedText, symbols: symbols)
    }

    /// Page table, MAIR, TCR, TTBR0, GCR, RGSR, then SCTLR_EL1 with the MMU, caches, ATA and TCF on.
    private static func mteEnableTagging(
        _ w: inout GuestImageWriter, slots: MTESlots, uartBase: UInt64
    ) throws(DemoGuestError) {
        // Block descriptors (Arm ARM D8.3.1): bits 1:0 = 0b01, AttrIndx 4:2, SH 9:8, AF bit 10, PXN 53, UXN 54.
        let device = bits((uartBase >> 30) << 30, 0b01, 0 << 2, bit(10), bit(53), bit(54))
        let tagged = bits((slots.loadAddress >> 30) << 30, 0b01, 1 << 2, 0b11 << 8, bit(10))
        w.asm.mov(.x0, slots.table)
        w.asm.mov(.x1, device)
        w.asm.str(.x1, .offset(.x0, (uartBase >> 30) * 8))
        w.asm.mov(.x1, tagged)
        w.asm.str(.x1, .offset(.x0, (slots.loadAddress >> 30) * 8))
        w.asm.dsb(.sy)
        // Attribute 0: Device-nGnRnE (0x00); attribute 1: Normal Tagged, Inner/Outer Write-Back (0xF0).
        w.asm.mov(.x1, UInt64(0xF0) << 8)
        w.asm.msr(try encoding(SysReg.MAIR_EL1), .x1)
        // T0SZ 25, IRGN0/ORGN0 0 (non-cacheable walks), SH0 0b11, TG0 4 KiB, EPD1 (no TTBR1 walks),
        // IPS 0b010 (40 bits), TBI0 (top byte ignored: the logical tag lives there).
        w.asm.mov(.x1, bits(25, 0b11 << 12, bit(23), UInt64(0b010) << 32, bit(37)))
        w.asm.msr(try encoding(SysReg.TCR_EL1), .x1)
        w.asm.msr(try encoding(SysReg.TTBR0_EL1), .x0)
        // GCR_EL1.Exclude bit 0: IRG never returns tag 0. RRND = 0: IRG uses RGSR_EL1's seed.
        w.asm.mov(.x1, 1)
        w.asm.msr(try encoding(SysReg.GCR_EL1), .x1)
        w.asm.mov(.x1, UInt64(0xACE1) << 8)
        w.asm.msr(try encoding(SysReg.RGSR_EL1), .x1)
        w.asm.isb()
        w.asm.tlbi(.vmalle1)
        w.asm.dsb(.sy)
        w.asm.isb()
        // SCTLR_EL1: the RES1 bits of ARMv8.0 (29, 28, 23, 22, 20, 11), M, C, I, TCF = 0b01 (bits 41:40),
        // ATA (bit 43).
        w.asm.mov(.x1, bits(0x30D0_0800, bit(0), bit(2), bit(12), bit(40), bit(43)))
        w.asm.msr(try encoding(SysReg.SCTLR_EL1), .x1)
        w.asm.isb()
    }

    /// For each granule: IRG a tag, STG it, store the index through the tagged pointer, record the pointer.
    private static func mteTagBuffer(_ w: inout GuestImageWriter, slots: MTESlots) {
        w.asm.mov(.x22, slots.buffer)
        w.asm.mov(.x23, slots.pointers)
        w.asm.mov(.x25, 0)
        let loop = w.asm.here("tag")
        w.asm.irg(.x1, .x22)
        w.asm.stg(.x1, .x1)
        w.asm.str(.x25, .offset(.x1))
        w.asm.str(.x1, .postIndex(.x23, 8))
        w.asm.add(.x22, .x22, 16)
        w.asm.add(.x25, .x25, 1)
        w.asm.cmp(.x25, UInt64(MTESlots.granules))
        w.asm.b(.ne, loop)
        w.asm.dsb(.sy)
        w.asm.mov(.x26, slots.phase)
        w.asm.mov(.x0, 1)
        w.asm.str(.x0, .offset(.x26))
    }

    /// Spins (counting) until the go word is non-zero.
    private static func mteWaitForGo(_ w: inout GuestImageWriter, slots: MTESlots) {
        w.asm.mov(.x27, 0)
        let wait = w.asm.here("wait")
        w.asm.add(.x27, .x27, 1)
        w.asm.str(.x27, .offset(.x26, slots.spins - slots.phase))
        w.asm.ldr(.x0, .offset(.x26, slots.go - slots.phase))
        w.asm.cbz(.x0, wait)
    }

    /// LDG and a tagged load per granule, then one mistagged load; stores and prints the counts.
    private static func mteCheck(_ w: inout GuestImageWriter, slots: MTESlots) {
        w.asm.mov(.x23, slots.pointers)
        w.asm.mov(.x25, 0)
        w.asm.mov(.x10, 0)
        w.asm.mov(.x11, 0)
        w.asm.mov(.x12, 0)
        let loop = w.asm.here("check")
        let tagOK = w.asm.makeLabel("tagOK")
        let dataOK = w.asm.makeLabel("dataOK")
        w.asm.ldr(.x1, .postIndex(.x23, 8))
        w.asm.and(.x2, .x1, 0x00FF_FFFF_FFFF_FFFF)
        w.asm.mov(.x3, .x2)
        w.asm.ldg(.x3, .x2)
        w.asm.cmp(.x3, .x1)
        w.asm.b(.eq, tagOK)
        w.asm.add(.x10, .x10, 1)
        w.asm.bind(tagOK)
        w.asm.ldr(.x4, .offset(.x1))
        w.asm.cmp(.x4, .x25)
        w.asm.b(.eq, dataOK)
        w.asm.add(.x11, .x11, 1)
        w.asm.bind(dataOK)
        w.asm.add(.x25, .x25, 1)
        w.asm.cmp(.x25, UInt64(MTESlots.granules))
        w.asm.b(.ne, loop)
        // The deliberately wrong tag: the first pointer's tag + 1 (ADDG skips excluded tag 0).
        w.asm.mov(.x23, slots.pointers)
        w.asm.ldr(.x1, .offset(.x23))
        w.asm.addg(.x5, .x1, 0, tagOffset: 1)
        w.asm.ldr(.x6, .offset(.x5))
        w.asm.str(.x10, .offset(.x26, slots.tagMismatches - slots.phase))
        w.asm.str(.x11, .offset(.x26, slots.dataMismatches - slots.phase))
        w.asm.str(.x12, .offset(.x26, slots.faults - slots.phase))
        w.asm.mov(.x0, 2)
        w.asm.str(.x0, .offset(.x26))
        w.print("vmmctl mte: LDG mismatches 0x")
        w.printHex(.x10)
        w.print(", data mismatches 0x")
        w.printHex(.x11)
        w.print(", tag check faults 0x")
        w.printHex(.x12)
        w.print(", ESR_EL1 0x")
        w.asm.ldr(.x0, .offset(.x26, slots.faultESR - slots.phase))
        w.printHex(.x0)
        w.print("\n")
    }

    /// The synchronous handler: a Data Abort (EC 0x25) is recorded and skipped; anything else is unexpected.
    private static func mteFaultHandler(
        _ w: inout GuestImageWriter, slots: MTESlots, unexpected: A64.Label
    ) throws(DemoGuestError) {
        let regs = try DemoRegisters()
        w.asm.movz(.x20, 0x200)
        w.asm.mrs(.x13, regs.esrEL1)
        // EC is ESR_EL1[31:26]; the lab showed bits 63:32 set on this fault, so mask them off.
        w.asm.lsr(.x15, .x13, 26)
        w.asm.and(.x15, .x15, 0x3F)
        w.asm.cmp(.x15, 0x25)
        w.asm.b(.ne, unexpected)
        w.asm.mov(.x26, slots.phase)
        w.asm.str(.x13, .offset(.x26, slots.faultESR - slots.phase))
        w.asm.mrs(.x14, try encoding(SysReg.FAR_EL1))
        w.asm.str(.x14, .offset(.x26, slots.faultFAR - slots.phase))
        w.asm.add(.x12, .x12, 1)
        w.asm.mrs(.x15, regs.elrEL1)
        w.asm.add(.x15, .x15, 4)
        w.asm.msr(regs.elrEL1, .x15)
        w.asm.eret()
    }

    /// Bit `n` set (written out so the constants above type-check quickly).
    private static func bit(_ n: UInt64) -> UInt64 { 1 << n }
    /// The OR of `parts`.
    private static func bits(_ parts: UInt64...) -> UInt64 { parts.reduce(0, |) }

    /// The `MRS`/`MSR` encoding of a handle.
    private static func encoding(_ register: SysReg) throws(DemoGuestError) -> SysRegEncoding {
        guard let encoding = register.encoding else { throw .noSystemRegisterEncoding(register.name) }
        return encoding
    }
}
