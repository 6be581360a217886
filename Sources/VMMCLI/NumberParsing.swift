/// Parses register values and ids as users type them: `0x480000000`, `0b1001`, `0o17`, decimal, with
/// `_` separators, up to 128 bits.
enum NumberParsing {
    static func parseUInt128(_ text: String) -> UInt128? {
        var s = Substring(text.replacingOccurrences(of: "_", with: ""))
        var radix = 10
        for (prefix, r) in [("0x", 16), ("0X", 16), ("0b", 2), ("0B", 2), ("0o", 8)] where s.hasPrefix(prefix) {
            s = s.dropFirst(2)
            radix = r
        }
        guard !s.isEmpty else { return nil }
        return UInt128(s, radix: radix)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
