/// What a translation table walk reads: 8-byte little-endian descriptors at physical addresses.
///
/// A read may fail (the address is not guest RAM); the walker reports that as the architecture's
/// synchronous external abort on a translation table walk, never as a crash.
public protocol GuestPhysicalMemory {
    /// The 64-bit little-endian value at physical address `address`, or nil when those 8 bytes are not all
    /// backed by memory.
    func read64(at address: UInt64) -> UInt64?
}

/// Guest RAM as an in-memory byte array at a base address: test page tables and small images.
public struct PhysicalMemoryImage: GuestPhysicalMemory, Sendable {
    public let base: UInt64
    public private(set) var bytes: [UInt8]

    public init(base: UInt64, size: Int) {
        self.base = base
        self.bytes = [UInt8](repeating: 0, count: size)
    }

    /// The byte offset of `address` if `count` bytes from it lie inside the image.
    public func offset(of address: UInt64, count: Int = 1) -> Int? {
        guard address >= base else { return nil }
        let offset = address - base
        guard offset <= UInt64(bytes.count), UInt64(bytes.count) - offset >= UInt64(count) else { return nil }
        return Int(offset)
    }

    public func read64(at address: UInt64) -> UInt64? {
        guard let offset = offset(of: address, count: 8) else { return nil }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * index) }
        return value
    }

    /// Stores `value` little-endian at `address`; returns false (and stores nothing) outside the image.
    @discardableResult
    public mutating func write64(_ value: UInt64, at address: UInt64) -> Bool {
        guard let offset = offset(of: address, count: 8) else { return false }
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        return true
    }
}
