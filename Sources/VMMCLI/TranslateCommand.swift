import SysRegs
import VMM

/// `vmmctl translate`: what the AT instruction would say about an address of a snapshot's or a paused
/// VM's vCPU, with the walk that says it.
enum TranslateCommand: Subcommand {
    static let name = "translate"
    static let summary = "translate guest virtual addresses as an AT instruction would (stage 1 and 2)"
    static let help = """
        Usage: vmmctl translate [--snapshot DIR | --api-socket PATH] [--vcpu N] [--at OP] [--json] ADDR...

        Walks each ADDR through the vCPU's translation tables in guest memory, as the AT instruction OP
        would, and prints the PAR_EL1 value that instruction writes (the output address and attributes,
        or the fault with its level and stage), the output's offset in the memory file, and every lookup
        of the walk: the table, the descriptor and what it decided. Stage 1 table fetches go through the
        guest hypervisor's stage 2 when HCR_EL2.VM=1; the S12 operations take a nested guest's address
        all the way to the VM's guest-physical address. See docs/translate.md.

        --snapshot DIR   read a snapshot (default: the running VM, which must be paused: vmmctl pause)
        --vcpu N         the vCPU whose registers translate (default 0)
        --at OP          S1E0R S1E0W S1E1R S1E1W S1E1RP S1E1WP S1E2R S1E2W S12E0R S12E0W S12E1R S12E1W
                         (default: a read in the vCPU's current regime: S1E1R, S1E0R or S1E2R)
        --json           machine-readable output

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["json"], options: ["snapshot", "api-socket", "vcpu", "at"])
        let addresses = try a.positionals.map { (text) throws(CLIError) -> UInt64 in
            try parseAddress(text, command: name)
        }
        guard !addresses.isEmpty else { throw .usage("give at least one address to translate", command: name) }
        let source = try TranslationSource.load(a, command: name)
        let vcpu = try source.vcpu(a, command: name)
        let registers = TranslationRegisters(vcpu: vcpu)
        let operation = try parseOperation(a.options["at"], default: registers.currentRead, command: name)
        let walker = TranslationWalker(memory: source.memory, registers: registers)
        var results: [TranslationResult] = []
        for address in addresses {
            do { results.append(try walker.translate(address, operation: operation)) } catch {
                throw CLIError("vCPU \(vcpu.index): \(error)")
            }
            if let failure = source.memory.failure { throw failure }
        }
        let report = TranslationReport(vcpu: vcpu.index, memory: source.memory, results: results)
        if a.has("json") {
            io.print(report.json().rendered())
        } else {
            io.out.write(report.text())
        }
        return 0
    }

    static func parseAddress(_ text: String, command: String) throws(CLIError) -> UInt64 {
        guard let value = NumberParsing.parseUInt128(text), value <= UInt128(UInt64.max) else {
            throw .usage("'\(text)' is not a 64-bit address (0x..., decimal)", command: command)
        }
        return UInt64(value)
    }

    static func parseOperation(
        _ text: String?, default op: ATOperation, command: String
    ) throws(CLIError)
        -> ATOperation
    {
        guard let text else { return op }
        guard let parsed = ATOperation(rawValue: text.uppercased()) else {
            let all = ATOperation.allCases.map(\.rawValue).joined(separator: " ")
            throw .usage("--at '\(text)' is not an AT operation; one of: \(all)", command: command)
        }
        return parsed
    }
}
