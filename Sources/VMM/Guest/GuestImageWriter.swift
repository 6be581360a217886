import SysRegs

/// Writes a demo guest image with `A64Assembler`: code sections that each carry their own print routines and
/// string pool (a section is what one exception level can see: the nested demo's L2 guest must not call into
/// the hypervisor's page, which its stage 2 does not map), vector tables, and the power-off sequence.
///
/// Register conventions of the generated code (there is no stack):
/// - x19 holds the PL011 base, loaded on entry and again in every exception handler;
/// - `puts` takes a NUL-terminated string address in x0 and clobbers x0, x1;
/// - `putHex` prints x0 in lowercase hex without leading zeros (at least one digit), clobbering x2, x3;
/// - x20 holds a vector offset and x21 a syndrome in exception handlers; x30 is the link register.
struct GuestImageWriter {
    private struct Section {
        let puts: A64.Label
        let putHex: A64.Label
        var strings: [(label: A64.Label, text: String)] = []
    }

    var asm = A64Assembler()
    let uartBase: UInt64
    private var section: Section

    /// PSCI 0.2 SYSTEM_OFF (SMC32 function id, Arm DEN0022 "PSCI" 5.1.9): KVM handles it in the kernel and
    /// exits to userspace with KVM_EXIT_SYSTEM_EVENT type KVM_SYSTEM_EVENT_SHUTDOWN.
    static let psciSystemOff: UInt64 = 0x8400_0008

    /// How a program reaches PSCI: HVC #0 from EL1, SMC #0 from (virtual) EL2, where HVC would trap to the
    /// guest's own EL2 vectors (kvmtool `arm64/fdt.c` picks "smc" for nested guests for this reason).
    enum Conduit { case hvc, smc }

    init(uartBase: UInt64) {
        self.uartBase = uartBase
        var asm = A64Assembler()
        section = Section(puts: asm.makeLabel("puts"), putHex: asm.makeLabel("putHex"))
        self.asm = asm
    }

    /// Starts a new code section: later `print` calls use its own routines and strings.
    mutating func beginSection(_ name: String) {
        section = Section(puts: asm.makeLabel("\(name).puts"), putHex: asm.makeLabel("\(name).putHex"))
    }

    /// Emits the current section's print routines and string pool.
    mutating func endSection() {
        emitPuts()
        emitPutHex()
        for (label, text) in section.strings {
            asm.bind(label)
            asm.asciz(text)
        }
        section.strings = []
    }

    /// `mov x19, #uartBase`.
    mutating func loadUARTBase() { asm.mov(.x19, uartBase) }

    /// Prints a constant string (clobbers x0, x1, x30). Each distinct text is stored once per section.
    mutating func print(_ text: String) {
        let label: A64.Label
        if let existing = section.strings.first(where: { $0.text == text }) {
            label = existing.label
        } else {
            label = asm.makeLabel("string")
            section.strings.append((label, text))
        }
        asm.adr(.x0, label)
        asm.bl(section.puts)
    }

    /// Prints `register` in hex (clobbers x0, x2, x3, x30).
    mutating func printHex(_ register: A64.Register) {
        if register != .x0 { asm.mov(.x0, register) }
        asm.bl(section.putHex)
    }

    /// Prints CurrentEL.EL (bits[3:2]) as a digit.
    mutating func printCurrentEL(_ currentEL: SysRegEncoding) {
        asm.mrs(.x0, currentEL)
        asm.lsr(.x0, .x0, 2)
        printHex(.x0)
    }

    /// Calls PSCI SYSTEM_OFF; should the call return, prints its result and waits for interrupts forever.
    mutating func powerOff(_ conduit: Conduit) {
        asm.mov(.x0, Self.psciSystemOff)
        switch conduit {
        case .hvc: asm.hvc(0)
        case .smc: asm.smc(0)
        }
        asm.mov(.x21, .x0)
        print("vmmctl demo: PSCI SYSTEM_OFF returned 0x")
        printHex(.x21)
        print("\n")
        halt()
    }

    /// `1: wfi; b 1b`.
    mutating func halt() {
        let loop = asm.here("halt")
        asm.wfi()
        asm.b(loop)
    }

    /// A 2 KiB vector table (Arm ARM D1.3.1 "Exception vectors"): 16 entries of 0x80 bytes, in groups of
    /// four (synchronous, IRQ, FIQ, SError) for current EL with SP_EL0, current EL with SP_ELx, lower EL
    /// AArch64, lower EL AArch32; `table` is bound to its start. Entries named in `handlers` (by offset) branch there; every other entry
    /// loads its offset into x20 and branches to `unexpected`.
    mutating func vectorTable(_ table: A64.Label, handlers: [Int: A64.Label], unexpected: A64.Label) {
        asm.align(0x800)
        asm.bind(table)
        for offset in stride(from: 0, to: 0x800, by: 0x80) {
            if let handler = handlers[offset] {
                asm.b(handler)
            } else {
                asm.movz(.x20, UInt16(offset))
                asm.b(unexpected)
            }
            asm.align(0x80)
        }
    }

    /// Prints "vmmctl demo: unexpected exception at EL<n> vector 0x<x20> (ESR_EL<n>=0x…, ELR_EL<n>=0x…)".
    mutating func reportUnexpected(level: Int, esr: SysRegEncoding, elr: SysRegEncoding) {
        loadUARTBase()
        asm.mrs(.x21, esr)
        print("vmmctl demo: unexpected exception at EL\(level) vector 0x")
        printHex(.x20)
        print(" (ESR_EL\(level)=0x")
        printHex(.x21)
        print(", ELR_EL\(level)=0x")
        asm.mrs(.x0, elr)
        printHex(.x0)
        print(")\n")
    }

    /// `puts`: writes bytes to the PL011 data register (UARTDR, offset 0) up to the NUL. It does not poll
    /// UARTFR.TXFF: under KVM every store is an MMIO exit that vmmctl's PL011 consumes synchronously, and a
    /// flag read per byte would double the exits.
    private mutating func emitPuts() {
        asm.bind(section.puts)
        let done = asm.makeLabel("puts.done")
        asm.ldrb(.w1, .postIndex(.x0, 1))
        asm.cbz(.w1, done)
        asm.strb(.w1, .offset(.x19))
        asm.b(section.puts)
        asm.bind(done)
        asm.ret()
    }

    /// `putHex`: skips leading zero nibbles (stopping at the last), then prints each nibble as 0-9a-f.
    private mutating func emitPutHex() {
        asm.bind(section.putHex)
        asm.movz(.x2, 60)
        let skip = asm.here("putHex.skip")
        let digit = asm.makeLabel("putHex.digit")
        asm.lsr(.x3, .x0, .x2)
        asm.cbnz(.x3, digit)
        asm.subs(.x2, .x2, 4)
        asm.b(.ne, skip)
        asm.bind(digit)
        let decimal = asm.makeLabel("putHex.decimal")
        asm.lsr(.x3, .x0, .x2)
        asm.and(.x3, .x3, 0xF)
        asm.cmp(.x3, 10)
        asm.b(.lo, decimal)
        asm.add(.x3, .x3, UInt64(UInt8(ascii: "a") - 10 - UInt8(ascii: "0")))
        asm.bind(decimal)
        asm.add(.x3, .x3, UInt64(UInt8(ascii: "0")))
        asm.strb(.w3, .offset(.x19))
        asm.subs(.x2, .x2, 4)
        asm.b(.pl, digit)
        asm.ret()
    }
}
