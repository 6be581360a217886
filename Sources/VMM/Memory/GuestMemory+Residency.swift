import Glibc

extension GuestMemory {
    /// The byte ranges of `region` (offsets into it, page-aligned, sorted, disjoint) that may hold
    /// something other than zeros; everything outside them is zero for certain. A snapshot writes only
    /// these (and of them only the pages that are not all zero).
    ///
    /// Two sources, united:
    /// - /proc/self/pagemap (Documentation/admin-guide/mm/pagemap.rst): a page of the mapping that is
    ///   neither present (bit 63) nor swapped (bit 62) was never touched, or was dropped: for anonymous
    ///   RAM it reads as zero. mincore(2) is not enough: it reports a swapped-out page as not resident,
    ///   and skipping it would lose data.
    /// - the memory file behind restored RAM (`backing`): a page the guest has not touched since the
    ///   restore is not present in the mapping, but its bytes are in the file (mapped privately, or
    ///   loaded on demand by the pager). Its data extents (SEEK_DATA/SEEK_HOLE) count, its holes do not.
    ///
    /// When pagemap cannot be read, the whole region counts: slower, never wrong.
    func possiblyNonZeroRanges(of region: Region) -> [Range<UInt64>] {
        let size = UInt64(region.size)
        guard var ranges = Self.presentRanges(start: region.hostAddress, size: region.size) else { return [0..<size] }
        if let backing, backing.size == size {
            guard let extents = try? backing.file.dataExtents(to: size) else { return [0..<size] }
            ranges = Self.union(ranges, extents.map { alignOut($0) })
        }
        return ranges
    }

    /// Page-aligned runs of `[start, start + size)` that pagemap reports present or swapped; nil if
    /// pagemap cannot be read.
    static func presentRanges(start: UInt, size: Int) -> [Range<UInt64>]? {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let pagemap = try? HostFile.openForReading("/proc/self/pagemap") else { return nil }
        let pages = size / page
        let batch = 8192
        var entries = [UInt64](repeating: 0, count: batch)
        var ranges: [Range<UInt64>] = []
        var runStart: Int?
        var index = 0
        while index < pages {
            let count = min(batch, pages - index)
            let offset = UInt64(start / UInt(page) + UInt(index)) * 8
            let got = entries.withUnsafeMutableBytes { buffer in
                // SAFETY: `buffer` is `entries`' storage, 8 * batch bytes; at most 8 * count are read.
                try? pagemap.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<(count * 8)]), at: offset)
            }
            guard got == count * 8 else { return nil }
            for k in 0..<count {
                let populated = entries[k] & (3 << 62) != 0
                if populated, runStart == nil { runStart = index + k }
                if !populated, let s = runStart {
                    ranges.append(UInt64(s * page)..<UInt64((index + k) * page))
                    runStart = nil
                }
            }
            index += count
        }
        if let s = runStart { ranges.append(UInt64(s * page)..<UInt64(pages * page)) }
        return ranges
    }

    /// The union of two sorted lists of disjoint ranges, sorted, with touching ranges merged.
    static func union(_ a: [Range<UInt64>], _ b: [Range<UInt64>]) -> [Range<UInt64>] {
        let all = (a + b).sorted { $0.lowerBound < $1.lowerBound }
        var merged: [Range<UInt64>] = []
        for range in all where !range.isEmpty {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}

/// `range` widened to whole host pages.
private func alignOut(_ range: Range<UInt64>) -> Range<UInt64> {
    let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
    return (range.lowerBound / page * page)..<((range.upperBound + page - 1) / page * page)
}
