import Foundation
import SysRegs
import Testing

@testable import VMM

/// One encoder call and the GNU as source that must produce the same words.
struct EncodingCase: Sendable, CustomTestStringConvertible {
    let gnu: String
    let emit: @Sendable (inout A64Assembler) -> Void
    var testDescription: String { gnu.replacingOccurrences(of: "\n", with: "; ") }

    init(_ gnu: String, _ emit: @escaping @Sendable (inout A64Assembler) -> Void) {
        self.gnu = gnu
        self.emit = emit
    }

    func words() throws -> [UInt32] {
        var asm = A64Assembler()
        emit(&asm)
        return try asm.assemble()
    }
}

private func sysreg(_ name: String) -> SysRegEncoding { RegisterTable.named(name)!.encoding! }

/// Every encoder, in the forms the demos use and a few more; checked against GNU as when it is installed.
let encodingCases: [EncodingCase] = [
    EncodingCase("movz x0, #0x1234") { $0.movz(.x0, 0x1234) },
    EncodingCase("movk x0, #0x5678, lsl #16") { $0.movk(.x0, 0x5678, lsl: 16) },
    EncodingCase("movk x30, #0xffff, lsl #48") { $0.movk(.x30, 0xFFFF, lsl: 48) },
    EncodingCase("movz w7, #0x8400, lsl #16") { $0.movz(.w7, 0x8400, lsl: 16) },
    EncodingCase("movn x2, #0x0") { $0.movn(.x2, 0) },
    EncodingCase("movn w2, #0x12, lsl #16") { $0.movn(.w2, 0x12, lsl: 16) },
    EncodingCase("mov x0, x21") { $0.mov(.x0, .x21) },
    EncodingCase("mov w3, w4") { $0.mov(.w3, .w4) },
    EncodingCase("mov sp, x9") { $0.mov(.sp, .x9) },
    EncodingCase("mov x9, sp") { $0.mov(.x9, .sp) },
    EncodingCase("add x3, x3, #0x27") { $0.add(.x3, .x3, 0x27) },
    EncodingCase("add x1, sp, #0xfff") { $0.add(.x1, .sp, 0xFFF) },
    EncodingCase("add x1, x2, #0x5, lsl #12") { $0.add(.x1, .x2, 0x5000) },
    EncodingCase("sub w4, w5, #0x1") { $0.sub(.w4, .w5, 1) },
    EncodingCase("sub sp, sp, #0x10") { $0.sub(.sp, .sp, 0x10) },
    EncodingCase("adds x1, x2, #0x3") { $0.adds(.x1, .x2, 3) },
    EncodingCase("subs x2, x2, #0x4") { $0.subs(.x2, .x2, 4) },
    EncodingCase("cmp x3, #0xa") { $0.cmp(.x3, 10) },
    EncodingCase("cmp w0, #0x16") { $0.cmp(.w0, 0x16) },
    EncodingCase("add x1, x2, x3") { $0.add(.x1, .x2, .x3) },
    EncodingCase("add x1, x2, x3, lsl #4") { $0.add(.x1, .x2, .x3, lsl: 4) },
    EncodingCase("sub w1, w2, w3") { $0.sub(.w1, .w2, .w3) },
    EncodingCase("subs x5, x6, x7") { $0.subs(.x5, .x6, .x7) },
    EncodingCase("cmp x0, x1") { $0.cmp(.x0, .x1) },
    EncodingCase("and x3, x3, #0xf") { $0.and(.x3, .x3, 0xF) },
    EncodingCase("and x0, x21, #0xffff") { $0.and(.x0, .x21, 0xFFFF) },
    EncodingCase("and x2, x2, #0x400000000") { $0.and(.x2, .x2, 1 << 34) },
    EncodingCase("orr x0, x0, #0x1000000000000") { $0.orr(.x0, .x0, 1 << 48) },
    EncodingCase("orr w1, w1, #0xff00ff00") { $0.orr(.w1, .w1, 0xFF00_FF00) },
    EncodingCase("orr x1, x1, #0x5555555555555555") { $0.orr(.x1, .x1, 0x5555_5555_5555_5555) },
    EncodingCase("eor x4, x5, #0xfffffffffffffffe") { $0.eor(.x4, .x5, 0xFFFF_FFFF_FFFF_FFFE) },
    EncodingCase("orr sp, x1, #0xf0") { $0.orr(.sp, .x1, 0xF0) },
    EncodingCase("tst x0, #0x20") { $0.tst(.x0, 0x20) },
    EncodingCase("and x1, x2, x3") { $0.and(.x1, .x2, .x3) },
    EncodingCase("orr x0, x0, x1, lsl #16") { $0.orr(.x0, .x0, .x1, lsl: 16) },
    EncodingCase("orr x2, x2, x0") { $0.orr(.x2, .x2, .x0) },
    EncodingCase("eor w1, w2, w3, lsl #31") { $0.eor(.w1, .w2, .w3, lsl: 31) },
    EncodingCase("lsr x0, x0, #2") { $0.lsr(.x0, .x0, 2) },
    EncodingCase("lsr x0, x21, #26") { $0.lsr(.x0, .x21, 26) },
    EncodingCase("lsr w1, w2, #31") { $0.lsr(.w1, .w2, 31) },
    EncodingCase("lsl x1, x2, #12") { $0.lsl(.x1, .x2, 12) },
    EncodingCase("lsl w1, w2, #1") { $0.lsl(.w1, .w2, 1) },
    EncodingCase("lsr x3, x0, x2") { $0.lsr(.x3, .x0, .x2) },
    EncodingCase("lsl w3, w0, w2") { $0.lsl(.w3, .w0, .w2) },
    EncodingCase("strb w1, [x0]") { $0.strb(.w1, .offset(.x0)) },
    EncodingCase("strb w3, [x19]") { $0.strb(.w3, .offset(.x19)) },
    EncodingCase("strb w1, [x19, #0x18]") { $0.strb(.w1, .offset(.x19, 0x18)) },
    EncodingCase("ldrb w1, [x0], #1") { $0.ldrb(.w1, .postIndex(.x0, 1)) },
    EncodingCase("ldrb w1, [x0, #-1]!") { $0.ldrb(.w1, .preIndex(.x0, -1)) },
    EncodingCase("ldrb w2, [x3, x4]") { $0.ldrb(.w2, .indexed(.x3, .x4)) },
    EncodingCase("ldr w1, [x19, #0x18]") { $0.ldr(.w1, .offset(.x19, 0x18)) },
    EncodingCase("str w1, [x2, #0x3ffc]") { $0.str(.w1, .offset(.x2, 0x3FFC)) },
    EncodingCase("ldr x1, [sp, #0x8]") { $0.ldr(.x1, .offset(.sp, 8)) },
    EncodingCase("str x1, [x2]") { $0.str(.x1, .offset(.x2)) },
    EncodingCase("str x30, [sp, #-16]!") { $0.str(.x30, .preIndex(.sp, -16)) },
    EncodingCase("ldr x30, [sp], #16") { $0.ldr(.x30, .postIndex(.sp, 16)) },
    EncodingCase("str x5, [x6, x7]") { $0.str(.x5, .indexed(.x6, .x7)) },
    EncodingCase("ldrh w1, [x2, #0x2]") { $0.ldrh(.w1, .offset(.x2, 2)) },
    EncodingCase("strh w1, [x2]") { $0.strh(.w1, .offset(.x2)) },
    EncodingCase("mrs x1, CurrentEL") { $0.mrs(.x1, SysRegEncoding(3, 0, 4, 2, 2)) },
    EncodingCase("mrs x2, hcr_el2") { $0.mrs(.x2, sysreg("HCR_EL2")) },
    EncodingCase("msr hcr_el2, x2") { $0.msr(sysreg("HCR_EL2"), .x2) },
    EncodingCase("msr vbar_el2, x0") { $0.msr(sysreg("VBAR_EL2"), .x0) },
    EncodingCase("msr vbar_el1, x0") { $0.msr(sysreg("VBAR_EL1"), .x0) },
    EncodingCase("msr vtcr_el2, x0") { $0.msr(sysreg("VTCR_EL2"), .x0) },
    EncodingCase("msr vttbr_el2, x0") { $0.msr(sysreg("VTTBR_EL2"), .x0) },
    EncodingCase("msr elr_el2, x0") { $0.msr(sysreg("ELR_EL2"), .x0) },
    EncodingCase("msr spsr_el2, x0") { $0.msr(sysreg("SPSR_EL2"), .x0) },
    EncodingCase("mrs x21, esr_el2") { $0.mrs(.x21, sysreg("ESR_EL2")) },
    EncodingCase("mrs x21, esr_el1") { $0.mrs(.x21, sysreg("ESR_EL1")) },
    EncodingCase("mrs x0, elr_el1") { $0.mrs(.x0, SysRegEncoding(3, 0, 4, 0, 1)) },
    EncodingCase("mrs x1, id_aa64mmfr0_el1") { $0.mrs(.x1, sysreg("ID_AA64MMFR0_EL1")) },
    EncodingCase("msr sctlr_el1, x0") { $0.msr(sysreg("SCTLR_EL1"), .x0) },
    EncodingCase("msr S3_5_C1_C0_0, x0") { $0.msr(SysRegEncoding(3, 5, 1, 0, 0), .x0) },
    EncodingCase("msr daifset, #0xf") { $0.msr(.daifSet, 0xF) },
    EncodingCase("msr daifclr, #0x2") { $0.msr(.daifClr, 2) },
    EncodingCase("msr spsel, #1") { $0.msr(.spSel, 1) },
    EncodingCase("eret") { $0.eret() },
    EncodingCase("hvc #0") { $0.hvc(0) },
    EncodingCase("hvc #0x42") { $0.hvc(0x42) },
    EncodingCase("hvc #0xbad") { $0.hvc(0xBAD) },
    EncodingCase("smc #0") { $0.smc(0) },
    EncodingCase("svc #0x1") { $0.svc(1) },
    EncodingCase("brk #0x3e8") { $0.brk(1000) },
    EncodingCase("rdvl x0, #1") { $0.rdvl(.x0, 1) },
    EncodingCase("rdvl x23, #-2") { $0.rdvl(.x23, -2) },
    EncodingCase("wfi") { $0.wfi() },
    EncodingCase("wfe") { $0.wfe() },
    EncodingCase("isb") { $0.isb() },
    EncodingCase("dsb sy") { $0.dsb(.sy) },
    EncodingCase("dsb ish") { $0.dsb(.ish) },
    EncodingCase("dmb ishst") { $0.dmb(.ishst) },
    EncodingCase("nop") { $0.nop() },
    EncodingCase("tlbi vmalls12e1is") { $0.tlbi(.vmalls12e1is) },
    EncodingCase("tlbi vmalls12e1") { $0.tlbi(.vmalls12e1) },
    EncodingCase("tlbi alle1") { $0.tlbi(.alle1) },
    EncodingCase("tlbi alle1is") { $0.tlbi(.alle1is) },
    EncodingCase("tlbi vmalle1") { $0.tlbi(.vmalle1) },
    EncodingCase("at s1e1r, x0") { $0.at(.S1E1R, .x0) },
    EncodingCase("at s1e1w, x1") { $0.at(.S1E1W, .x1) },
    EncodingCase("at s1e0r, x2") { $0.at(.S1E0R, .x2) },
    EncodingCase("at s1e0w, x3") { $0.at(.S1E0W, .x3) },
    EncodingCase("at s1e1rp, x4") { $0.at(.S1E1RP, .x4) },
    EncodingCase("at s1e1wp, x5") { $0.at(.S1E1WP, .x5) },
    EncodingCase("at s1e2r, x6") { $0.at(.S1E2R, .x6) },
    EncodingCase("at s1e2w, x7") { $0.at(.S1E2W, .x7) },
    EncodingCase("at s12e1r, x8") { $0.at(.S12E1R, .x8) },
    EncodingCase("at s12e1w, x9") { $0.at(.S12E1W, .x9) },
    EncodingCase("at s12e0r, x10") { $0.at(.S12E0R, .x10) },
    EncodingCase("at s12e0w, x11") { $0.at(.S12E0W, .x11) },
    EncodingCase("mrs x1, par_el1") { $0.mrs(.x1, sysreg("PAR_EL1")) },
    EncodingCase("msr pan, #1") { $0.msrPAN(true) },
    EncodingCase("msr pan, #0") { $0.msrPAN(false) },
    EncodingCase("ret") { $0.ret() },
    EncodingCase("ret x3") { $0.ret(.x3) },
    EncodingCase("br x16") { $0.br(.x16) },
    EncodingCase("blr x1") { $0.blr(.x1) },
    EncodingCase("1: b 1b") { a in
        let l = a.here()
        a.b(l)
    },
    EncodingCase("b 1f\nnop\nnop\n1:") { a in
        let l = a.makeLabel()
        a.b(l)
        a.nop()
        a.nop()
        a.bind(l)
    },
    EncodingCase("1: nop\nnop\nbl 1b") { a in
        let l = a.here()
        a.nop()
        a.nop()
        a.bl(l)
    },
    EncodingCase("1: nop\nb.ne 1b\nb.lo 2f\nb.pl 1b\nb.ls 2f\nb.eq 2f\n2:") { a in
        let back = a.here()
        let forward = a.makeLabel()
        a.nop()
        a.b(.ne, back)
        a.b(.lo, forward)
        a.b(.pl, back)
        a.b(.ls, forward)
        a.b(.eq, forward)
        a.bind(forward)
    },
    EncodingCase("1: cbz w1, 2f\ncbnz x3, 1b\nnop\n2:") { a in
        let back = a.here()
        let forward = a.makeLabel()
        a.cbz(.w1, forward)
        a.cbnz(.x3, back)
        a.nop()
        a.bind(forward)
    },
    EncodingCase("1: tbnz x2, #34, 2f\ntbz w5, #3, 1b\ntbz x0, #63, 2f\n2:") { a in
        let back = a.here()
        let forward = a.makeLabel()
        a.tbnz(.x2, 34, forward)
        a.tbz(.w5, 3, back)
        a.tbz(.x0, 63, forward)
        a.bind(forward)
    },
    EncodingCase("1: adr x0, 2f\nadr x1, 1b\nnop\n2: .byte 1, 2, 3, 0") { a in
        let back = a.here()
        let forward = a.makeLabel()
        a.adr(.x0, forward)
        a.adr(.x1, back)
        a.nop()
        a.bind(forward)
        a.data([1, 2, 3])
    },
    // FEAT_MTE (GNU as needs -march=armv8.5-a+memtag for these).
    EncodingCase("irg x1, x2") { $0.irg(.x1, .x2) },
    EncodingCase("irg x1, x2, x3") { $0.irg(.x1, .x2, .x3) },
    EncodingCase("irg x0, sp") { $0.irg(.x0, .sp) },
    EncodingCase("gmi x4, x5, x6") { $0.gmi(.x4, .x5, .x6) },
    EncodingCase("stg x1, [x1]") { $0.stg(.x1, .x1) },
    EncodingCase("stg x2, [x3, #32]") { $0.stg(.x2, .x3, 32) },
    EncodingCase("stg x2, [x3], #16") { $0.stg(.x2, .x3, 16, .postIndex) },
    EncodingCase("stg x2, [x3, #-16]!") { $0.stg(.x2, .x3, -16, .preIndex) },
    EncodingCase("ldg x4, [x1]") { $0.ldg(.x4, .x1) },
    EncodingCase("ldg x4, [x5, #48]") { $0.ldg(.x4, .x5, 48) },
    EncodingCase("addg x1, x2, #32, #1") { $0.addg(.x1, .x2, 32, tagOffset: 1) },
    EncodingCase("addg x1, x2, #0, #15") { $0.addg(.x1, .x2, 0, tagOffset: 15) },
    EncodingCase("msr gcr_el1, x0") { $0.msr(sysreg("GCR_EL1"), .x0) },
    EncodingCase("msr rgsr_el1, x1") { $0.msr(sysreg("RGSR_EL1"), .x1) },
    EncodingCase("mrs x2, tfsr_el1") { $0.mrs(.x2, sysreg("TFSR_EL1")) },
    EncodingCase("mrs x3, tfsre0_el1") { $0.mrs(.x3, sysreg("TFSRE0_EL1")) },
    EncodingCase("msr mair_el1, x0") { $0.msr(sysreg("MAIR_EL1"), .x0) },
    EncodingCase("msr tcr_el1, x1") { $0.msr(sysreg("TCR_EL1"), .x1) },
    EncodingCase("msr ttbr0_el1, x2") { $0.msr(sysreg("TTBR0_EL1"), .x2) },
    EncodingCase("msr sctlr_el1, x3") { $0.msr(sysreg("SCTLR_EL1"), .x3) },
    EncodingCase("mrs x4, far_el1") { $0.mrs(.x4, sysreg("FAR_EL1")) },
    EncodingCase("ldr x1, 1f\nldr w2, 1f\n1: .word 0x1234, 0") { a in
        let literal = a.makeLabel()
        a.ldr(.x1, literal)
        a.ldr(.w2, literal)
        a.bind(literal)
        a.data([0x34, 0x12, 0, 0, 0, 0, 0, 0])
    },
]

