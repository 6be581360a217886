/// Routes guest MMIO accesses (KVM_EXIT_MMIO) to device models by guest-physical address.
///
/// Ranges are fixed at registration and may not overlap; lookup is a binary search over the
/// sorted mappings. The bus holds its devices strongly. A range cannot end at 2^64 (Range<UInt64>),
/// so the last byte of the 64-bit space is unmappable; guest IPAs stop at 52 bits anyway.
public struct MMIOBus {
    /// One registered device and the guest-physical range it decodes.
    public struct Mapping {
        public let range: Range<UInt64>
        public let name: String
        public let device: any MMIODevice
    }

    /// Sorted by base address, non-overlapping.
    public private(set) var mappings: [Mapping] = []

    public init() {}

    /// Maps `device` at `base` for `size` bytes. Refuses empty ranges, ranges that wrap past the end
    /// of the address space, and any overlap with an existing mapping (named in the error).
    public mutating func register(
        _ device: any MMIODevice, at base: UInt64, size: UInt64, name: String
    ) throws(MMIOBusError) {
        let (end, overflow) = base.addingReportingOverflow(size)
        guard size > 0, !overflow else { throw .invalidRange(name: name, base: base, size: size) }
        let range = base..<end
        let index = insertionIndex(for: base)
        for neighbour in [index - 1, index] where mappings.indices.contains(neighbour) {
            let existing = mappings[neighbour]
            if existing.range.overlaps(range) {
                throw .overlap(name: name, range: range, existing: existing.name, existingRange: existing.range)
            }
        }
        mappings.insert(Mapping(range: range, name: name, device: device), at: index)
    }

    /// The mapping whose range contains `address`, if any.
    public func mapping(containing address: UInt64) -> Mapping? {
        let index = address == .max ? mappings.count - 1 : insertionIndex(for: address + 1) - 1
        guard mappings.indices.contains(index), mappings[index].range.contains(address) else { return nil }
        return mappings[index]
    }

    /// Reads `size` bytes (1, 2, 4 or 8) at `address`.
    public func read(at address: UInt64, size: Int) throws(MMIOBusError) -> UInt64 {
        let (mapping, offset) = try route(address, size: size, isWrite: false)
        return mapping.device.mmioRead(offset: offset, size: size) & Self.mask(size)
    }

    /// Writes the low `size` bytes (1, 2, 4 or 8) of `value` at `address`.
    public func write(at address: UInt64, size: Int, value: UInt64) throws(MMIOBusError) {
        let (mapping, offset) = try route(address, size: size, isWrite: true)
        mapping.device.mmioWrite(offset: offset, size: size, value: value & Self.mask(size))
    }

    private func route(_ address: UInt64, size: Int, isWrite: Bool) throws(MMIOBusError) -> (Mapping, UInt64) {
        guard [1, 2, 4, 8].contains(size) else { throw .invalidSize(address: address, size: size) }
        guard let mapping = mapping(containing: address) else {
            throw .unmapped(address: address, size: size, isWrite: isWrite)
        }
        // An access straddling the end of a device is not that device's; the run loop decides.
        guard mapping.range.upperBound - address >= UInt64(size) else {
            throw .crossesBoundary(address: address, size: size, device: mapping.name)
        }
        return (mapping, address - mapping.range.lowerBound)
    }

    /// Index of the first mapping whose base is >= `address`.
    private func insertionIndex(for address: UInt64) -> Int {
        var low = 0
        var high = mappings.count
        while low < high {
            let mid = (low + high) / 2
            if mappings[mid].range.lowerBound < address { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static func mask(_ size: Int) -> UInt64 { size >= 8 ? ~0 : (1 << (UInt64(size) * 8)) - 1 }
}

/// Why an MMIO access or registration failed. Unmapped accesses are errors here; the run loop
/// chooses between read-as-zero and an external abort.
public enum MMIOBusError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidRange(name: String, base: UInt64, size: UInt64)
    case overlap(name: String, range: Range<UInt64>, existing: String, existingRange: Range<UInt64>)
    case invalidSize(address: UInt64, size: Int)
    case unmapped(address: UInt64, size: Int, isWrite: Bool)
    case crossesBoundary(address: UInt64, size: Int, device: String)

    public var description: String {
        switch self {
        case .invalidRange(let name, let base, let size):
            "MMIO device \(name): invalid range base \(hex(base)) size \(hex(size))"
        case .overlap(let name, let range, let existing, let existingRange):
            "MMIO device \(name) at \(hex(range.lowerBound))..<\(hex(range.upperBound)) overlaps \(existing) at "
                + "\(hex(existingRange.lowerBound))..<\(hex(existingRange.upperBound))"
        case .invalidSize(let address, let size):
            "MMIO access of \(size) bytes at \(hex(address)): size must be 1, 2, 4 or 8"
        case .unmapped(let address, let size, let isWrite):
            "MMIO \(isWrite ? "write" : "read") of \(size) bytes at \(hex(address)): no device there"
        case .crossesBoundary(let address, let size, let device):
            "MMIO access of \(size) bytes at \(hex(address)) runs past the end of \(device)"
        }
    }
}
