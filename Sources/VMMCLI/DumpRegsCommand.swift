import VMM

/// `vmmctl dump-regs`: every register of a running VM or a snapshot, named and decoded.
enum DumpRegsCommand: Subcommand {
    static let name = "dump-regs"
    static let summary = "show every register of a running VM or a snapshot, grouped and decoded"
    static let help = """
        Usage: vmmctl dump-regs [--snapshot DIR | --api-socket PATH] [--vcpu N] [--filter NAME|GROUP] [--json]

        For every vCPU: the current exception level and translation regime, then every register KVM
        lists, named by the register model and grouped (core, fpsimd, el0, el1, el2, the EL2 special
        registers SP_EL2/ELR_EL2/SPSR_EL2, timer, id, debug, pmu, pauth, mte, firmware, sve, cache), key
        registers decoded into fields, the GIC CPU interface (ICH_*_EL2 for nested guests) and, for EL2
        vCPUs, the VNCR_EL2 page view. A running VM is paused for a consistent view and resumed.

        --snapshot DIR   read a snapshot instead of a running VM
        --vcpu N         one vCPU
        --filter X       a register name (HCR_EL2), a glob (ICH_*) or a group (el2, el2-special, gic, ...)
        --json           machine-readable output

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(
            args, command: name, flags: ["json"], options: ["snapshot", "api-socket", "vcpu", "filter"])
        _ = try a.positionals([], command: name)
        var options = RegisterDumpOptions()
        if let v = a.options["vcpu"] {
            guard let n = Int(v), n >= 0 else { throw .usage("--vcpu '\(v)' is not a vCPU index", command: name) }
            options.vcpu = n
        }
        options.filter = a.options["filter"]
        let state = try loadState(a)
        if a.has("json") {
            io.print(try RegisterDump.json(state, options).rendered())
        } else {
            io.out.write(try RegisterDump.text(state, options))
        }
        return 0
    }

    static func loadState(_ a: Arguments) throws(CLIError) -> MachineState {
        if let dir = a.options["snapshot"] {
            guard a.options["api-socket"] == nil else {
                throw .usage("give --snapshot or --api-socket, not both", command: name)
            }
            do { return try SnapshotStore.read(from: dir, verifyMemory: false).0 } catch { throw CLIError("\(error)") }
        }
        let body = try ControlCommand.send(.dumpRegs, socket: a.options["api-socket"])
        do { return try SnapshotCodec.decode(body) } catch {
            throw CLIError("the VM sent an unreadable state: \(error)")
        }
    }
}