/// GNU binutils for aarch64, if installed (`aarch64-linux-gnu-as`, `-objcopy`).
enum GNUBinutils {
    static let assembler = "/usr/bin/aarch64-linux-gnu-as"
    static let objcopy = "/usr/bin/aarch64-linux-gnu-objcopy"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: assembler) && FileManager.default.isExecutableFile(atPath: objcopy)
    }
    static var skipReason: Comment {
        "GNU as cross-check skipped: \(assembler) or \(objcopy) is not installed (apt install binutils-aarch64-linux-gnu)"
    }

    /// Assembles `source` and returns the .text section's words.
    static func assemble(_ source: String) throws -> [UInt32] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a64-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (src, obj, bin) = (
            dir.appendingPathComponent("t.s"), dir.appendingPathComponent("t.o"), dir.appendingPathComponent("t.bin")
        )
        try source.write(to: src, atomically: true, encoding: .utf8)
        try run(assembler, ["-march=armv8.5-a+memtag+sve", "-o", obj.path, src.path])
        try run(objcopy, ["-O", "binary", "-j", ".text", obj.path, bin.path])
        let bytes = [UInt8](try Data(contentsOf: bin))
        return stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { i in
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GNUToolFailure(description: "\(tool) \(arguments.joined(separator: " ")): \(message)")
        }
    }

    struct GNUToolFailure: Error, CustomStringConvertible { let description: String }
}

