/// What an incremental snapshot extends (its `BASE` section; docs/snapshot-format.md, "Incremental
/// snapshots"): the chain of snapshots below it, root first, each named by path and pinned by checksums,
/// and which pages of guest RAM its own memory file holds. Every page outside `pages` is the base's.
public struct BaseReference: Hashable, Sendable {
    /// The granule of `pages` in bytes: the host page size of the VM that wrote it (KVM's dirty-log
    /// granule), a power of two from 4 KiB to 64 KiB.
    public var pageSize: UInt32
    /// The snapshots this one extends: `chain[0]` is a full snapshot, each later one an incremental
    /// snapshot of the one before, and the last is the immediate base.
    public var chain: [SnapshotLink]
    /// The runs of page indices (sorted, disjoint) this snapshot's memory file holds. A page in a run
    /// replaces the base's page even where the file has a hole (the page became all zero).
    public var pages: [Range<UInt64>]

    public init(pageSize: UInt32, chain: [SnapshotLink], pages: [Range<UInt64>]) {
        self.pageSize = pageSize
        self.chain = chain
        self.pages = pages
    }

    /// The longest chain accepted: beyond it, take a full snapshot (each link costs a file's worth of
    /// page copies at restore).
    public static let maximumChainLength = 64

    /// The pages as byte ranges (offsets into guest RAM).
    public var byteRanges: [Range<UInt64>] {
        let page = UInt64(pageSize)
        return pages.map { ($0.lowerBound * page)..<($0.upperBound * page) }
    }

    /// Bytes the pages cover.
    public var byteCount: UInt64 { pages.reduce(0) { $0 + UInt64($1.count) } * UInt64(pageSize) }
}

/// One snapshot in a chain, as its successor recorded it.
public struct SnapshotLink: Hashable, Sendable {
    /// The snapshot directory's absolute path when the successor was written.
    public var path: String
    /// The CRC-32C of its whole state file: any change to its state (or to what it extends) shows.
    public var stateChecksum: UInt32
    /// Its memory file's checksum as its state records it (`MemoryState.checksum`).
    public var memoryChecksum: UInt32

    public init(path: String, stateChecksum: UInt32, memoryChecksum: UInt32) {
        self.path = path
        self.stateChecksum = stateChecksum
        self.memoryChecksum = memoryChecksum
    }
}

/// Why a snapshot chain cannot be written or restored. Each names the snapshot concerned and what to do.
public enum ChainProblem: Hashable, Sendable, CustomStringConvertible {
    /// The base (the full snapshot at the chain's root) is not there.
    case baseMissing(path: String, neededBy: String)
    /// A snapshot between the root and the top is not there.
    case gap(missing: String, neededBy: String, root: String)
    /// The snapshot at the recorded path is not the one recorded.
    case baseChanged(path: String, neededBy: String, what: String)
    /// The base is a snapshot of a machine of another shape.
    case otherMachine(path: String, neededBy: String, what: String)
    /// The snapshots' own records of the chain disagree.
    case inconsistent(path: String, reason: String)
    /// `snapshot --base` named a snapshot this VM's dirty tracking does not start at.
    case notTheLatest(path: String, latest: String?)
    /// The chain would be longer than `BaseReference.maximumChainLength`.
    case tooLong(length: Int)

    public var description: String {
        switch self {
        case .baseMissing(let path, let top):
            return "the base snapshot \(path) that \(top) extends is missing; restore it (or a copy) at that path, "
                + "or restore a full snapshot"
        case .gap(let missing, let top, let root):
            return "the chain from \(root) to \(top) has a gap: \(missing) is missing; every snapshot of the "
                + "chain is needed, restore \(missing) at that path"
        case .baseChanged(let path, let top, let what):
            return "the base snapshot \(path) is not the one \(top) extends (\(what)); it was replaced or "
                + "changed, restore the original at that path"
        case .otherMachine(let path, let top, let what):
            return "the base snapshot \(path) is of another machine than \(top) (\(what)); it cannot be a base "
                + "for it, restore the original at that path"
        case .inconsistent(let path, let reason):
            return "the snapshot chain at \(path) is inconsistent: \(reason); restore a full snapshot"
        case .notTheLatest(let path, let latest):
            let now =
                latest.map { "the last snapshot this VM took or was restored from is \($0)" }
                ?? "this VM has taken no snapshot and was not restored from one"
            return "\(path) cannot be the base of an incremental snapshot: \(now), and only pages dirtied "
                + "since that one are known; pass it as --base, or take a full snapshot (without --base)"
        case .tooLong(let length):
            return "the chain would have \(length + 1) snapshots, more than \(BaseReference.maximumChainLength); "
                + "take a full snapshot (without --base) to start a new chain"
        }
    }
}
