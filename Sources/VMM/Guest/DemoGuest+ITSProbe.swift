import SysRegs

/// A raw payload that proves the guest's GICv3 ITS delivers LPIs (IHI 0069 "GICv3 and GICv4 Architecture
/// Specification": 5.1 LPIs, 5.2 the ITS, 5.3 its commands). On vCPU 0, with the MMU off and no vectors:
///
/// 1. the distributor's Group 1 enable, ICC_PMR_EL1 and ICC_IGRPEN1_EL1, so a Group 1 interrupt (every
///    LPI) can be acknowledged;
/// 2. the LPI property table (LPI `itsProbeLPI` enabled at priority 0xa0) and pending table through
///    GICR_PROPBASER / GICR_PENDBASER, then GICR_CTLR.EnableLPIs;
/// 3. the ITS device and collection tables (GITS_BASER0/1, whose Type and Entry_Size fields it keeps as
///    read), the command queue (GITS_CBASER, GITS_CWRITER = 0), GITS_CTLR.Enabled;
/// 4. MAPD (device 0, one event bit, its ITT), MAPC (collection 0 to PE 0: GITS_TYPER.PTA is 0 under
///    KVM), MAPTI (event 0 to the LPI), INT (event 0), SYNC; waits for GITS_CREADR to reach GITS_CWRITER;
/// 5. polls ICC_IAR1_EL1 (interrupts stay masked: acknowledging needs no exception) and prints the INTID
///    it got as `its: LPI <hex>` then EOIs it.
///
/// With `waitForGo` it then stores 1 at `ITSProbeLayout.ready` and spins until the host stores
/// `ITSProbeLayout.goValue` at `ITSProbeLayout.go` (the snapshot tests take the snapshot in between),
/// issues one more INT and SYNC and prints the second INTID as `its: LPI <hex> again`. Then SYSTEM_OFF.
/// Failures print what stalled instead (`its: ... stalled`) and power off.
extension DemoGuest {
    /// The LPI the probe maps device 0 event 0 to: LPIs start at INTID 8192 (IHI 0069 2.2.1).
    public static let itsProbeLPI: UInt32 = 8200
    /// What a working ITS makes the probe print first.
    public static var itsProbeSuccess: String { "its: LPI \(String(itsProbeLPI, radix: 16))\n" }
    /// What the probe prints after the go word, when the second INT arrived too.
    public static var itsProbeAgain: String { "its: LPI \(String(itsProbeLPI, radix: 16)) again\n" }

    /// The probe's bytes (position independent). `layout` gives the GIC, ITS, UART and RAM addresses;
    /// the tables go at `ITSProbeLayout` offsets in RAM.
    public static func itsProbe(
        layout: MachineLayout, hasEL2: Bool, waitForGo: Bool
    ) throws(DemoGuestError)
        -> [UInt8]
    {
        let t = ITSProbeLayout(ramBase: layout.ramBase)
        var w = GuestImageWriter(uartBase: layout.uartBase)
        let conduit: GuestImageWriter.Conduit = hasEL2 ? .smc : .hvc
        w.loadUARTBase()
        enableCPUInterface(&w, distributor: layout.gicDistributorBase)
        enableLPIs(&w, redistributor: layout.gicRedistributorBase, t)
        enableITS(&w, its: layout.gicITSBase, t)
        // MAPD, MAPC, MAPTI, INT, SYNC at slots 0...4.
        let device: UInt64 = 0
        let event: UInt64 = 0
        command(&w, t, slot: 0, [0x08 | device << 32, 0, 1 << 63 | t.itt])  // MAPD: Size 0 = 1 EventID bit
        command(&w, t, slot: 1, [0x09, 0, 1 << 63 | 0 << 16 | 0])  // MAPC: V, RDbase = PE 0, ICID 0
        command(&w, t, slot: 2, [0x0A | device << 32, event | UInt64(itsProbeLPI) << 32, 0])  // MAPTI, ICID 0
        command(&w, t, slot: 3, [0x03 | device << 32, event, 0])  // INT
        command(&w, t, slot: 4, [0x05, 0, 0])  // SYNC PE 0
        advanceQueue(&w, its: layout.gicITSBase, to: 5, conduit)
        takeLPI(&w, suffix: "", conduit)
        if waitForGo {
            w.asm.mov(.x1, t.ready)
            w.asm.mov(.x0, 1)
            w.asm.str(.x0, .offset(.x1))
            w.asm.mov(.x1, t.go)
            w.asm.mov(.x2, ITSProbeLayout.goValue)
            let wait = w.asm.here("waitForGo")
            w.asm.ldr(.x0, .offset(.x1))
            w.asm.cmp(.x0, .x2)
            w.asm.b(.ne, wait)
            command(&w, t, slot: 5, [0x03 | device << 32, event, 0])  // INT
            command(&w, t, slot: 6, [0x05, 0, 0])  // SYNC
            advanceQueue(&w, its: layout.gicITSBase, to: 7, conduit)
            takeLPI(&w, suffix: " again", conduit)
        }
        w.powerOff(conduit)
        w.endSection()
        return try assemble(w.asm)
    }

