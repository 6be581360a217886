/// One device tree node as a value: a name (`name@unit-address`, empty for the root), its
/// properties in order, and its children in order. `flattened()` turns a tree into a DTB.
public struct FDTNode: Hashable, Sendable {
    public var name: String
    public var properties: [FDTProperty]
    public var children: [FDTNode]

    public init(_ name: String, properties: [FDTProperty] = [], children: [FDTNode] = []) {
        self.name = name
        self.properties = properties
        self.children = children
    }

    /// The first property called `name`, if any.
    public func property(_ name: String) -> FDTProperty? {
        properties.first { $0.name == name }
    }

    /// The first direct child called `name` (full `name@unit` form), if any.
    public func child(_ name: String) -> FDTNode? {
        children.first { $0.name == name }
    }

    /// The node at an absolute path such as `/cpus/cpu@1`; `/` is the node itself.
    public func node(atPath path: String) -> FDTNode? {
        var node = self
        for component in path.split(separator: "/") {
            guard let next = node.child(String(component)) else { return nil }
            node = next
        }
        return node
    }
}

/// One property: a name and raw big-endian bytes. The static constructors encode the value types
/// of the Devicetree Specification §2.2.4 (`<u32>`, `<u64>`, `<prop-encoded-array>`, `<string>`,
/// `<stringlist>`, `<phandle>`, empty).
public struct FDTProperty: Hashable, Sendable {
    public var name: String
    public var value: [UInt8]

    public init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.value = bytes
    }

    /// A property with no value (a boolean such as `interrupt-controller`).
    public static func empty(_ name: String) -> FDTProperty { FDTProperty(name, bytes: []) }

    /// One big-endian 32-bit cell.
    public static func u32(_ name: String, _ value: UInt32) -> FDTProperty { cells(name, [value]) }

    /// One big-endian 64-bit value (two cells, high first).
    public static func u64(_ name: String, _ value: UInt64) -> FDTProperty {
        cells(name, [UInt32(truncatingIfNeeded: value >> 32), UInt32(truncatingIfNeeded: value)])
    }

    /// A list of big-endian 32-bit cells.
    public static func cells(_ name: String, _ values: [UInt32]) -> FDTProperty {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values { bytes.appendBigEndian(value) }
        return FDTProperty(name, bytes: bytes)
    }

    /// A list of 64-bit values, each as two cells: `reg` with `#address-cells = #size-cells = 2`.
    public static func cells64(_ name: String, _ values: [UInt64]) -> FDTProperty {
        cells(name, values.flatMap { [UInt32(truncatingIfNeeded: $0 >> 32), UInt32(truncatingIfNeeded: $0)] })
    }

    /// A phandle reference (a single cell).
    public static func phandle(_ name: String, _ handle: UInt32) -> FDTProperty { u32(name, handle) }

    /// A NUL-terminated string.
    public static func string(_ name: String, _ value: String) -> FDTProperty { strings(name, [value]) }

    /// Several NUL-terminated strings back to back (`compatible`, `clock-names`).
    public static func strings(_ name: String, _ values: [String]) -> FDTProperty {
        FDTProperty(name, bytes: values.flatMap { Array($0.utf8) + [0] })
    }

    /// The value as big-endian 32-bit cells, or nil if its length is not a multiple of 4.
    public var cellValues: [UInt32]? {
        guard value.count % 4 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 4).map { value.readBigEndianUInt32(at: $0) }
    }

    /// The value as NUL-terminated strings, or nil if it does not end in NUL.
    public var stringValues: [String]? {
        guard value.last == 0 else { return nil }
        return value.dropLast().split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBigEndian(_ value: UInt64) {
        appendBigEndian(UInt32(truncatingIfNeeded: value >> 32))
        appendBigEndian(UInt32(truncatingIfNeeded: value))
    }

    /// Reads a big-endian u32; the caller has checked `offset + 4 <= count`.
    func readBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    /// Reads a big-endian u64; the caller has checked `offset + 8 <= count`.
    func readBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(readBigEndianUInt32(at: offset)) << 32 | UInt64(readBigEndianUInt32(at: offset + 4))
    }
}