@Suite struct A64Tests {
    /// Words that are well known (Arm ARM examples, Linux and kvm-unit-tests sources), independent of any tool.
    @Test(arguments: [
        ("mrs x1, CurrentEL", UInt32(0xD538_4241)), ("eret", 0xD69F_03E0), ("hvc #0", 0xD400_0002),
        ("smc #0", 0xD400_0003), ("wfi", 0xD503_207F), ("isb", 0xD503_3FDF), ("nop", 0xD503_201F),
        ("ret", 0xD65F_03C0), ("movz x0, #0x1234", 0xD282_4680), ("movk x0, #0x5678, lsl #16", 0xF2AA_CF00),
        ("strb w1, [x0]", 0x3900_0001), ("1: b 1b", 0x1400_0000), ("dsb sy", 0xD503_3F9F),
        ("msr daifset, #0xf", 0xD503_4FDF), ("lsr x0, x0, #2", 0xD342_FC00), ("and x3, x3, #0xf", 0x9240_0C63),
        ("tlbi vmalls12e1is", 0xD50C_83DF), ("tlbi alle1", 0xD50C_879F), ("at s1e1r, x0", 0xD508_7800),
        ("at s12e1r, x8", 0xD50C_7888),
        // FEAT_MTE, from the Arm ARM's encoding diagrams (C6.2): IRG, STG, LDG, ADDG.
        ("irg x1, x2", 0x9ADF_1041), ("stg x1, [x1]", 0xD920_0821), ("ldg x4, [x1]", 0xD960_0024),
        ("addg x1, x2, #32, #1", 0x9182_0441),
        ("rdvl x0, #1", 0x04BF_5020),
    ])
    func knownWords(gnu: String, word: UInt32) throws {
        let testCase = try #require(encodingCases.first { $0.gnu == gnu })
        #expect(try testCase.words() == [word], "\(gnu)")
    }

