import Glibc
import VMM

/// `vmmctl snapshot`: write a running VM's whole state to a new directory.
enum SnapshotCommand: Subcommand {
    static let name = "snapshot"
    static let summary = "pause a running VM and write a snapshot directory (EL2 state included)"
    static let help = """
        Usage: vmmctl snapshot DIR [--base PREV] [--then resume|pause|stop] [--api-socket PATH]

        Pauses the VM, writes DIR (a new directory: the state file and guest RAM in memory.bin, both
        checksummed; docs/snapshot-format.md) atomically — an interrupted snapshot never leaves a DIR that
        looks complete, and an existing DIR is never touched — then resumes the VM (--then pause keeps it
        paused, --then stop shuts it down). Progress is shown for large memory. 'vmmctl restore DIR'
        carries on from it.

        --base PREV writes an incremental snapshot: only the pages of guest RAM written since PREV was
        taken (KVM's dirty log plus the VMM's own device writes), with PREV recorded by path and checksum.
        PREV must be the last snapshot this VM took or was restored from. 'vmmctl restore DIR' then needs
        PREV (and whatever PREV extends) where it was and unchanged.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: name, options: ["api-socket", "then", "base"])
        let dir = try a.positionals(["a snapshot directory"], command: name)[0]
        let thenName = a.options["then"] ?? "resume"
        guard let then = ControlRequest.AfterSnapshot(name: thenName) else {
            throw .usage("--then '\(thenName)': expected resume, pause or stop", command: name)
        }
        guard !dir.isEmpty else { throw .usage("the snapshot directory name is empty", command: name) }
        let absolute = RestoreCommand.absolutePath(dir)
        if let base = a.options["base"], base.isEmpty {
            throw .usage("--base: the base snapshot directory name is empty", command: name)
        }
        let base = a.options["base"].map(RestoreCommand.absolutePath)
        var lastPercent = -1
        _ = try ControlCommand.send(
            .snapshot(directory: absolute, then: then, base: base), socket: a.options["api-socket"],
            progress: { done, total in
                guard total >= 64 << 20 else { return }
                let percent = Int(done * 100 / max(total, 1))
                if percent / 10 != lastPercent / 10 {
                    lastPercent = percent
                    io.err.write("vmmctl: snapshot: \(percent)% of \(total >> 20) MiB\n")
                }
            })
        io.print("snapshot written to \(absolute)")
        return 0
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
