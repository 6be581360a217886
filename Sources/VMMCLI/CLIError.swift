/// An error the command line reports to the user: what went wrong and what to do, plus the exit status.
public struct CLIError: Error, Equatable, CustomStringConvertible {
    /// Exit status 2: the command line itself is wrong (unknown option, missing argument).
    public static let usageStatus: Int32 = 2
    /// Exit status 1: the command was understood but could not be carried out.
    public static let failureStatus: Int32 = 1

    public let message: String
    public let status: Int32

    public init(_ message: String, status: Int32 = CLIError.failureStatus) {
        self.message = message
        self.status = status
    }

    /// A usage error, with a pointer to the subcommand's help.
    public static func usage(_ message: String, command: String) -> CLIError {
        CLIError("\(message)\nRun 'vmmctl help \(command)' for usage.", status: usageStatus)
    }

    public var description: String { message }
}
