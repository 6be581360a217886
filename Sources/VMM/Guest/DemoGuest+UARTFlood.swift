/// A benchmark payload: `count` single-byte stores to the PL011 data register (each one an MMIO exit to
/// vmmctl and back), each after `spin` iterations of a busy loop, then PSCI SYSTEM_OFF. The spin makes
/// the vCPU spend its time in the guest rather than in exits (a nested guest hypervisor's L2 that is
/// mostly running, as the nested snapshot test needs). `vmmctl run --bench-mmio N` times it; see docs/performance.md.
/// With `hasEL2` the vCPU has EL2 and the payload runs there (EL2h, as KVM resets such a vCPU) and powers
/// off with SMC: at EL1 it could not, since HVC would go to an absent guest hypervisor at virtual EL2 and
/// SMC is undefined there (no EL3).
///
/// With `touch` > 0 it first writes `touch` bytes of RAM starting `touchOffset` past its load address,
/// one store per 4 KiB page (the page's own address, so no page is all zero): a guest that has used
/// exactly that much memory, for the sparse snapshot tests and benchmarks (`vmmctl run --bench-touch`).
extension DemoGuest {
    /// Where the touched memory starts, past the program's load address.
    public static let touchOffset: UInt64 = 2 << 20

    ///
    /// With `dirty` > 0, each UART write is preceded by a store of the bytes still to print to the next
    /// page of `dirty` bytes from the same place (wrapping to its start): the guest keeps dirtying memory,
    /// `dirty` bytes of it once it has printed `dirty / 4096` bytes, and what it stores depends on how far
    /// it got (`vmmctl run --bench-dirty`, the incremental snapshot tests and benchmark).
    public static func uartFlood(
        uartBase: UInt64, loadAddress: UInt64, count: UInt64, spin: UInt64 = 0, hasEL2: Bool = false,
        touch: UInt64 = 0, dirty: UInt64 = 0
    ) throws(DemoGuestError)
        -> GuestProgram
    {
        guard loadAddress % 0x1000 == 0 else { throw .misalignedLoadAddress(loadAddress) }
        var w = GuestImageWriter(uartBase: uartBase)
        let entry = w.asm.here("entry")
        let loop = w.asm.makeLabel("loop")
        let done = w.asm.makeLabel("done")
        w.loadUARTBase()
        if touch > 0 {
            let next = w.asm.makeLabel("touch")
            let touched = w.asm.makeLabel("touched")
            w.asm.mov(.x23, loadAddress + touchOffset)
            w.asm.mov(.x24, loadAddress + touchOffset + touch)
            w.asm.bind(next)
            w.asm.cmp(.x23, .x24)
            w.asm.b(.hs, touched)
            w.asm.str(.x23, .offset(.x23))
            w.asm.add(.x23, .x23, 4096)
            w.asm.b(next)
            w.asm.bind(touched)
        }
        w.asm.mov(.x20, count)
        w.asm.mov(.x1, UInt64(UInt8(ascii: ".")))
        if dirty > 0 {
            w.asm.mov(.x25, loadAddress + touchOffset)
            w.asm.mov(.x26, loadAddress + touchOffset + dirty)
        }
        w.asm.bind(loop)
        w.asm.cbz(.x20, done)
        if spin > 0 {
            let delay = w.asm.makeLabel("spin")
            w.asm.mov(.x22, spin)
            w.asm.bind(delay)
            w.asm.sub(.x22, .x22, 1)
            w.asm.cbnz(.x22, delay)
        }
        if dirty > 0 {
            let stay = w.asm.makeLabel("dirtyNext")
            w.asm.str(.x20, .offset(.x25))
            w.asm.add(.x25, .x25, 4096)
            w.asm.cmp(.x25, .x26)
            w.asm.b(.lo, stay)
            w.asm.mov(.x25, loadAddress + touchOffset)
            w.asm.bind(stay)
        }
        w.asm.strb(.w1, .offset(.x19))
        w.asm.sub(.x20, .x20, 1)
        w.asm.b(loop)
        w.asm.bind(done)
        w.powerOff(hasEL2 ? .smc : .hvc)
        w.endSection()
        let bytes = try assemble(w.asm)
        let symbols = try resolve(["entry": entry], in: w.asm, at: loadAddress)
        return GuestProgram(
            name: "UART flood", bytes: bytes, loadAddress: loadAddress, entryPoint: symbols["entry"] ?? loadAddress,
            entryPSTATE: hasEL2 ? pstateEL2h : pstateEL1h,
            expectedOutput: String(repeating: ".", count: Int(min(count, 1 << 20))),
            symbols: symbols)
    }
}
