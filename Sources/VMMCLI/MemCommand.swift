import SysRegs
import VMM

/// `vmmctl mem read`: guest memory as hex and ASCII, by guest-physical address or, through the walker,
/// by virtual address.
enum MemCommand: Subcommand {
    static let name = "mem"
    static let summary = "print guest memory (hex and ASCII) by physical or virtual address"
    static let help = """
        Usage: vmmctl mem read [--snapshot DIR | --api-socket PATH] ADDR LEN [--va [--at OP]] [--vcpu N]

        Prints LEN bytes (at most 1 MiB) from ADDR as hex and ASCII, 16 bytes a line. ADDR is a
        guest-physical address, or with --va a virtual address of vCPU N (default 0) translated page by
        page as 'vmmctl translate --at OP' would (default: a read in the vCPU's current regime); with an
        S12 operation, a nested guest's address through its hypervisor's stage 2. A page that does not
        translate stops the dump with the fault. A running VM must be paused first (vmmctl pause).

        """

    static let maximumLength = 1 << 20

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(
            args, command: name, flags: ["va"], options: ["snapshot", "api-socket", "vcpu", "at"])
        let words = try a.positionals(["read", "ADDR", "LEN"], command: name)
        guard words[0] == "read" else { throw .usage("unknown mem action '\(words[0])'; only 'read'", command: name) }
        let address = try TranslateCommand.parseAddress(words[1], command: name)
        guard let length = Int(words[2]), length > 0, length <= maximumLength else {
            throw .usage("LEN '\(words[2])' must be 1...\(maximumLength) bytes", command: name)
        }
        guard a.has("va") || a.options["at"] == nil else { throw .usage("--at needs --va", command: name) }
        let source = try TranslationSource.load(a, command: name)
        var translate: ((UInt64) throws(CLIError) -> UInt64)?
        if a.has("va") {
            let vcpu = try source.vcpu(a, command: name)
            let registers = TranslationRegisters(vcpu: vcpu)
            let operation = try TranslateCommand.parseOperation(
                a.options["at"], default: registers.currentRead, command: name)
            let walker = TranslationWalker(memory: source.memory, registers: registers)
            translate = { (va) throws(CLIError) -> UInt64 in
                let result: TranslationResult
                do { result = try walker.translate(va, operation: operation) } catch { throw CLIError("\(error)") }
                if let failure = source.memory.failure { throw failure }
                guard let pa = result.outputAddress else {
                    throw CLIError(
                        "AT \(operation) 0x\(String(va, radix: 16)): \(result.fault.map(\.description) ?? "fault")")
                }
                return pa
            }
        }
        let bytes = try read(source.memory, address, length, translate: translate)
        io.out.write(hexDump(bytes, from: address))
        return 0
    }

    /// Reads page by page so each page of a virtual range gets its own translation.
    static func read(
        _ memory: GuestRAMReader, _ address: UInt64, _ length: Int, translate: ((UInt64) throws(CLIError) -> UInt64)?
    ) throws(CLIError) -> [UInt8] {
        var out: [UInt8] = []
        var at = address
        while out.count < length {
            let pageEnd = (at | (GuestRAMReader.pageSize - 1)) &+ 1
            let count = Int(min(UInt64(length - out.count), pageEnd &- at))
            let pa = try translate?(at) ?? at
            guard let bytes = memory.read(at: pa, count: count) else {
                if let failure = memory.failure { throw failure }
                throw CLIError(
                    "guest-physical 0x\(String(pa, radix: 16))+\(count) is not in guest RAM "
                        + "(0x\(String(memory.base, radix: 16)), \(memory.size) bytes)")
            }
            out += bytes
            at &+= UInt64(count)
        }
        return out
    }

    /// `address: 16 hex bytes  |ascii|` lines.
    static func hexDump(_ bytes: [UInt8], from address: UInt64) -> String {
        var text = ""
        for start in stride(from: 0, to: bytes.count, by: 16) {
            let line = bytes[start..<min(start + 16, bytes.count)]
            let addr = String(address &+ UInt64(start), radix: 16)
            var hexPart = line.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
            hexPart += String(repeating: " ", count: (16 - line.count) * 3)
            let ascii = String(line.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." })
            text +=
                String(repeating: "0", count: max(0, 16 - addr.count)) + addr + "  " + hexPart + "  |" + ascii + "|\n"
        }
        return text
    }
}