    /// Every case against GNU as, in one assembler run.
    @Test(.enabled(if: GNUBinutils.available, GNUBinutils.skipReason))
    func everyEncoderMatchesGNUAs() throws {
        let ours = try encodingCases.map { try $0.words() }
        let source = encodingCases.map(\.gnu).joined(separator: "\n") + "\n"
        let theirs = try GNUBinutils.assemble(source)
        try #require(theirs.count == ours.joined().count, "GNU as produced \(theirs.count) words")
        var index = 0
        for (testCase, words) in zip(encodingCases, ours) {
            let expected = Array(theirs[index..<(index + words.count)])
            #expect(words == expected, "\(testCase.testDescription): ours \(hex(words)), GNU as \(hex(expected))")
            index += words.count
        }
    }

    static let movConstants: [(UInt64, [UInt32])] = [
        (0, [0xD280_0000]),
        (0x0900_0000, [0xD2A1_2000]),
        (0x8400_0008, [0xD280_0100, 0xF2B0_8000]),
        (0x1_0000_0000_0000, [0xD2E0_0020]),
        (0xFFFF_FFFF_FFFF_FFFF, [0x9280_0000]),
        (0xFFFF_FFFF_FFFF_0000, [0x929F_FFE0]),
        (0x1234_5678_9ABC_DEF0, [0xD29B_DE00, 0xF2B3_5780, 0xF2CA_CF00, 0xF2E2_4680]),
    ]

