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

        An incremental snapshot (vmmctl snapshot --base) is restored with its whole chain: the full
        snapshot it extends first, then each increment's pages; every snapshot of the chain must be where
        it was when the next was taken, unchanged (a missing, changed or foreign base, or a gap in the
        chain, is refused, naming it). --verify checks every memory file of the chain.

        --paused keeps the restored VM paused before its first instruction, so its state can be
        inspected (vmmctl dump-regs) before 'vmmctl resume' runs it.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, flags: ["verify", "paused"], options: ["api-socket", "device"])
        let dir = try a.positionals(["a snapshot directory"], command: name)[0]
        let chain: [SnapshotStore.ChainLayer]
        let link: SnapshotLink
        do {
            chain = try SnapshotStore.readChain(from: dir, verifyMemory: a.has("verify"))
            (link, _) = try SnapshotStore.link(to: absolutePath(dir))
        } catch {
            throw CLIError("\(error)")
        }
        let top = chain[chain.count - 1]
        let kvm = a.options["device"] ?? "/dev/kvm"
        return try RunCommand.serve(
            socket: try RunCommand.socketPath(a.options["api-socket"]), startPaused: a.has("paused"), io,
            describe: CLIError.init(machine:)
        ) {
            console, warn throws(MachineError) in
            let machine = try Machine(
                restoring: top.state, memoryFile: top.memoryFile, chain: chain, kvmPath: kvm, console: console,
                warn: warn)
            // Dirty tracking starts clean at this snapshot: `snapshot --base DIR` extends it.
            machine.restored(from: link)
            return machine
        }
    }

    /// `path` made absolute against the working directory (the chain records absolute paths).
    static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : SnapshotCommand.currentDirectory() + "/" + path
    }
}
