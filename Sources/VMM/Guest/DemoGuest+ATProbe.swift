// The AT probe: a guest hypervisor that builds no tables itself (they are pre-built into its image by
// `TranslationTableBuilder`, the walker tests' builder), points the EL1&0 regime and its own stage 2 at them,
// and runs AT instructions over a matrix of cases, so `vmmctl translate` on a snapshot can be checked
// against what the hardware (or KVM's emulation of AT for a nested guest) wrote to PAR_EL1.

import SysRegs

extension DemoGuest {
    /// One probe: an AT operation on a virtual address.
    public struct ATProbeCase: Sendable, Equatable {
        public let operation: ATOperation
        public let address: UInt64
    }

    /// Where the probe's tables go, relative to the load address: 1 MiB in, 1 MiB long.
    static let probeTablesOffset: UInt64 = 0x10_0000
    static let probeTablesSize = 0x10_0000

    /// How the probe runs: at EL1 with its own MMU on (the tables identity-map its code and the UART), or
    /// as a guest hypervisor at EL2 that also owns a stage 2, reaching the EL1 registers directly (E2H0)
    /// or through their _EL12 aliases (VHE).
    public enum ATProbeLevel: Sendable, Equatable {
        case el1
        case el2(e2h: Bool)
    }

    /// The AT probe. Prints `at-probe OP VA PAR` per case, then `at-probe done`, and waits for interrupts
    /// forever (the test snapshots it there). At EL1 the S12 cases (UNDEFINED there) and the stage 2
    /// table-fault case are left out.
    ///
    /// Register state it leaves (and `translate` reads from the snapshot): MAIR_EL1 0x4400ff, TCR_EL1 with
    /// 48-bit ranges, TG0 4KB, TG1 64KB, IPS 40 bits; SCTLR_EL1.M=1; HCR_EL2 = VM|RW (E2H as found);
    /// VTCR_EL2 40-bit IPA, 4KB granule, start level 1 (two concatenated tables), PS 40 bits (at EL2).
    public static func atProbe(
        uartBase: UInt64, loadAddress: UInt64, ramBase: UInt64, ramSize: UInt64, level: ATProbeLevel
    ) throws(DemoGuestError) -> GuestProgram {
        guard loadAddress % 0x1_0000 == 0 else { throw .misalignedLoadAddress(loadAddress) }
        let tablesBase = loadAddress + probeTablesOffset
        let ram = ramBase..<(ramBase &+ ramSize)
        let tablesEnd = tablesBase + UInt64(probeTablesSize)
        guard ram.contains(loadAddress), tablesEnd <= ram.upperBound else {
            throw .imageOutsideRAM(image: loadAddress..<tablesEnd, ram: ram)
        }
        let atEL2 = level != .el1
        let layout = ATProbeLayout(
            tablesBase: tablesBase, identityMap: atEL2 ? nil : (code: loadAddress, uart: uartBase))
        let regs = try DemoRegisters()
        var w = GuestImageWriter(uartBase: uartBase)
        let unexpected = w.asm.makeLabel("unexpected")
        let vectors = w.asm.makeLabel("vectors")
        let results = w.asm.makeLabel("results")
        w.beginSection("probe")
        w.vectorTable(vectors, handlers: [:], unexpected: unexpected)
        let entry = w.asm.here("entry")
        w.loadUARTBase()
        w.asm.adr(.x0, vectors)
        w.asm.msr(atEL2 ? regs.vbarEL2 : regs.vbarEL1, .x0)
        if case .el2(let e2h) = level {
            emitProbeSetup(&w, regs, layout, e2h: e2h)
        } else {
            emitEL1ProbeSetup(&w, layout)
        }
        w.asm.adr(.x9, results)
        for probe in layout.cases {
            w.asm.mov(.x4, probe.address)
            w.asm.at(probe.operation, .x4)
            w.asm.isb()
            w.asm.mrs(.x5, SysRegEncoding(3, 0, 7, 4, 0))
            w.asm.str(.x5, .postIndex(.x9, 8))
            w.print("at-probe \(probe.operation) ")
            w.printHex(.x4)
            w.print(" ")
            w.printHex(.x5)
            w.print("\n")
        }
        w.print("at-probe done\n")
        w.halt()
        w.asm.bind(unexpected)
        if atEL2 {
            w.reportUnexpected(level: 2, esr: regs.esrEL2, elr: regs.elrEL2)
            w.powerOff(.smc)
        } else {
            w.reportUnexpected(level: 1, esr: regs.esrEL1, elr: regs.elrEL1)
            w.powerOff(.hvc)
        }
        w.endSection()
        w.asm.align(8)
        w.asm.bind(results)
        w.asm.data([UInt8](repeating: 0, count: 8 * layout.cases.count))
        let code = try assemble(w.asm)
        guard UInt64(code.count) <= probeTablesOffset else {
            throw .imageOutsideRAM(image: loadAddress..<(loadAddress + UInt64(code.count)), ram: ram)
        }
        let bytes = code + [UInt8](repeating: 0, count: Int(probeTablesOffset) - code.count) + layout.tables().bytes
        let symbols = try resolve(["vectors": vectors, "entry": entry, "results": results], in: w.asm, at: loadAddress)
        return GuestProgram(
            name: "AT probe", bytes: bytes, loadAddress: loadAddress, entryPoint: symbols["entry"] ?? loadAddress,
            entryPSTATE: atEL2 ? pstateEL2h : pstateEL1h, expectedOutput: "", symbols: symbols)
    }