    /// `mov(_:_:)` emits one instruction per halfword that differs from the background (zero for MOVZ,
    /// all-ones for MOVN), and at least one.
    @Test(arguments: movConstants)
    func movConstant(value: UInt64, expected: [UInt32]) throws {
        var asm = A64Assembler()
        asm.mov(.x0, value)
        #expect(try asm.assemble() == expected)
    }

    @Test func movToWRegisterTakesAt32BitValue() throws {
        var asm = A64Assembler()
        asm.mov(.w0, 0xFFFF_0001)
        #expect(try asm.assemble() == [0x129F_FFC0])  // movn w0, #0xfffe
        var tooBig = A64Assembler()
        tooBig.mov(.w0, 0x1_0000_0000)
        #expect(throws: A64.Error.self) { try tooBig.assemble() }
    }

    /// Every encodable 64-bit logical immediate (5334 of them) round-trips through the Arm ARM's
    /// DecodeBitMasks, and values next to them that are not encodable are refused.
    @Test func bitmaskImmediatesRoundTrip() {
        var seen = Set<UInt64>()
        for n in 0...1 {
            for imms in 0..<64 {
                for immr in 0..<64 {
                    guard let value = A64Emulator.decodeBitMasks(n: n, imms: imms, immr: immr) else { continue }
                    seen.insert(value)
                    let encoded = A64.bitmaskImmediate(value)
                    #expect(
                        encoded.map { A64Emulator.decodeBitMasks(n: Int($0.n), imms: Int($0.imms), immr: Int($0.immr)) }
                            == value)
                }
            }
        }
        #expect(seen.count == 5334)
        for value: UInt64 in [0, ~0, 0x1234, 0x5, 0xF0F0_F0F0_F0F0_F0F1] { #expect(A64.bitmaskImmediate(value) == nil) }
        #expect(A64.bitmaskImmediate(0xFFFF_FFFF, is64Bit: false) == nil)
        #expect(A64.bitmaskImmediate(0x1_0000_0000, is64Bit: false) == nil)
        #expect(A64.bitmaskImmediate(0xFF00_FF00, is64Bit: false) != nil)
    }

