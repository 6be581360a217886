import Glibc

/// The `vmmctl` command line: dispatches to subcommands and turns errors into messages and exit codes.
///
/// Exit status: 0 success; 1 the command failed (the message says why and what to do); 2 the command
/// line is wrong; subcommands document further codes (`check` exits 3 when KVM works but nested
/// virtualization does not).
public enum VMMCTL {
    static let subcommands: [any Subcommand.Type] = [
        RunCommand.self, DumpRegsCommand.self, SnapshotCommand.self, RestoreCommand.self, PauseCommand.self,
        ResumeCommand.self, StatusCommand.self, ShutdownCommand.self, RegsCommand.self, CheckCommand.self,
        TranslateCommand.self, MemCommand.self,
    ]

    public static let version = "0.1.0"

    /// When this process entered `main` (for `VMMCTL_TIMING=1` reports).
    static let startTime = Clock.nanoseconds()

    /// Runs `vmmctl` with `arguments` (without the program name).
    public static func main(_ arguments: [String], io: Terminal = .standard) -> Int32 {
        _ = startTime
        // A closed stdout (`vmmctl run ... | head`) must be an EPIPE the console writer handles (the VM
        // stops cleanly, the terminal is restored), not a SIGPIPE that kills the process mid-run.
        signal(SIGPIPE, SIG_IGN)
        do {
            return try dispatch(arguments, io)
        } catch {
            io.err.write("vmmctl: error: \(error.message)\n")
            return error.status
        }
    }

    static func dispatch(_ arguments: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        guard let first = arguments.first else {
            io.out.write(overview)
            return 0
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "-h", "--help":
            io.out.write(overview)
            return 0
        case "--version", "version":
            io.print("vmmctl \(version)")
            return 0
        case "help":
            return try help(rest, io)
        default:
            guard let command = subcommands.first(where: { $0.name == first }) else {
                throw CLIError(
                    "unknown command '\(first)'\nRun 'vmmctl --help' for the list of commands.",
                    status: CLIError.usageStatus)
            }
            if rest.first == "--help" || rest.first == "-h" {
                io.out.write(command.help)
                return 0
            }
            return try command.run(rest, io)
        }
    }

    static func help(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        guard let name = args.first else {
            io.out.write(overview)
            return 0
        }
        guard let command = subcommands.first(where: { $0.name == name }) else {
            throw CLIError(
                "no help for unknown command '\(name)'\nRun 'vmmctl --help' for the list of commands.",
                status: CLIError.usageStatus)
        }
        io.out.write(command.help)
        return 0
    }

    static var overview: String {
        let width = subcommands.map { $0.name.count }.max() ?? 0
        let lines = subcommands.map {
            "  " + $0.name + String(repeating: " ", count: width - $0.name.count + 3) + $0.summary
        }
        return """
            vmmctl \(version): a KVM virtual machine monitor for arm64 hosts, built around an exact model of
            the arm64 nested-virtualization register file.

            Usage: vmmctl COMMAND [OPTIONS]

            Commands:
            \(lines.joined(separator: "\n"))

            Options:
              -h, --help     show this help (or 'vmmctl help COMMAND' for one command)
              --version      print the version

            Exit status: 0 success, 1 failure (the message says what to do), 2 bad command line.

            """
    }
}
