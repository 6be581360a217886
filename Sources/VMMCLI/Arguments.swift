/// A minimal, strict argument parser: `--flag`, `--option VALUE` / `--option=VALUE`, positionals, and
/// `--` to end options. Anything not declared is an error naming the offending argument.
struct Arguments {
    private(set) var flags: Set<String> = []
    private(set) var options: [String: String] = [:]
    /// Every value of each option in command-line order, for repeatable options (`--disk`);
    /// `options` keeps the last.
    private(set) var repeated: [String: [String]] = [:]
    private(set) var positionals: [String] = []

    /// Parses `args` for `command` (used in error messages), accepting the given flag and option names
    /// (without leading dashes).
    init(
        _ args: [String], command: String, flags known: Set<String> = [], options knownOptions: Set<String> = []
    )
        throws(CLIError)
    {
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositionals || !a.hasPrefix("-") || a == "-" || Self.looksNumeric(a) {
                positionals.append(a)
                continue
            }
            if a == "--" {
                onlyPositionals = true
                continue
            }
            guard a.hasPrefix("--") else {
                if a == "-h" {
                    flags.insert("help")
                    continue
                }
                throw .usage("unknown option '\(a)'", command: command)
            }
            var name = String(a.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if known.contains(name) || name == "help" {
                guard value == nil else { throw .usage("option '--\(name)' takes no value", command: command) }
                flags.insert(name)
            } else if knownOptions.contains(name) {
                if value == nil {
                    guard i < args.count else { throw .usage("option '--\(name)' needs a value", command: command) }
                    value = args[i]
                    i += 1
                }
                options[name] = value
                repeated[name, default: []].append(value ?? "")
            } else {
                throw .usage("unknown option '--\(name)'", command: command)
            }
        }
    }

    /// Negative numbers are values, not options.
    private static func looksNumeric(_ s: String) -> Bool {
        s.count > 1 && s.first == "-" && s.dropFirst().first.map(\.isNumber) == true
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// Exactly `count` positionals, named for the error message.
    func positionals(_ names: [String], command: String) throws(CLIError) -> [String] {
        if positionals.count < names.count {
            throw .usage("missing \(names[positionals.count])", command: command)
        }
        if positionals.count > names.count {
            throw .usage("unexpected argument '\(positionals[names.count])'", command: command)
        }
        return positionals
    }
}
