import SysRegs
import Testing

@testable import VMM

/// The demo guests: placement, layout, stage-2 descriptors, and runs in `A64Emulator` that check the
/// printed text is the expected output (pure tier: no KVM needed).
@Suite struct DemoGuestTests {
    static let uart: UInt64 = 0x0900_0000
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize: UInt64 = 0x1000_0000
    static let load: UInt64 = 0x4008_0000

    static func el1() throws -> GuestProgram { try DemoGuest.el1(uartBase: uart, loadAddress: load) }
    static func nested() throws -> GuestProgram {
        try DemoGuest.nested(uartBase: uart, loadAddress: load, ramBase: ramBase, ramSize: ramSize)
    }

    // MARK: EL1 demo

    @Test func el1Layout() throws {
        let program = try Self.el1()
        #expect(program.loadAddress == Self.load)
        #expect(program.symbols["vectors"] == Self.load)
        #expect(program.entryPoint == Self.load + 0x800)
        #expect((program.loadAddress..<program.endAddress).contains(program.entryPoint))
        #expect(program.bytes.count % 4 == 0 && program.bytes.count <= 0x1000)
        #expect(program.entryPSTATE == 0x3C5)
        #expect(program.expectedOutput == "vmmctl demo: hello from EL1 (CurrentEL=1)\n")
    }

    @Test func el1PrintsItsLineAndPowersOffWithHVC() throws {
        let program = try Self.el1()
        var cpu = A64Emulator(program: program, uartBase: Self.uart, hasEL2: false)
        #expect(cpu.run() == .systemOff(conduit: "hvc", fromEL: 1))
        #expect(cpu.text == program.expectedOutput)
        #expect(cpu.exceptionsTaken.isEmpty)
    }

