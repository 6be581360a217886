/// A guest that runs a `VirtioScript`: its steps are a table in the image (32 bytes each: kind, address,
/// value, mask; kind 0 ends it, 1 stores, 2 polls), its data lies 64 KiB above the load address. With
/// `hasEL2` it runs at EL2h and powers off with SMC, as the UART flood does.
extension DemoGuest {
    /// Reads per poll step before it gives up (a poll of an MMIO register exits to vmmctl each time).
    static let virtioPollLimit: UInt64 = 1 << 20

    public static func virtioScript(
        _ script: VirtioScript, uartBase: UInt64, loadAddress: UInt64, hasEL2: Bool = false
    ) throws(DemoGuestError) -> GuestProgram {
        guard loadAddress % 0x1000 == 0 else { throw .misalignedLoadAddress(loadAddress) }
        guard script.steps.count <= VirtioScript.maximumSteps else {
            throw .smpCodeTooLarge(bytes: script.steps.count * 32)
        }
        let tableAddress = loadAddress + 0x1000
        var w = GuestImageWriter(uartBase: uartBase)
        let entry = w.asm.here("entry")
        let (loop, poll, store, done, next) = (
            w.asm.makeLabel("loop"), w.asm.makeLabel("poll"), w.asm.makeLabel("store"), w.asm.makeLabel("done"),
            w.asm.makeLabel("next")
        )
        w.loadUARTBase()
        w.asm.mov(.x21, tableAddress)
        w.asm.mov(.x22, 0)  // step index, for messages
        w.asm.bind(loop)
        w.asm.ldr(.x1, .offset(.x21, 0))
        w.asm.ldr(.x2, .offset(.x21, 8))
        w.asm.ldr(.x3, .offset(.x21, 16))
        w.asm.ldr(.x4, .offset(.x21, 24))
        w.asm.add(.x21, .x21, 32)
        w.asm.cbz(.x1, done)
        w.asm.cmp(.x1, 1)
        w.asm.b(.eq, store)
        w.asm.mov(.x5, virtioPollLimit)
        w.asm.bind(poll)
        w.asm.ldr(.w6, .offset(.x2))
        w.asm.and(.x6, .x6, .x4)
        w.asm.cmp(.x6, .x3)
        w.asm.b(.eq, next)
        w.asm.sub(.x5, .x5, 1)
        w.asm.cbnz(.x5, poll)
        w.print("virtio script: step 0x")
        w.printHex(.x22)
        w.print(" timed out\n")
        w.asm.b(next)
        w.asm.bind(store)
        w.asm.str(.w3, .offset(.x2))
        w.asm.bind(next)
        w.asm.add(.x22, .x22, 1)
        w.asm.b(loop)
        w.asm.bind(done)
        w.print(script.message)
        if script.powerOff { w.powerOff(hasEL2 ? .smc : .hvc) } else { w.halt() }
        w.endSection()
        var bytes = try assemble(w.asm)
        guard bytes.count <= 0x1000 else { throw .smpCodeTooLarge(bytes: bytes.count) }
        bytes += [UInt8](repeating: 0, count: 0x1000 - bytes.count)
        for step in script.steps { bytes += encode(step) }
        bytes += [UInt8](repeating: 0, count: Int(VirtioScript.dataOffset) - bytes.count)  // kind 0 ends the table
        bytes += script.data
        let symbols = try resolve(["entry": entry], in: w.asm, at: loadAddress)
        return GuestProgram(
            name: "virtio script", bytes: bytes, loadAddress: loadAddress,
            entryPoint: symbols["entry"] ?? loadAddress, entryPSTATE: hasEL2 ? pstateEL2h : pstateEL1h,
            expectedOutput: script.message, symbols: symbols)
    }

    private static func encode(_ step: VirtioScript.Step) -> [UInt8] {
        let words: [UInt64]
        switch step {
        case .store32(let address, let value): words = [1, address, UInt64(value), 0]
        case .poll32(let address, let mask, let value): words = [2, address, UInt64(value), UInt64(mask)]
        }
        return words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }
}
