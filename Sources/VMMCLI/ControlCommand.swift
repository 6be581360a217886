import VMM

/// Sending one typed request to a running VM's control socket, for the commands that steer it.
enum ControlCommand {
    /// Sends `request` and returns the reply body, or throws the VM's error message.
    static func send(
        _ request: ControlRequest, socket: String?, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws(CLIError) -> [UInt8] {
        let client = ControlClient(path: try RunCommand.socketPath(socket))
        let reply: ControlReply
        do { reply = try client.request(request, progress: progress) } catch {
            throw CLIError(error.description)
        }
        switch reply {
        case .ok(let body): return body
        case .error(let message): throw CLIError("the VM refused '\(request.verb.rawValue)': \(message)")
        }
    }

    /// The usual shape of a control command with no payload: optional --api-socket, no arguments.
    static func simple(
        _ args: [String], command: String, request: ControlRequest, _ io: Terminal, done: (String) -> String
    ) throws(CLIError) -> Int32 {
        let a = try Arguments(args, command: command, options: ["api-socket"])
        _ = try a.positionals([], command: command)
        let body = try send(request, socket: a.options["api-socket"])
        io.print(done(String(decoding: body, as: UTF8.self)))
        return 0
    }
}

/// `vmmctl pause`.
enum PauseCommand: Subcommand {
    static let name = "pause"
    static let summary = "pause a running VM (every vCPU stops at an instruction boundary)"
    static let help = """
        Usage: vmmctl pause [--api-socket PATH]

        Pauses the VM served at PATH (default: see 'vmmctl help run'). Every vCPU leaves KVM_RUN with
        pending MMIO completed and waits; the guest's clock keeps running. 'vmmctl resume' continues.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        try ControlCommand.simple(args, command: name, request: .pause, io) { _ in "paused" }
    }
}

/// `vmmctl resume`.
enum ResumeCommand: Subcommand {
    static let name = "resume"
    static let summary = "resume a paused VM"
    static let help = """
        Usage: vmmctl resume [--api-socket PATH]

        Lets the vCPUs of a paused VM run again.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        try ControlCommand.simple(args, command: name, request: .resume, io) { _ in "running" }
    }
}

/// `vmmctl shutdown`.
enum ShutdownCommand: Subcommand {
    static let name = "shutdown"
    static let summary = "stop a running VM (its `vmmctl run` exits 0)"
    static let help = """
        Usage: vmmctl shutdown [--api-socket PATH]

        Stops the VM served at PATH: the vCPUs leave KVM_RUN, the VM is torn down and its `vmmctl run`
        (or `vmmctl restore`) exits with status 0. The guest is not asked to shut down first.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        try ControlCommand.simple(args, command: name, request: .shutdown, io) { _ in "shutting down" }
    }
}

/// `vmmctl status`.
enum StatusCommand: Subcommand {
    static let name = "status"
    static let summary = "print whether a VM is running or paused"
    static let help = """
        Usage: vmmctl status [--api-socket PATH]

        Prints 'running' or 'paused' for the VM served at PATH; fails (status 1) when nothing serves
        PATH, so scripts can also use it to wait until a VM is up.

        """

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        try ControlCommand.simple(args, command: name, request: .status, io) { $0 }
    }
}
