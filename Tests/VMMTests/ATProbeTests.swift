import SysRegs
import Testing

@testable import VMM

/// The AT probe's tables, walked on the host with the register state the probe programs: each case hits
/// the fault or mapping its comment in ATProbeLayout names (the lab's t-translate.sh then checks the
/// hardware agrees with the walker case by case).
@Suite struct ATProbeTests {
    static let layout = ATProbeLayout(tablesBase: 0x4010_0000)

    static func registers(e2h: Bool) -> TranslationRegisters {
        var r = TranslationRegisters()
        r.hasEL2 = true
        r.e2h0 = !e2h
        r.MAIR_EL1 = ATProbeLayout.mair
        r.TCR_EL1 = ATProbeLayout.tcr
        r.TTBR0_EL1 = layout.ttbr0
        r.TTBR1_EL1 = layout.ttbr1
        r.SCTLR_EL1 = DemoGuest.sctlrEL1MMUOff | 1 << 2 | 1
        r.HCR_EL2 = DemoGuest.HCR.vm | DemoGuest.HCR.rw | (e2h ? DemoGuest.HCR.e2h : 0)
        r.VTCR_EL2 = ATProbeLayout.vtcr
        r.VTTBR_EL2 = DemoGuest.vmid << 48 | layout.vttbr
        return r
    }

    @Test(arguments: [true, false])
    func everyCaseGivesItsIntendedResult(e2h: Bool) throws {
        let walker = TranslationWalker(memory: Self.layout.tables(), registers: Self.registers(e2h: e2h))
        let pars = try Self.layout.cases.map { try walker.translate($0.address, operation: $0.operation).par }
        let out1 = Self.layout.out1
        let wb: UInt64 = 0xFF00_0000_0000_0B80
        let expected: [UInt64] = [
            wb | out1, wb | out1, wb | out1,
            wb | 0x4061_2000, wb | 0x5234_5000,
            0x817,
            wb | out1, 0x81F,
            0x81F,
            wb | out1, wb | out1,
            0x80F, 0x809,
            0x807,
            0x809,
            wb | Self.layout.out2, 0xA1F,
            wb | 0x1_0000_0000, 0xA0B,
            0xB0B, 0xB0B,
            0xB00 | out1, 0x4400_0000_0000_0B00 | out1,
            wb | out1 | 0x4000, wb | 0x6345_6000,
        ]
        #expect(pars.map { "0x" + String($0, radix: 16) } == expected.map { "0x" + String($0, radix: 16) })
    }

    /// The EL1 probe: no stage 2, its code and UART identity-mapped, the S1 cases only.
    @Test func el1ProbeRunsTheStage1Cases() throws {
        var layout = ATProbeLayout(tablesBase: 0x4010_0000, identityMap: (code: 0x4000_0000, uart: 0x900_0000))
        var r = Self.registers(e2h: false)
        r.hasEL2 = false
        r.HCR_EL2 = 0
        let walker = TranslationWalker(memory: layout.tables(), registers: r)
        #expect(layout.cases.count == 18)
        #expect(try walker.translate(0x4000_0800, operation: .S1E1R).par == 0xFF00_0000_4000_0B80)
        #expect(try walker.translate(0x900_0000, operation: .S1E1W).par == 0x0000_0000_0900_0B00)
        #expect(try walker.translate(0x1234, operation: .S1E1R).par == 0xFF00_0000_0000_0B80 | layout.out1)
        layout.identityMap = nil
        #expect(layout.cases.count == 25)
    }

    @Test func theProbeAssemblesWithItsTablesAtOneMiB() throws {
        let program = try DemoGuest.atProbe(
            uartBase: 0x900_0000, loadAddress: 0x4000_0000, ramBase: 0x4000_0000, ramSize: 64 << 20,
            level: .el2(e2h: true))
        #expect(program.bytes.count == 0x20_0000)
        #expect(program.symbols["results"] != nil)
        #expect(throws: DemoGuestError.misalignedLoadAddress(0x4000_1000)) {
            try DemoGuest.atProbe(
                uartBase: 0x900_0000, loadAddress: 0x4000_1000, ramBase: 0x4000_0000, ramSize: 64 << 20,
                level: .el2(e2h: true))
        }
    }
}
