import VMMCLI

/// Runs `vmmctl` in-process and captures what it prints.
struct CLIRun {
    let status: Int32
    let out: String
    let err: String

    init(_ args: String...) { self.init(args) }

    init(_ args: [String]) {
        let out = CapturedOutput()
        let err = CapturedOutput()
        status = VMMCTL.main(args, io: Terminal(out: out, err: err))
        self.out = out.text
        self.err = err.text
    }
}
