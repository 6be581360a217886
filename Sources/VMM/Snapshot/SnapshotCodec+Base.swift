import SysRegs

// The `BASE` section of an incremental snapshot (docs/snapshot-format.md, "Incremental snapshots").

extension SnapshotCodec {
    static func encodeBase(_ base: BaseReference) -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u32(base.pageSize)
        out.count(base.chain.count)
        for link in base.chain {
            out.string(link.path)
            out.u32(link.stateChecksum)
            out.u32(link.memoryChecksum)
        }
        out.count(base.pages.count)
        for run in base.pages {
            out.u64(run.lowerBound)
            out.u64(UInt64(run.count))
        }
        return out.bytes
    }

    /// Decodes and checks the fields on their own: the page size, the chain's length and paths, runs
    /// sorted, disjoint and non-empty. Whether the runs fit guest RAM is checked with the memory section
    /// (`MachineState.validateBase`).
    static func decodeBase(_ r: inout SnapshotByteReader) throws(SnapshotError) -> BaseReference {
        let pageOffset = r.offset
        let pageSize = try r.u32("page size")
        guard pageSize >= 4096, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            throw r.malformed("page size \(pageSize) is not a power of two from 4 KiB to 64 KiB", at: pageOffset)
        }
        let chainOffset = r.offset
        let length = try r.count("chain length", minimumSize: 12)
        guard (1...BaseReference.maximumChainLength).contains(length) else {
            throw r.malformed(
                "chain length \(length) is not 1 to \(BaseReference.maximumChainLength)", at: chainOffset)
        }
        var chain: [SnapshotLink] = []
        for index in 0..<length {
            let pathOffset = r.offset
            let path = try r.string("path of chain entry \(index)")
            guard path.hasPrefix("/"), !path.contains("\0") else {
                throw r.malformed("chain entry \(index)'s path \"\(path)\" is not absolute", at: pathOffset)
            }
            chain.append(
                SnapshotLink(
                    path: path, stateChecksum: try r.u32("state checksum of chain entry \(index)"),
                    memoryChecksum: try r.u32("memory checksum of chain entry \(index)")))
        }
        let runCount = try r.count("page run count", minimumSize: 16)
        var pages: [Range<UInt64>] = []
        pages.reserveCapacity(runCount)
        for index in 0..<runCount {
            let runOffset = r.offset
            let first = try r.u64("first page of run \(index)")
            let count = try r.u64("page count of run \(index)")
            guard count > 0, first.addingReportingOverflow(count).overflow == false else {
                throw r.malformed("page run \(index) (\(first) + \(count)) is empty or wraps around", at: runOffset)
            }
            if let last = pages.last, first <= last.upperBound {
                throw r.malformed(
                    "page run \(index) starts at page \(first), not after the previous run's end \(last.upperBound)",
                    at: runOffset)
            }
            pages.append(first..<(first + count))
        }
        return BaseReference(pageSize: pageSize, chain: chain, pages: pages)
    }
}

extension MachineState {
    /// An incremental snapshot's pages lie inside guest RAM, in whole pages.
    func validateBase() throws(SnapshotError) {
        guard let base else { return }
        let page = UInt64(base.pageSize)
        guard memory.size % page == 0 else {
            throw .inconsistent("guest RAM of \(memory.size) bytes is not a whole number of \(page)-byte pages")
        }
        if let last = base.pages.last, last.upperBound > memory.size / page {
            throw .inconsistent(
                "the incremental pages end at page \(last.upperBound), guest RAM has \(memory.size / page) pages")
        }
    }
}
