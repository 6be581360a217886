/// Writes a DTB v17 one token at a time: `beginNode`, `property`, `endNode`, then `finish()`.
///
/// Property names are stored once in the strings block and shared by offset. Node and property
/// names are checked against the Devicetree Specification §2.2.1/§2.2.4 character sets so a mistake
/// fails here, with the name, rather than in the guest's early boot.
public struct FDTBuilder {
    private var reservations: [FDT.Reservation] = []
    private var structure: [UInt8] = []
    private var strings: [UInt8] = []
    private var stringOffsets: [String: UInt32] = [:]
    private var openNodes: [String] = []
    private var rootClosed = false
    /// The `boot_cpuid_phys` header field (the boot CPU's `reg`); Linux on arm64 ignores it.
    public var bootCPUID: UInt32 = 0

    public init() {}

    /// Adds a memory reservation block entry. Call before `finish()`.
    public mutating func reserve(address: UInt64, size: UInt64) {
        reservations.append(FDT.Reservation(address: address, size: size))
    }

    /// Opens a node; the first node must be the root, named "".
    public mutating func beginNode(_ name: String) throws(FDTError) {
        if rootClosed { throw .builder("node \"\(name)\" begun after the root node was closed") }
        if openNodes.isEmpty {
            guard name.isEmpty else { throw .builder("the first node must be the root (\"\"), not \"\(name)\"") }
        } else {
            try Self.validateNodeName(name)
        }
        structure.appendBigEndian(FDT.Token.beginNode.rawValue)
        structure.append(contentsOf: Array(name.utf8) + [0])
        padStructure()
        openNodes.append(name)
    }

    /// Closes the innermost open node.
    public mutating func endNode() throws(FDTError) {
        guard openNodes.popLast() != nil else { throw .builder("endNode with no open node") }
        structure.appendBigEndian(FDT.Token.endNode.rawValue)
        if openNodes.isEmpty { rootClosed = true }
    }

    /// Adds a property to the innermost open node.
    public mutating func property(_ property: FDTProperty) throws(FDTError) {
        guard let node = openNodes.last else {
            throw .builder("property \"\(property.name)\" outside any node")
        }
        try Self.validatePropertyName(property.name, node: node)
        guard let length = UInt32(exactly: property.value.count) else {
            throw .builder("property \"\(property.name)\" is too large")
        }
        structure.appendBigEndian(FDT.Token.prop.rawValue)
        structure.appendBigEndian(length)
        structure.appendBigEndian(stringOffset(property.name))
        structure.append(contentsOf: property.value)
        padStructure()
    }

    /// Adds a whole subtree: the node, its properties, then its children, depth first.
    public mutating func node(_ node: FDTNode) throws(FDTError) {
        try beginNode(node.name)
        for property in node.properties { try self.property(property) }
        for child in node.children { try self.node(child) }
        try endNode()
    }

    /// The finished blob. Throws if a node is still open or the root was never written.
    public func finish() throws(FDTError) -> [UInt8] {
        if let open = openNodes.last { throw .builder("node \"\(open)\" is still open") }
        guard rootClosed else { throw .builder("no root node") }
        var reservationBlock: [UInt8] = []
        for entry in reservations + [FDT.Reservation(address: 0, size: 0)] {
            reservationBlock.appendBigEndian(entry.address)
            reservationBlock.appendBigEndian(entry.size)
        }
        var structBlock = structure
        structBlock.appendBigEndian(FDT.Token.end.rawValue)

        // The header is 40 bytes, a multiple of 8, so the reservation block that follows it is
        // 8-byte aligned; its entries are 16 bytes, so the structure block is too (it needs 4).
        let reservationsOffset = FDT.headerSize
        let structOffset = reservationsOffset + reservationBlock.count
        let stringsOffset = structOffset + structBlock.count
        let totalSize = stringsOffset + strings.count
        guard totalSize <= FDT.maximumSize else {
            throw .builder("device tree is \(totalSize) bytes; the limit is \(FDT.maximumSize)")
        }
        var blob: [UInt8] = []
        blob.reserveCapacity(totalSize)
        for field in [
            FDT.magic, UInt32(totalSize), UInt32(structOffset), UInt32(stringsOffset), UInt32(reservationsOffset),
            FDT.version, FDT.lastCompatibleVersion, bootCPUID, UInt32(strings.count), UInt32(structBlock.count),
        ] {
            blob.appendBigEndian(field)
        }
        blob += reservationBlock
        blob += structBlock
        blob += strings
        return blob
    }

    private mutating func padStructure() {
        while structure.count % 4 != 0 { structure.append(0) }
    }

    private mutating func stringOffset(_ name: String) -> UInt32 {
        if let offset = stringOffsets[name] { return offset }
        let offset = UInt32(strings.count)
        strings += Array(name.utf8) + [0]
        stringOffsets[name] = offset
        return offset
    }

    /// Node names: 1-31 characters of `[A-Za-z0-9,._+-]`, then optionally `@` and a unit address
    /// (Devicetree Specification §2.2.1, Table 2.1).
    static func validateNodeName(_ name: String) throws(FDTError) {
        let parts = name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let base = parts[0]
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || ",._+-".contains($0)) }
        guard !base.isEmpty, base.count <= 31, base.allSatisfy(allowed) else {
            throw .builder("invalid node name \"\(name)\"")
        }
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(allowed) else {
                throw .builder("invalid unit address in node name \"\(name)\"")
            }
        }
    }

    /// Property names: 1-31 characters of `[A-Za-z0-9,._+?#-]` (§2.2.4, Table 2.2).
    static func validatePropertyName(_ name: String, node: String) throws(FDTError) {
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || ",._+?#-".contains($0)) }
        guard !name.isEmpty, name.count <= 31, name.allSatisfy(allowed) else {
            throw .builder("invalid property name \"\(name)\" in node \"\(node)\"")
        }
    }
}

extension FDTNode {
    /// This node, as the root of a complete DTB v17 blob.
    public func flattened(reservations: [FDT.Reservation] = [], bootCPUID: UInt32 = 0) throws(FDTError) -> [UInt8] {
        var builder = FDTBuilder()
        builder.bootCPUID = bootCPUID
        for entry in reservations { builder.reserve(address: entry.address, size: entry.size) }
        try builder.node(self)
        return try builder.finish()
    }
}