    /// GICD_CTLR: EnableGrp1 (bit 1; ARE, bit 4, is RAO under KVM); ICC_PMR_EL1 lets every priority
    /// through; ICC_IGRPEN1_EL1 enables Group 1 at the CPU interface.
    private static func enableCPUInterface(_ w: inout GuestImageWriter, distributor: UInt64) {
        w.asm.mov(.x1, distributor)
        w.asm.mov(.w0, 0x12)
        w.asm.str(.w0, .offset(.x1))
        w.asm.mov(.x0, 0xFF)
        w.asm.msr(SysRegEncoding(3, 0, 4, 6, 0), .x0)  // ICC_PMR_EL1
        w.asm.mov(.x0, 1)
        w.asm.msr(SysRegEncoding(3, 0, 12, 12, 7), .x0)  // ICC_IGRPEN1_EL1
        w.asm.isb()
    }

    /// The property byte, GICR_PROPBASER (IDbits 13: INTIDs below 16384), GICR_PENDBASER (PTZ: the
    /// table is zero), both Inner Shareable, inner write-back; then GICR_CTLR.EnableLPIs, which freezes
    /// them (so it comes last).
    private static func enableLPIs(_ w: inout GuestImageWriter, redistributor: UInt64, _ t: ITSProbeLayout) {
        let cacheable: UInt64 = 7 << 7 | 1 << 10  // InnerCache RaWaWb [9:7], Shareability Inner [11:10]
        w.asm.mov(.x1, t.propertyTable + UInt64(itsProbeLPI - 8192))
        w.asm.mov(.w0, 0xA3)  // priority 0xa0 [7:2], RES1 [1], Enable [0]
        w.asm.strb(.w0, .offset(.x1))
        w.asm.dsb(.sy)
        w.asm.mov(.x1, redistributor)
        w.asm.mov(.x0, t.propertyTable | cacheable | 13)
        w.asm.str(.x0, .offset(.x1, 0x70))  // GICR_PROPBASER
        w.asm.mov(.x0, t.pendingTable | cacheable | 1 << 62)
        w.asm.str(.x0, .offset(.x1, 0x78))  // GICR_PENDBASER
        w.asm.dsb(.sy)
        w.asm.mov(.w0, 1)
        w.asm.str(.w0, .offset(.x1))  // GICR_CTLR.EnableLPIs
        w.asm.dsb(.sy)
    }

    /// GITS_BASER0 (device table) and GITS_BASER1 (collection table), one 64 KiB page each; GITS_CBASER
    /// (one page of commands), GITS_CWRITER = 0, GITS_CTLR.Enabled.
    private static func enableITS(_ w: inout GuestImageWriter, its: UInt64, _ t: ITSProbeLayout) {
        let cacheable: UInt64 = 7 << 59 | 1 << 10  // InnerCache RaWaWb [61:59], Shareability Inner [11:10]
        let kept: UInt64 = 7 << 56 | 0x1F << 48  // Type [58:56] and Entry_Size [52:48], read-only
        w.asm.mov(.x1, its)
        w.asm.mov(.x3, kept)
        for (offset, table) in [(UInt64(0x100), t.deviceTable), (0x108, t.collectionTable)] {
            w.asm.ldr(.x0, .offset(.x1, offset))
            w.asm.and(.x0, .x0, .x3)
            w.asm.mov(.x2, 1 << 63 | cacheable | 0b10 << 8 | table)  // Valid, Page_Size 64 KiB, Size 0 (one page)
            w.asm.orr(.x0, .x0, .x2)
            w.asm.str(.x0, .offset(.x1, offset))
        }
        w.asm.mov(.x0, 1 << 63 | cacheable | t.commandQueue)
        w.asm.str(.x0, .offset(.x1, 0x80))  // GITS_CBASER
        w.asm.str(.xzr, .offset(.x1, 0x88))  // GITS_CWRITER
        w.asm.mov(.w0, 1)
        w.asm.str(.w0, .offset(.x1))  // GITS_CTLR.Enabled
        w.asm.dsb(.sy)
    }

