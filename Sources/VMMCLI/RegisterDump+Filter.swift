import SysRegs

extension RegisterDump {
    /// What `--filter` selects. Names compare case-insensitively; unknown ids match by their structural
    /// name or the name the snapshot recorded for them.
    enum Filter: Hashable, Sendable {
        case everything
        case group(RegisterGroup)
        /// One name, upper-cased.
        case name(String)
        /// Names starting with this, upper-cased (a plain name that names nothing is retried as a prefix).
        case prefix(String)
        /// A pattern with `*` (any run) and `?` (any one character), upper-cased.
        case glob(String)

        /// Parses `--filter`: a pattern with `*` or `?` is a glob, a group name is a group, else a name.
        init(_ text: String) {
            if text.contains("*") || text.contains("?") {
                self = .glob(text.uppercased())
            } else if let group = RegisterGroup(rawValue: text.lowercased()) {
                self = .group(group)
            } else {
                self = .name(text.uppercased())
            }
        }

        /// True for a name, prefix or glob: the user named registers, so they are shown in full
        /// (long SVE values unabbreviated, GIC redistributor and distributor registers listed).
        var isPattern: Bool {
            switch self {
            case .name, .prefix, .glob: return true
            case .everything, .group: return false
            }
        }

        /// True when `--filter gic` asks for the whole GIC state.
        var listsAllGIC: Bool { self == .group(.gic) }

        /// Whether a register row is selected.
        func matches(_ row: Row) -> Bool {
            switch self {
            case .everything: return true
            case .group(let g): return row.group == g
            default: return matchesName(row.name) || row.storedName.map(matchesName) == true
            }
        }

        /// Whether a GIC register (CPU interface, redistributor or distributor) is selected.
        func matchesGIC(_ name: String) -> Bool {
            switch self {
            case .everything: return true
            case .group(let g): return g == .gic
            default: return matchesName(name)
            }
        }

        /// Whether a VNCR page slot is selected, by its register's name and group.
        func matches(_ d: RegisterDescriptor) -> Bool {
            switch self {
            case .everything: return true
            case .group(let g): return d.group == g
            default: return matchesName(d.name)
            }
        }

        private func matchesName(_ name: String) -> Bool {
            let upper = name.uppercased()
            switch self {
            case .name(let n): return upper == n
            case .prefix(let p): return upper.hasPrefix(p)
            case .glob(let g): return Self.globMatches(Array(g), Array(upper))
            case .everything, .group: return false
            }
        }

        /// Shell-style matching of `*` and `?`, backtracking to the last `*` on a mismatch.
        static func globMatches(_ pattern: [Character], _ text: [Character]) -> Bool {
            var p = 0
            var t = 0
            var star: Int? = nil
            var resume = 0
            while t < text.count {
                if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                    p += 1
                    t += 1
                } else if p < pattern.count && pattern[p] == "*" {
                    star = p
                    resume = t
                    p += 1
                } else if let s = star {
                    p = s + 1
                    resume += 1
                    t = resume
                } else {
                    return false
                }
            }
            while p < pattern.count && pattern[p] == "*" { p += 1 }
            return p == pattern.count
        }
    }
}
