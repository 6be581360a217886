/// A `vmmctl` subcommand: its name, one-line summary, help text and entry point.
protocol Subcommand: Sendable {
    static var name: String { get }
    static var summary: String { get }
    /// The full `vmmctl help NAME` text.
    static var help: String { get }
    /// Runs the command; returns the exit status or throws a `CLIError`.
    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32
}
