import SysRegs
import VMM

/// Guest RAM for the walker and `mem read`: one region at `base`, read through `fetch` (a mapped
/// snapshot memory file, or a running VM's `read-memory` request) in 4 KiB pages kept once read, so a
/// walk over a socket asks for each table page once.
final class GuestRAMReader: GuestPhysicalMemory {
    let base: UInt64
    let size: UInt64
    private let fetch: (UInt64, Int) throws(CLIError) -> [UInt8]
    private var pages: [UInt64: [UInt8]] = [:]
    /// The first error a read hit (a walk cannot throw through the protocol, so it is kept for the caller).
    private(set) var failure: CLIError?

    static let pageSize: UInt64 = 4096

    init(base: UInt64, size: UInt64, fetch: @escaping (UInt64, Int) throws(CLIError) -> [UInt8]) {
        self.base = base
        self.size = size
        self.fetch = fetch
    }

    /// The memory file offset of `address`, nil outside RAM.
    func fileOffset(of address: UInt64) -> UInt64? {
        address >= base && address - base < size ? address - base : nil
    }

    func contains(_ address: UInt64, count: Int) -> Bool {
        guard let offset = fileOffset(of: address) else { return false }
        return size - offset >= UInt64(count)
    }

    /// `count` bytes at `address`, or nil if any is outside RAM (or the fetch failed: see `failure`).
    func read(at address: UInt64, count: Int) -> [UInt8]? {
        guard contains(address, count: count) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var at = address
        while out.count < count {
            let page = at & ~(Self.pageSize - 1)
            guard let bytes = self.page(page) else { return nil }
            let from = Int(at - page)
            let take = min(bytes.count - from, count - out.count)
            out += bytes[from..<from + take]
            at += UInt64(take)
        }
        return out
    }

    func read64(at address: UInt64) -> UInt64? {
        guard let bytes = read(at: address, count: 8) else { return nil }
        return bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }

    private func page(_ address: UInt64) -> [UInt8]? {
        if let cached = pages[address] { return cached }
        let count = Int(min(Self.pageSize, base + size - address))
        do {
            let bytes = try fetch(address, count)
            guard bytes.count == count else { return nil }
            pages[address] = bytes
            return bytes
        } catch {
            failure = failure ?? error
            return nil
        }
    }
}