    @Test func labelsResolveInBothDirections() throws {
        var asm = A64Assembler()
        let top = asm.here("top")
        let end = asm.makeLabel("end")
        asm.nop()
        asm.cbz(.x0, end)
        asm.b(top)
        asm.bind(end)
        #expect(asm.byteOffset(of: top) == 0)
        #expect(asm.byteOffset(of: end) == 12)
        #expect(try asm.assemble() == [0xD503_201F, 0xB400_0040, 0x17FF_FFFE])
    }

    @Test func unboundAndTwiceBoundLabelsAreErrors() {
        var unbound = A64Assembler()
        let nowhere = unbound.makeLabel("nowhere")
        unbound.b(nowhere)
        #expect(throws: A64.Error.unboundLabel("nowhere")) { try unbound.assemble() }
        var twice = A64Assembler()
        let label = twice.here("twice")
        twice.bind(label)
        #expect(throws: A64.Error.labelBoundTwice("twice")) { try twice.assemble() }
    }

    @Test func branchesOutOfRangeAreErrors() {
        var asm = A64Assembler()
        let far = asm.makeLabel("far")
        asm.tbz(.x0, 1, far)
        for _ in 0..<(1 << 13) { asm.nop() }  // 32 KiB + 4 bytes away: beyond TBZ's ±32 KiB
        asm.bind(far)
        #expect(throws: A64.Error.branchOutOfRange(instruction: "tbz", label: "far", byteOffset: 0, distance: 32772)) {
            try asm.assemble()
        }
    }

    @Test func badOperandsAreRefusedNotMisencoded() {
        let cases: [(String, (inout A64Assembler) -> Void)] = [
            ("add imm 13 bits", { $0.add(.x0, .x0, 0x1001) }),
            ("and imm not a bitmask", { $0.and(.x0, .x0, 0x1234) }),
            ("movz shift 8", { $0.movz(.x0, 1, lsl: 8) }),
            ("movz w shift 32", { $0.movz(.w0, 1, lsl: 32) }),
            ("ldr x unaligned offset", { $0.ldr(.x0, .offset(.x1, 4)) }),
            ("strb x register", { $0.strb(.x1, .offset(.x0)) }),
            ("post-index 256", { $0.ldrb(.w1, .postIndex(.x0, 256)) }),
            ("sp in orr register", { $0.orr(.x0, .sp, .x1) }),
            ("xzr as add base", { $0.add(.x0, .xzr, 1) }),
            ("mixed widths", { $0.add(.x0, .w1, .x2) }),
            (
                "tbz w bit 32",
                { a in
                    let l = a.here()
                    a.tbz(.w0, 32, l)
                }
            ),
            ("msr daifset 16", { $0.msr(.daifSet, 16) }),
            ("mrs of op0=1", { $0.mrs(.x0, SysRegEncoding(1, 0, 7, 5, 0)) }),
        ]
        for (name, emit) in cases {
            var asm = A64Assembler()
            emit(&asm)
            #expect(asm.words.allSatisfy { $0 == 0 }, "\(name): emits UDF #0 in place")
            #expect(throws: A64.Error.self, "\(name)") { try asm.assemble() }
        }
    }

    @Test func dataAndAlignment() throws {
        var asm = A64Assembler()
        asm.asciz("hi")
        asm.align(16)
        #expect(asm.byteOffset == 16)
        #expect(try asm.assembleBytes() == [0x68, 0x69, 0] + Array(repeating: 0, count: 13))
    }
}

private func hex(_ words: [UInt32]) -> String {
    words.map { String($0, radix: 16) }.joined(separator: " ")
}
