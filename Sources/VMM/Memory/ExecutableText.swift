import Glibc

/// The VMM's own machine code and read-only data as the kernel maps them (the executable's `r-xp`
/// and `r--p` mappings), and a way to let go of the pages that only the start-up used.
///
/// Why: a page of code becomes resident in the process when it is first executed, together with up to
/// 15 neighbours that the kernel's fault-around maps from the page cache (`fault_around_bytes`, 64 KiB).
/// Probing the host, parsing the Image, building the device tree and the machine's tables run once,
/// yet their pages stay mapped as long as the VM runs: about half of the text resident in an idle VM
/// (docs/performance.md, "footprint"); the same holds for the read-only data they read (type
/// metadata, strings, tables). After the start-up the VMM drops its mapping of every such page
/// (MADV_DONTNEED); the pages the running VM executes are mapped again from the page cache on their
/// next use, the others stay in the page cache only, where the kernel can reclaim them first.
///
/// MADV_DONTNEED on a private file mapping discards the process's private copies of its pages. Text
/// has none unless something wrote into it (a debugger's breakpoint, through ptrace); data made
/// read-only after relocation (RELRO) has them. So a mapping is skipped when any of its pages is not
/// a file page, present or swapped out (/proc/self/pagemap bits 61 and 62;
/// Documentation/admin-guide/mm/pagemap.rst). /proc/self/maps and pagemap, not smaps: smaps walks
/// the page tables of every mapping, guest RAM included, which costs tens of milliseconds under
/// emulation.
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

    /// An address inside this module's code: a C-convention closure is emitted as a function here.
    static var probeAddress: UInt {
        let probe: @convention(c) () -> Void = {}
        return unsafeBitCast(probe, to: UInt.self)
    }

    /// Every mapping of /proc/self/maps, in its order; nil if it cannot be read.
    public static func mappings() -> [Mapping]? {
        guard let maps = try? HostFile.openForReading("/proc/self/maps").readAll() else { return nil }
        return String(decoding: maps, as: UTF8.self).split(separator: "\n").compactMap { Mapping(mapsLine: $0) }
    }

    /// Of `mappings`, the executable one that holds this module's code.
    static func textMapping(in mappings: [Mapping]) -> Mapping? {
        let address = probeAddress
        return mappings.first { $0.contains(address) && $0.permissions.hasPrefix("r-x") }
    }

    /// The executable mapping that holds this module's code; nil if /proc/self/maps cannot be read.
    public static func ownMapping() -> Mapping? {
        mappings().flatMap(textMapping(in:))
    }

    /// How many pages of `mapping` are present, and how many are private (anonymous) copies rather
    /// than file pages, present or swapped out; nil if /proc/self/pagemap cannot be read.
    public static func presentPages(of mapping: Mapping) -> (present: Int, anonymous: Int)? {
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        guard let pagemap = try? HostFile.openForReading("/proc/self/pagemap") else { return nil }
        let count = Int((mapping.end - mapping.start) / page)
        var entries = [UInt64](repeating: 0, count: count)
        let got = entries.withUnsafeMutableBytes { buffer in
            // SAFETY: `buffer` is `entries`' storage, 8 bytes per page of the mapping.
            try? pagemap.read(into: buffer, at: UInt64(mapping.start / page) * 8)
        }
        guard got == count * 8 else { return nil }
        let present = entries.filter { $0 >> 63 == 1 }
        // A swapped-out page (bit 62) can only be a private copy: file pages are dropped, not swapped.
        let swapped = entries.filter { ($0 >> 62) & 1 == 1 }.count
        return (present.count, present.filter { ($0 >> 61) & 1 == 0 }.count + swapped)
    }

    /// The executable's read-only mappings: its text (`ownMapping`) and every other mapping of the
    /// same file that is not writable (read-only data, Swift metadata, unwind tables), of `all` (read
    /// from /proc/self/maps if nil); empty if /proc/self/maps cannot be read.
    public static func readOnlyMappings(in all: [Mapping]? = nil) -> [Mapping] {
        guard let all = all ?? mappings(), let text = textMapping(in: all), !text.path.isEmpty else { return [] }
        return all.filter { $0.path == text.path && !$0.permissions.hasPrefix("rw") && $0.permissions.hasPrefix("r") }
    }

    /// Drops this process's mapping of its read-only pages after the start-up (see the type's comment).
    /// A mapping that holds a private page, or whose pages pagemap cannot tell, is left alone.
    /// - Parameter all: the process's mappings, if the caller has just read them (`mappings()`).
    /// - Returns: the bytes of mappings released.
    @discardableResult
    public static func releaseStartupPages(in all: [Mapping]? = nil) -> Int {
        var released = 0
        for mapping in readOnlyMappings(in: all) {
            guard let pages = presentPages(of: mapping), pages.anonymous == 0 else { continue }
            let length = Int(mapping.end - mapping.start)
            // SAFETY: the range is one of this process's own read-only private file mappings with no
            // private page, present or swapped; MADV_DONTNEED only unmaps its page-cache pages, which
            // fault back in unchanged.
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), length, MADV_DONTNEED) == 0 {
                released += length
            }
        }
        return released
    }
}