    /// Writes a 32-byte command (doublewords 0...2; 3 is zero) at `slot` of the queue.
    private static func command(_ w: inout GuestImageWriter, _ t: ITSProbeLayout, slot: UInt64, _ dw: [UInt64]) {
        w.asm.mov(.x1, t.commandQueue + 32 * slot)
        for (index, value) in (dw + [0]).enumerated() {
            if value == 0 {
                w.asm.str(.xzr, .offset(.x1, UInt64(8 * index)))
            } else {
                w.asm.mov(.x0, value)
                w.asm.str(.x0, .offset(.x1, UInt64(8 * index)))
            }
        }
    }

    /// GITS_CWRITER = `slots` commands in, then waits (bounded) until GITS_CREADR has caught up.
    private static func advanceQueue(
        _ w: inout GuestImageWriter, its: UInt64, to slots: UInt64, _ conduit: GuestImageWriter.Conduit
    ) {
        w.asm.dsb(.sy)
        w.asm.mov(.x1, its)
        w.asm.mov(.x2, 32 * slots)
        w.asm.str(.x2, .offset(.x1, 0x88))  // GITS_CWRITER
        // KVM runs the commands within the CWRITER write, so one read normally suffices; each read is an
        // MMIO exit (and an unhandled one without an ITS), so the bound stays small.
        w.asm.mov(.x5, 1000)
        let poll = w.asm.here("pollCREADR")
        let caughtUp = w.asm.makeLabel("caughtUp")
        w.asm.ldr(.x0, .offset(.x1, 0x90))  // GITS_CREADR
        w.asm.cmp(.x0, .x2)
        w.asm.b(.eq, caughtUp)
        w.asm.sub(.x5, .x5, 1)
        w.asm.cbnz(.x5, poll)
        w.print("its: command queue stalled at GITS_CREADR=")
        w.printHex(.x0)
        w.print("\n")
        w.powerOff(conduit)
        w.asm.bind(caughtUp)
    }

    /// Polls ICC_IAR1_EL1 (bounded) until it returns an INTID other than 1023 (spurious), prints it and
    /// writes it to ICC_EOIR1_EL1.
    private static func takeLPI(_ w: inout GuestImageWriter, suffix: String, _ conduit: GuestImageWriter.Conduit) {
        // The LPI is pending once the INT has run, so it is in a list register when the vCPU re-enters.
        w.asm.mov(.x5, 100_000)
        let poll = w.asm.here("pollIAR")
        let got = w.asm.makeLabel("gotInterrupt")
        w.asm.mrs(.x23, SysRegEncoding(3, 0, 12, 12, 0))  // ICC_IAR1_EL1
        w.asm.cmp(.x23, 1023)
        w.asm.b(.ne, got)
        w.asm.sub(.x5, .x5, 1)
        w.asm.cbnz(.x5, poll)
        w.print("its: no interrupt arrived\n")
        w.powerOff(conduit)
        w.asm.bind(got)
        w.asm.msr(SysRegEncoding(3, 0, 12, 12, 1), .x23)  // ICC_EOIR1_EL1
        w.print("its: LPI ")
        w.printHex(.x23)
        w.print(suffix + "\n")
    }
}

/// Where the ITS probe keeps its tables, at fixed offsets from the start of RAM (above the raw payload
/// at +0x80000, below any device tree a 16 MiB machine puts at its end).
public struct ITSProbeLayout: Sendable {
    public let ramBase: UInt64
    /// LPI configuration, one byte per LPI from INTID 8192 (8 KiB for IDbits 13).
    public var propertyTable: UInt64 { ramBase + 0x20_0000 }
    /// LPI pending bits, one per INTID (2 KiB; GICR_PENDBASER wants 64 KiB alignment).
    public var pendingTable: UInt64 { ramBase + 0x21_0000 }
    /// The device and collection tables: one 64 KiB page each, 64 KiB aligned. KVM's ITS works in 64 KiB
    /// pages whatever GITS_BASER<n>.Page_Size says (a lab finding: with 4 KiB pages at a 4 KiB-aligned
    /// address it read bits [15:12] of the address as PA[51:48], so MAPC found no collection table and
    /// the INT was dropped), so the probe asks for 64 KiB pages and aligns its tables to them.
    public var deviceTable: UInt64 { ramBase + 0x22_0000 }
    public var collectionTable: UInt64 { ramBase + 0x23_0000 }
    public var commandQueue: UInt64 { ramBase + 0x24_0000 }
    /// Device 0's interrupt translation table (256-byte aligned).
    public var itt: UInt64 { ramBase + 0x24_1000 }
    /// The probe stores 1 here once the first LPI arrived (with `waitForGo`).
    public var ready: UInt64 { ramBase + 0x24_2000 }
    /// The host stores `goValue` here to make the probe send its second INT.
    public var go: UInt64 { ramBase + 0x24_2008 }
    public static let goValue: UInt64 = 0x60_60_60

    public init(ramBase: UInt64) { self.ramBase = ramBase }
}
