import Glibc

/// The VMM's own machine code as the kernel maps it: the executable's `r-xp` mapping, and a way to
/// let go of the pages that only the start-up ran.
///
/// Why: a page of code becomes resident in the process when it is first executed, together with up to
/// 15 neighbours that the kernel's fault-around maps from the page cache (`fault_around_bytes`, 64 KiB).
/// Probing the host, parsing the Image, building the device tree and the machine's tables run once,
/// yet their pages stay mapped as long as the VM runs: about half of the text resident in an idle VM
/// (docs/performance.md, "footprint"). After the start-up the VMM drops its mapping of every text page
/// (MADV_DONTNEED); the pages the running VM executes are mapped again from the page cache on their
/// next use, the others stay in the page cache only, where the kernel can reclaim them first.
///
/// MADV_DONTNEED on a private file mapping discards the process's private copies of its pages. Text
/// has none unless something wrote into it (a debugger's breakpoint, through ptrace), so the release is
/// skipped when the mapping holds any anonymous memory (/proc/self/smaps, `Anonymous:`).
public enum ExecutableText {
    /// One line of /proc/self/maps (proc(5)): `start-end perms offset dev inode path`.
    public struct Mapping: Equatable, Sendable {
        public var start: UInt
        public var end: UInt
        public var permissions: String
        public var path: String

        /// Parses a line of /proc/PID/maps; nil if it is not one.
        public init?(mapsLine line: Substring) {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                start < end
            else { return nil }
            self.start = start
            self.end = end
            permissions = String(fields[1])
            path = fields.count == 6 ? String(fields[5].drop { $0 == " " }) : ""
        }

        public func contains(_ address: UInt) -> Bool { start <= address && address < end }
    }

    /// A kB field (`Rss`, `Anonymous`, ...) of each mapping in /proc/PID/smaps text, keyed by the
    /// mapping's start.
    public static func kB(_ field: String, smaps: String) -> [UInt: Int] {
        let prefix = field + ":"
        var result: [UInt: Int] = [:]
        var current: UInt?
        for line in smaps.split(separator: "\n") {
            if let mapping = Mapping(mapsLine: line), line.first?.isHexDigit == true {
                current = mapping.start
            } else if line.hasPrefix(prefix), let current {
                let number = line.dropFirst(prefix.count).split(separator: " ").first
                result[current] = number.flatMap { Int($0) }
            }
        }
        return result
    }

    /// An address inside this module's code: a C-convention closure is emitted as a function here.
    static var probeAddress: UInt {
        let probe: @convention(c) () -> Void = {}
        return unsafeBitCast(probe, to: UInt.self)
    }

    /// The executable mapping that holds this module's code, with its anonymous and resident kB; nil if
    /// /proc/self/smaps cannot be read.
    public static func ownMapping() -> (mapping: Mapping, anonymousKB: Int?, residentKB: Int?)? {
        guard let smaps = try? readWhole("/proc/self/smaps") else { return nil }
        let address = probeAddress
        for line in smaps.split(separator: "\n") where line.first?.isHexDigit == true {
            if let mapping = Mapping(mapsLine: line), mapping.contains(address), mapping.permissions.hasPrefix("r-x") {
                return (mapping, kB("Anonymous", smaps: smaps)[mapping.start], kB("Rss", smaps: smaps)[mapping.start])
            }
        }
        return nil
    }

    /// Drops this process's mapping of its text pages after the start-up (see the type's comment).
    /// - Returns: the bytes of text released, 0 when it was skipped (smaps unreadable, or the text
    ///   holds private pages).
    @discardableResult
    public static func releaseStartupPages() -> Int {
        guard let (mapping, anonymous, _) = ownMapping(), anonymous == 0 else { return 0 }
        let length = Int(mapping.end - mapping.start)
        // SAFETY: the range is this process's own read-only, executable private file mapping with no
        // private pages; MADV_DONTNEED only unmaps its page-cache pages, which fault back in unchanged.
        guard madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), length, MADV_DONTNEED) == 0 else { return 0 }
        return length
    }

    static func readWhole(_ path: String) throws(HostFileError) -> String {
        let file = try HostFile.openForReading(path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let offset = UInt64(bytes.count)
            let got = chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(HostFileError) in try file.read(into: buffer, at: offset) }
            }
            let count = try got.get()
            bytes += chunk[..<count]
            if count < chunk.count { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
