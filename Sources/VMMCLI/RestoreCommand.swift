import VMM

/// `vmmctl restore`: build a fresh VM from a snapshot and carry on.
enum RestoreCommand: Subcommand {
    static let name = "restore"
    static let summary = "build a VM from a snapshot directory and resume the guest where it was"
    static let help = """
        Usage: vmmctl restore DIR [--verify] [--paused] [--api-socket PATH] [--device PATH]

        Checks DIR (format version, architecture, every state checksum, the memory file's presence and
        size; with --verify also the memory file's checksum, which reads its data, not its holes) before
        touching KVM, maps its guest RAM (restore time does not grow with guest memory), recreates the vCPUs with
        their saved features, sets the VM-wide counter offset so the guest's clock carries on from the
        moment of the snapshot, replays every register, the vGICv3, MP state and devices, and runs the
        guest with the console and control socket of 'vmmctl run' (same exit statuses). A host whose
        vCPUs list other registers is refused, naming exactly the missing and extra ones.

        --paused keeps the restored VM paused before its first instruction, so its state can be
        inspected (vmmctl dump-regs) before 'vmmctl resume' runs it.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["verify", "paused"], options: ["api-socket", "device"])
        let dir = try a.positionals(["a snapshot directory"], command: name)[0]
        let loaded: (MachineState, memoryFile: String)
        do { loaded = try SnapshotStore.read(from: dir, verifyMemory: a.has("verify")) } catch {
            throw CLIError("\(error)")
        }
        let kvm = a.options["device"] ?? "/dev/kvm"
        return try RunCommand.serve(
            socket: try RunCommand.socketPath(a.options["api-socket"]), startPaused: a.has("paused"), io,
            describe: CLIError.init(machine:)
        ) {
            console, warn throws(MachineError) in
            try Machine(restoring: loaded.0, memoryFile: loaded.memoryFile, kvmPath: kvm, console: console, warn: warn)
        }
    }
}
