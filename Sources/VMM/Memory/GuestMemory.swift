import Glibc
import SysRegs

/// Guest RAM: host mappings (anonymous, or private mappings of a snapshot's memory file), each backing
/// one range of guest physical addresses.
///
/// Every access is bounds-checked and must lie inside one region; out-of-range accesses throw
/// rather than touch host memory. Register the memory with a VM through `VirtualMachine.map(_:)`,
/// which keeps it alive as long as the VM.
public final class GuestMemory {
    /// One contiguous range of guest physical memory and its host mapping.
    public struct Region: Hashable, Sendable {
        /// First guest physical address.
        public let guestAddress: UInt64
        /// Size in bytes (a multiple of the host page size).
        public let size: Int
        /// Host virtual address of the mapping, for KVM_SET_USER_MEMORY_REGION.
        public let hostAddress: UInt

        /// One past the last guest physical address.
        public var guestEnd: UInt64 { guestAddress + UInt64(size) }

        /// Whether `[address, address + length)` lies inside this region.
        public func contains(_ address: UInt64, length: Int) -> Bool {
            guard length >= 0, address >= guestAddress else { return false }
            let offset = address - guestAddress
            return offset <= UInt64(size) && UInt64(length) <= UInt64(size) - offset
        }
    }

    /// The regions, sorted by guest address.
    public let regions: [Region]

    /// Maps one anonymous region per `(guestAddress, size)`. Sizes and addresses must be multiples
    /// of the host page size, and regions must not overlap.
    public init(layout: [(guestAddress: UInt64, size: Int)]) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let sorted = layout.sorted { $0.guestAddress < $1.guestAddress }
        try Self.validate(sorted, page: page)
        var mapped: [Region] = []
        for entry in sorted {
            // SAFETY: a fresh private anonymous mapping; it is owned by this object and unmapped in
            // deinit (or below, if a later region fails).
            let pointer = mmap(
                nil, entry.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
            guard let pointer, pointer != MAP_FAILED else {
                let error = errno
                Self.unmap(mapped)
                throw GuestMemoryError.allocationFailed(size: entry.size, errno: error)
            }
            mapped.append(
                Region(guestAddress: entry.guestAddress, size: entry.size, hostAddress: UInt(bitPattern: pointer)))
        }
        regions = mapped
    }

    /// Takes ownership of regions mapped elsewhere (`init(mappingFile:guestAddress:size:)`); they are
    /// unmapped in deinit like anonymous ones.
    init(adopting regions: [Region]) {
        self.regions = regions.sorted { $0.guestAddress < $1.guestAddress }
    }

    /// One region of `size` bytes at `guestAddress`.
    public convenience init(guestAddress: UInt64, size: Int) throws {
        try self.init(layout: [(guestAddress, size)])
    }

    /// Fills a lazily loaded region (`init(lazilyLoading:...)`); stopped before the unmap.
    var pager: UserfaultPager?

    /// Stream the boot files in (`stream(from:...)`); set while the machine is built, finished before a
    /// snapshot reads the RAM, stopped before the unmap.
    var streams: [UserfaultPager] = []

    /// The memory file behind the RAM, for `checkBacking()` (GuestMemory+Backing.swift).
    var backing: MemoryBacking?

    /// Records the pages the VMM itself writes (`markWritten`), which KVM's dirty log cannot see; set
    /// once by the machine before any thread that writes guest RAM starts (GuestMemory+Dirty.swift).
    public internal(set) var dirtyTracker: DirtyTracker?

    /// This memory's entry in the SIGBUS safety net (`MappingFaultGuard`); removed before the unmap.
    var faultGuardSlot: Int?

    deinit {
        pager?.stop()
        for stream in streams { stream.stop() }
        if let faultGuardSlot { MappingFaultGuard.unregister(faultGuardSlot) }
        Self.unmap(regions)
    }

    static func validate(_ layout: [(guestAddress: UInt64, size: Int)], page: Int) throws {
        for entry in layout {
            func invalid(_ reason: String) -> GuestMemoryError {
                .invalidRegion(guestAddress: entry.guestAddress, size: entry.size, reason: reason)
            }
            guard entry.size > 0 else { throw invalid("empty") }
            guard entry.size % page == 0, entry.guestAddress % UInt64(page) == 0 else {
                throw invalid("not aligned to the \(page)-byte host page")
            }
            guard entry.guestAddress.addingReportingOverflow(UInt64(entry.size)).overflow == false else {
                throw invalid("wraps around the address space")
            }
        }
        for (a, b) in zip(layout, layout.dropFirst()) where a.guestAddress + UInt64(a.size) > b.guestAddress {
            throw GuestMemoryError.overlap(a.guestAddress, b.guestAddress)
        }
    }

    static func unmap(_ regions: [Region]) {
        for region in regions {
            // SAFETY: hostAddress/size are exactly what mmap returned for this region; no reference
            // to the mapping outlives the GuestMemory that owns it.
            munmap(UnsafeMutableRawPointer(bitPattern: region.hostAddress), region.size)
        }
    }

    /// The region holding `[address, address + length)`, or an out-of-range error.
    public func region(containing address: UInt64, length: Int) throws -> Region {
        guard let region = regions.first(where: { $0.contains(address, length: length) }) else {
            throw GuestMemoryError.outOfRange(address: address, length: length)
        }
        return region
    }

    /// Copies `count` bytes out of guest memory.
    public func read(at address: UInt64, count: Int) throws -> [UInt8] {
        let pointer = try hostPointer(address, length: count)
        // SAFETY: hostPointer checked that [pointer, pointer + count) lies inside one live mapping.
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Copies `bytes` into guest memory.
    public func write(_ bytes: [UInt8], at address: UInt64) throws {
        let pointer = try hostPointer(address, length: bytes.count)
        markWritten(address, length: bytes.count)
        // SAFETY: hostPointer checked that [pointer, pointer + bytes.count) lies inside one live mapping.
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// Reads a little-endian integer.
    public func read<T: FixedWidthInteger>(_ type: T.Type, at address: UInt64) throws -> T {
        let pointer = try hostPointer(address, length: MemoryLayout<T>.size)
        // SAFETY: bounds checked above; loadUnaligned tolerates any guest alignment.
        return T(littleEndian: pointer.loadUnaligned(as: T.self))
    }

    /// Writes a little-endian integer.
    public func write<T: FixedWidthInteger>(_ value: T, at address: UInt64) throws {
        let pointer = try hostPointer(address, length: MemoryLayout<T>.size)
        markWritten(address, length: MemoryLayout<T>.size)
        // SAFETY: bounds checked above; storeBytes has no alignment requirement for raw pointers.
        pointer.storeBytes(of: value.littleEndian, as: T.self)
    }

    /// Writes 32-bit words (A64 instructions) starting at `address`.
    public func write(words: [UInt32], at address: UInt64) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 4)
        for word in words { bytes += withUnsafeBytes(of: word.littleEndian, Array.init) }
        try write(bytes, at: address)
    }

    /// The host address of guest `[address, address + length)`, after the bounds check.
    func hostPointer(_ address: UInt64, length: Int) throws -> UnsafeMutableRawPointer {
        let region = try region(containing: address, length: length)
        // SAFETY: the region's mapping is live while self is; the offset is < region.size.
        return UnsafeMutableRawPointer(bitPattern: region.hostAddress + UInt(address - region.guestAddress))!
    }
}
