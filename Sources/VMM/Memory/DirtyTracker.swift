import Synchronization

/// Which pages of one guest RAM region were written since a generation began: the pages KVM's dirty
/// log reports (guest stores, KVM_MEM_LOG_DIRTY_PAGES on the region's memory slot) and the pages the
/// VMM wrote itself (boot loading, virtio DMA), which never appear in KVM's log because they are written
/// through the host mapping, not through stage 2.
///
/// A generation is the interval between two commits. An incremental snapshot (and, later, a live
/// migration round) works in three steps: fold KVM's log in (`merge`), take the pages to write
/// (`pending()`), write them, and only then `commit` them, which clears exactly those bits and starts the
/// next generation. A failed write commits nothing, so no dirty page is ever forgotten; a page the VMM
/// writes between `pending()` and `commit` keeps its bit only if it was not in the committed set (the
/// VM is paused then, so only device threads can write, and the snapshot copy raced them anyway).
///
/// Thread-safe: device threads mark pages while the control thread collects them.
public final class DirtyTracker: Sendable {
    /// The first guest physical address tracked.
    public let guestAddress: UInt64
    /// The tracked size in bytes (a multiple of `pageSize`).
    public let size: UInt64
    /// The tracking granule: the host page size, which is KVM's dirty-log granule.
    public let pageSize: Int
    private let state: Mutex<State>

    private struct State {
        var words: [UInt64]
        var generation: UInt64 = 0
    }

    /// Tracks `[guestAddress, guestAddress + size)` in pages of `pageSize` bytes, starting clean at
    /// generation 0.
    public init(guestAddress: UInt64, size: UInt64, pageSize: Int) {
        self.guestAddress = guestAddress
        self.size = size
        self.pageSize = pageSize
        let pages = Int((size + UInt64(pageSize) - 1) / UInt64(pageSize))
        state = Mutex(State(words: [UInt64](repeating: 0, count: (pages + 63) / 64)))
    }

    /// The number of pages tracked.
    public var pageCount: Int { Int((size + UInt64(pageSize) - 1) / UInt64(pageSize)) }

    /// The current generation: how many commits there have been.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The length in 64-bit words of a dirty bitmap for this region (KVM_GET_DIRTY_LOG's layout).
    public var bitmapWords: Int { (pageCount + 63) / 64 }

    /// Marks the pages overlapping guest `[address, address + length)` as written; the part outside the
    /// tracked region is ignored.
    public func mark(_ address: UInt64, length: Int) {
        guard length > 0 else { return }
        let start = max(address, guestAddress)
        let end = min(address &+ UInt64(length), guestAddress + size)
        guard start < end else { return }
        let first = Int((start - guestAddress) / UInt64(pageSize))
        let last = Int((end - 1 - guestAddress) / UInt64(pageSize))
        state.withLock { state in
            for page in first...last { state.words[page >> 6] |= 1 << UInt64(page & 63) }
        }
    }

    /// Marks every page (a memory image whose history is unknown).
    public func markAll() {
        let pages = pageCount
        state.withLock { state in
            for page in 0..<pages { state.words[page >> 6] |= 1 << UInt64(page & 63) }
        }
    }

    /// ORs in a dirty bitmap in KVM_GET_DIRTY_LOG's layout (bit n of word n / 64 for page n); words
    /// past the tracker's bitmap and bits past its last page are ignored.
    public func merge(_ bitmap: [UInt64]) {
        let pages = pageCount
        state.withLock { state in
            for index in 0..<min(bitmap.count, state.words.count) { state.words[index] |= bitmap[index] }
            Self.clearTail(&state.words, pages: pages)
        }
    }

    /// The pages written since the current generation began (a copy; the tracker keeps its bits).
    public func pending() -> DirtyPages {
        state.withLock { state in
            DirtyPages(pageSize: pageSize, pageCount: pageCount, words: state.words, generation: state.generation)
        }
    }

    /// Clears the bits of `pages` (what was written) and starts the next generation.
    /// - Returns: the new generation.
    @discardableResult
    public func commit(_ pages: DirtyPages) -> UInt64 {
        state.withLock { state in
            for index in 0..<min(pages.words.count, state.words.count) { state.words[index] &= ~pages.words[index] }
            state.generation += 1
            return state.generation
        }
    }

    private static func clearTail(_ words: inout [UInt64], pages: Int) {
        guard pages % 64 != 0, !words.isEmpty else { return }
        words[words.count - 1] &= (1 << UInt64(pages % 64)) - 1
    }
}

/// A set of pages of one region, as a bitmap (bit n of word n / 64 for page n) and as runs.
public struct DirtyPages: Hashable, Sendable {
    /// The granule in bytes.
    public var pageSize: Int
    /// Pages in the region.
    public var pageCount: Int
    /// The bitmap.
    public var words: [UInt64]
    /// The tracker generation these pages were collected in.
    public var generation: UInt64

    public init(pageSize: Int, pageCount: Int, words: [UInt64], generation: UInt64 = 0) {
        self.pageSize = pageSize
        self.pageCount = pageCount
        self.words = words
        self.generation = generation
    }

    /// How many pages are set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Bytes the pages cover.
    public var byteCount: UInt64 { UInt64(count) * UInt64(pageSize) }

    /// The set pages as sorted, disjoint, non-adjacent runs of page indices.
    public var runs: [Range<UInt64>] {
        var runs: [Range<UInt64>] = []
        var start: Int?
        for page in 0..<pageCount {
            let set = words[page >> 6] & (1 << UInt64(page & 63)) != 0
            if set, start == nil { start = page }
            if !set, let s = start {
                runs.append(UInt64(s)..<UInt64(page))
                start = nil
            }
        }
        if let s = start { runs.append(UInt64(s)..<UInt64(pageCount)) }
        return runs
    }

    /// The runs as byte ranges (offsets into the region).
    public var byteRanges: [Range<UInt64>] {
        let page = UInt64(pageSize)
        return runs.map { ($0.lowerBound * page)..<($0.upperBound * page) }
    }
}