    /// An undefined instruction lands in the unexpected-exception vector, which reports and powers off.
    @Test func el1UnexpectedExceptionIsReported() throws {
        let program = try Self.el1()
        var cpu = A64Emulator(program: program, uartBase: Self.uart, hasEL2: false)
        cpu.write(program.entryPoint + 16, 4, 0)  // UDF #0 after VBAR_EL1 is set (movz, adr, msr, isb)
        #expect(cpu.run() == .systemOff(conduit: "hvc", fromEL: 1))
        let elr = String(program.entryPoint + 16, radix: 16)
        #expect(
            cpu.text == "vmmctl demo: unexpected exception at EL1 vector 0x200 (ESR_EL1=0x2000000, ELR_EL1=0x\(elr))\n")
    }

    @Test func el1RefusesBadPlacement() {
        #expect(throws: DemoGuestError.misalignedLoadAddress(0x4000_0800)) {
            try DemoGuest.el1(uartBase: Self.uart, loadAddress: 0x4000_0800)
        }
        #expect(throws: DemoGuestError.self) { try DemoGuest.el1(uartBase: Self.load + 0x100, loadAddress: Self.load) }
    }

    @Test func el1PrintsThroughTheHexRoutineAtAnyLoadAddress() throws {
        for load: UInt64 in [0x8000_0000, 0x1_0000_0000, 0x4000_0000] {
            let program = try DemoGuest.el1(uartBase: 0x0A00_0000, loadAddress: load)
            var cpu = A64Emulator(program: program, uartBase: 0x0A00_0000, hasEL2: false)
            #expect(cpu.run() == .systemOff(conduit: "hvc", fromEL: 1))
            #expect(cpu.text == program.expectedOutput)
        }
    }

    // MARK: Nested demo

    @Test func nestedLayout() throws {
        let program = try Self.nested()
        let s = program.symbols
        #expect(s["hypervisor.vectors"] == Self.load)
        #expect(program.entryPoint == Self.load + 0x800)
        #expect(s["l2.vectors"] == Self.load + 0x1000)
        #expect(s["l2.entry"] == Self.load + 0x1800)
        #expect(s["l2.end"] == Self.load + 0x2000)
        #expect(s["stage2.root"] == Self.load + 0x2000)
        // Root (level 1), one level-2 table per GiB used (UART at 0x09000000 and RAM at 0x40000000 are in
        // different GiBs), one level-3 table for each.
        #expect(program.bytes.count == 0x2000 + 5 * 0x1000)
        #expect(program.entryPSTATE == 0x3C9)
        #expect(
            program.expectedOutput == """
                vmmctl demo: guest hypervisor at EL2, stage 2 on, entering the L2 guest at EL1
                vmmctl demo: L2 guest at EL1 (CurrentEL=1), calling HVC
                vmmctl demo: guest hypervisor at EL2 took HVC #0x42 from EL1 (ESR_EL2=0x5a000042)

                """)
    }

    /// Walks the stage-2 tables as stored in the image: only the L2 guest's page (Normal WB, RW, inner
    /// shareable, AF, executable) and the UART page (Device-nGnRnE, RW, AF, XN) are mapped, identity.
    @Test func nestedStage2Descriptors() throws {
        let program = try Self.nested()
        let root = try #require(program.symbols["stage2.root"])
        func entry(_ table: UInt64, _ index: UInt64) -> UInt64 {
            let offset = Int(table - program.loadAddress + index * 8)
            return (0..<8).reduce(0) { $0 | UInt64(program.bytes[offset + $1]) << UInt64($1 * 8) }
        }
        func nonZeroEntries(_ table: UInt64) -> [UInt64] { (0..<512).filter { entry(table, $0) != 0 } }
        let l2Page = Self.load + 0x1000

        #expect(nonZeroEntries(root) == [0, 1])  // level 1: bits[38:30]
        var mapped: [UInt64: UInt64] = [:]
        for (ipa, l1Index) in [(Self.uart, UInt64(0)), (l2Page, 1)] {
            let l1 = entry(root, l1Index)
            #expect(l1 & 3 == 0b11, "level-1 table descriptor")
            let l2Table = l1 & 0x0000_FFFF_FFFF_F000
            #expect(l2Table >= root && l2Table < program.endAddress && l2Table % 0x1000 == 0)
            #expect(nonZeroEntries(l2Table) == [ipa >> 21 & 0x1FF])
            let l2 = entry(l2Table, ipa >> 21 & 0x1FF)
            #expect(l2 & 3 == 0b11, "level-2 table descriptor")
            let l3Table = l2 & 0x0000_FFFF_FFFF_F000
            #expect(nonZeroEntries(l3Table) == [ipa >> 12 & 0x1FF])
            mapped[ipa] = entry(l3Table, ipa >> 12 & 0x1FF)
        }
        let page = try #require(mapped[l2Page])
        #expect(page & 0x0000_FFFF_FFFF_F000 == l2Page, "identity")
        #expect(page & 3 == 0b11, "level-3 page")
        #expect(page >> 2 & 0xF == 0b1111, "MemAttr Normal WB")
        #expect(page >> 6 & 3 == 0b11, "S2AP RW")
        #expect(page >> 8 & 3 == 0b11, "SH inner shareable")
        #expect(page >> 10 & 1 == 1, "AF")
        #expect(page >> 54 & 1 == 0, "executable")
        let uart = try #require(mapped[Self.uart])
        #expect(uart == Self.uart | 0b11 | 0b11 << 6 | 1 << 10 | 1 << 54, "Device-nGnRnE, RW, AF, XN")
    }

    @Test func nestedVTCRDecodes() throws {
        let layout = try #require(FieldCatalog.layout(for: "VTCR_EL2"))
        let fields = Dictionary(
            uniqueKeysWithValues: layout.decode(UInt128(DemoGuest.vtcrWithoutPS)).map { ($0.field.name, $0.value) })
        #expect(fields["T0SZ"] == 25)
        #expect(fields["SL0"] == 1)
        #expect(fields["TG0"] == 0)
        #expect(fields["IRGN0"] == 1 && fields["ORGN0"] == 1 && fields["SH0"] == 3)
        #expect(fields["PS"] == 0 && fields["VS"] == 0)
        #expect(DemoGuest.vtcrWithoutPS >> 31 & 1 == 1, "RES1")
    }

    @Test(arguments: [true, false])
    func nestedRunsUnderVHEAndE2H0(e2h: Bool) throws {
        let program = try Self.nested()
        var cpu = A64Emulator(program: program, uartBase: Self.uart, hasEL2: true, e2h: e2h)
        #expect(cpu.run() == .systemOff(conduit: "smc", fromEL: 2))
        #expect(cpu.text == program.expectedOutput)
        #expect(cpu.exceptionsTaken == [A64Emulator.TakenException(toEL: 2, esr: 0x5A00_0042)])
        let l2Writes = cpu.uartWrites.filter { $0.el == 1 }
        let l2Line = "vmmctl demo: L2 guest at EL1 (CurrentEL=1), calling HVC\n"
        #expect(l2Writes.count == l2Line.utf8.count)
        #expect(l2Writes.allSatisfy { $0.memAttr == 0 }, "the L2 guest's UART stores go through a Device mapping")
        let expectedHCR: UInt64 = (e2h ? 1 << 34 : 0) | 1 << 31 | 1
        #expect(cpu.sysreg(A64Emulator.hcr) == expectedHCR)
        #expect(cpu.sysreg(SysRegEncoding(3, 0, 1, 0, 0)) == 0x30D0_0800, "the L2 guest's SCTLR_EL1")
        let sctlrEL2Written = cpu.sysregs.keys.contains(SysRegEncoding(3, 4, 1, 0, 0))
        #expect(!sctlrEL2Written, "SCTLR_EL2 untouched")
        let expectedVTCR = DemoGuest.vtcrWithoutPS | 0b101 << 16
        #expect(cpu.sysreg(SysRegEncoding(3, 4, 2, 1, 2)) == expectedVTCR)
        let root = try #require(program.symbols["stage2.root"])
        #expect(cpu.sysreg(SysRegEncoding(3, 4, 2, 1, 0)) == 1 << 48 | root)
    }

    /// With the UART unmapped at stage 2, the L2 guest's first store faults to the hypervisor, which reports
    /// the abort instead of hanging.
    @Test func nestedStage2FaultIsReported() throws {
        let program = try Self.nested()
        var cpu = A64Emulator(program: program, uartBase: Self.uart, hasEL2: true)
        // Tables in allocation order: root, the L2 guest's level 2 and level 3, the UART's level 2 and level 3;
        // 0x09000000 is entry 0 of its level-3 table.
        let root = try #require(program.symbols["stage2.root"])
        #expect(cpu.read(root + 4 * 0x1000, 8) == Self.uart | 0x4C3 | 1 << 54)
        cpu.write(root + 4 * 0x1000, 8, 0)
        #expect(cpu.run() == .systemOff(conduit: "smc", fromEL: 2))
        let lines = cpu.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines.last?.hasPrefix("vmmctl demo: unexpected exception at EL2 vector 0x400 (ESR_EL2=0x92000047") == true)
    }

    @Test func nestedRefusesBadPlacement() {
        func build(
            uart: UInt64 = Self.uart, load: UInt64 = Self.load, base: UInt64 = Self.ramBase, size: UInt64 = Self.ramSize
        )
            throws(DemoGuestError) -> GuestProgram
        {
            try DemoGuest.nested(uartBase: uart, loadAddress: load, ramBase: base, ramSize: size)
        }
        #expect(throws: DemoGuestError.misalignedLoadAddress(Self.load + 4)) { try build(load: Self.load + 4) }
        #expect(throws: DemoGuestError.self, "UART inside RAM") { try build(uart: Self.ramBase + 0x1000) }
        #expect(throws: DemoGuestError.self, "UART misaligned") { try build(uart: Self.uart + 8) }
        #expect(throws: DemoGuestError.self, "image past RAM's end") {
            try build(load: Self.ramBase + Self.ramSize - 0x1000)
        }
        #expect(throws: DemoGuestError.self, "below RAM") { try build(load: 0x1000_0000) }
        #expect(throws: DemoGuestError.beyondIPASpace(address: 0x80_0000_1000, bits: 39)) {
            try build(load: 0x80_0000_0000, base: 0x80_0000_0000)
        }
    }
}