    /// At EL1: the EL1&0 registers, a TLB invalidation, then SCTLR_EL1.M=1 (the code runs on after it
    /// through the identity-mapped 2 MiB block it lies in).
    static func emitEL1ProbeSetup(_ w: inout GuestImageWriter, _ l: ATProbeLayout) {
        let registers: [(SysRegEncoding, UInt64)] = [
            (SysRegEncoding(3, 0, 10, 2, 0), ATProbeLayout.mair), (SysRegEncoding(3, 0, 2, 0, 2), ATProbeLayout.tcr),
            (SysRegEncoding(3, 0, 2, 0, 0), l.ttbr0), (SysRegEncoding(3, 0, 2, 0, 1), l.ttbr1),
        ]
        for (register, value) in registers {
            w.asm.mov(.x0, value)
            w.asm.msr(register, .x0)
        }
        w.asm.isb()
        w.asm.tlbi(.vmalle1)
        w.asm.dsb(.sy)
        w.asm.isb()
        w.asm.mov(.x0, sctlrEL1MMUOff | 1 << 12 | 1 << 2 | 1)
        w.asm.msr(SysRegEncoding(3, 0, 1, 0, 0), .x0)
        w.asm.isb()
    }

    /// Programs the EL1&0 regime (through the _EL12 aliases under VHE) and stage 2, then invalidates
    /// the TLBs so the walks see the tables just written.
    static func emitProbeSetup(_ w: inout GuestImageWriter, _ regs: DemoRegisters, _ l: ATProbeLayout, e2h: Bool) {
        // SCTLR_EL1, TTBR0_EL1, TTBR1_EL1, TCR_EL1, MAIR_EL1, or their (3,5,...) aliases.
        let op1: UInt8 = e2h ? 5 : 0
        let el1: [(SysRegEncoding, UInt64)] = [
            (SysRegEncoding(3, op1, 10, 2, 0), ATProbeLayout.mair),
            (SysRegEncoding(3, op1, 2, 0, 2), ATProbeLayout.tcr),
            (SysRegEncoding(3, op1, 2, 0, 0), l.ttbr0),
            (SysRegEncoding(3, op1, 2, 0, 1), l.ttbr1),
            (SysRegEncoding(3, op1, 1, 0, 0), sctlrEL1MMUOff | 1 << 2 | 1),
        ]
        for (register, value) in el1 {
            w.asm.mov(.x0, value)
            w.asm.msr(register, .x0)
        }
        w.asm.mov(.x0, ATProbeLayout.vtcr)
        w.asm.msr(regs.vtcrEL2, .x0)
        w.asm.mov(.x0, vmid << 48 | l.vttbr)
        w.asm.msr(regs.vttbrEL2, .x0)
        w.asm.mrs(.x1, regs.hcrEL2)
        w.asm.mov(.x0, HCR.e2h)
        w.asm.and(.x1, .x1, .x0)
        w.asm.mov(.x0, HCR.vm | HCR.rw)
        w.asm.orr(.x0, .x0, .x1)
        w.asm.msr(regs.hcrEL2, .x0)
        w.asm.isb()
        w.asm.tlbi(.alle1)
        w.asm.dsb(.sy)
        w.asm.isb()
    }
}
