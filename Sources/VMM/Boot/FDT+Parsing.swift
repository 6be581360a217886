extension FDT {
    /// Nesting deeper than this is refused: real trees are a handful of levels deep, and the
    /// limit keeps a hostile blob from making the tree arbitrarily deep.
    static let maximumDepth = 64

    /// Parses and validates a DTB: header (magic, version, block offsets and sizes, alignment),
    /// reservations and the structure block. Never traps on malformed input; every problem is an
    /// `FDTError`. Bytes past `totalsize` are ignored, as a bootloader would.
    public static func parse(_ bytes: [UInt8]) throws(FDTError) -> Blob {
        let header = try parseHeader(bytes)
        let total = Int(header.totalSize)
        let reservations = try parseReservations(bytes, header: header)
        let structStart = Int(header.structOffset)
        let structEnd = structStart + Int(header.structSize)
        let strings = Array(bytes[Int(header.stringsOffset)..<Int(header.stringsOffset) + Int(header.stringsSize)])
        var reader = StructureReader(
            bytes: Array(bytes[..<total]), offset: structStart, end: structEnd, strings: strings)
        let root = try reader.readTree()
        return Blob(header: header, reservations: reservations, root: root)
    }

    /// Reads and checks the header: every block must lie inside `totalsize`, after the header.
    static func parseHeader(_ bytes: [UInt8]) throws(FDTError) -> Header {
        guard bytes.count >= 8 else { throw .truncated(what: "header", needed: headerSize, available: bytes.count) }
        let magic = bytes.readBigEndianUInt32(at: 0)
        guard magic == FDT.magic else { throw .badMagic(magic) }
        guard bytes.count >= headerSize else {
            throw .truncated(what: "header", needed: headerSize, available: bytes.count)
        }
        let field = { (index: Int) in bytes.readBigEndianUInt32(at: index * 4) }
        let header = Header(
            totalSize: field(1), structOffset: field(2), stringsOffset: field(3), reservationsOffset: field(4),
            version: field(5), lastCompatibleVersion: field(6), bootCPUID: field(7), stringsSize: field(8),
            structSize: field(9))
        guard header.version >= 17, header.lastCompatibleVersion <= 17 else {
            // v16 lacks size_dt_struct; nothing we produce or boot uses it.
            throw .unsupportedVersion(version: header.version, lastCompatible: header.lastCompatibleVersion)
        }
        let total = Int(header.totalSize)
        guard total >= headerSize else { throw .badLayout("totalsize \(total) is smaller than the header") }
        guard total <= bytes.count else { throw .truncated(what: "totalsize", needed: total, available: bytes.count) }
        try checkBlock("memory reservation block", header.reservationsOffset, 16, alignment: 8, total: total)
        try checkBlock("structure block", header.structOffset, header.structSize, alignment: 4, total: total)
        try checkBlock("strings block", header.stringsOffset, header.stringsSize, alignment: 1, total: total)
        return header
    }

    private static func checkBlock(
        _ name: String, _ offset: UInt32, _ size: UInt32, alignment: Int, total: Int
    ) throws(FDTError) {
        let start = Int(offset)
        let end = start + Int(size)  // Both fit in 32 bits, so no overflow in Int.
        guard start >= headerSize else { throw .badLayout("\(name) at \(start) overlaps the header") }
        guard start % alignment == 0 else {
            throw .badLayout("\(name) at \(start) is not \(alignment)-byte aligned")
        }
        guard end <= total else { throw .badLayout("\(name) \(start)..<\(end) runs past totalsize \(total)") }
    }

    /// Reads reservation pairs up to the 0/0 terminator, which must lie inside `totalsize`.
    static func parseReservations(_ bytes: [UInt8], header: Header) throws(FDTError) -> [Reservation] {
        var entries: [Reservation] = []
        var offset = Int(header.reservationsOffset)
        while true {
            guard offset + 16 <= Int(header.totalSize) else {
                throw .badLayout("memory reservation block has no 0/0 terminator inside totalsize")
            }
            let entry = Reservation(
                address: bytes.readBigEndianUInt64(at: offset), size: bytes.readBigEndianUInt64(at: offset + 8))
            if entry.address == 0 && entry.size == 0 { return entries }
            entries.append(entry)
            offset += 16
        }
    }
}

/// Walks the structure block with an explicit stack (no recursion, so no depth-driven stack use).
struct StructureReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int
    let strings: [UInt8]

    mutating func readTree() throws(FDTError) -> FDTNode {
        var stack: [FDTNode] = []
        var root: FDTNode?
        while true {
            let tokenOffset = offset
            let raw = try readWord()
            guard let token = FDT.Token(rawValue: raw) else {
                throw .badStructure(offset: tokenOffset, reason: "unknown token 0x\(String(raw, radix: 16))")
            }
            switch token {
            case .nop: continue
            case .beginNode:
                guard root == nil else { throw .badStructure(offset: tokenOffset, reason: "node after the root ended") }
                guard stack.count < FDT.maximumDepth else {
                    throw .badStructure(offset: tokenOffset, reason: "nesting deeper than \(FDT.maximumDepth)")
                }
                let name = try readName()
                if stack.isEmpty && !name.isEmpty {
                    throw .badStructure(offset: tokenOffset, reason: "root node has name \"\(name)\"")
                }
                stack.append(FDTNode(name))
            case .prop:
                guard !stack.isEmpty else {
                    throw .badStructure(offset: tokenOffset, reason: "property outside a node")
                }
                stack[stack.count - 1].properties.append(try readProperty())
            case .endNode:
                guard let node = stack.popLast() else {
                    throw .badStructure(offset: tokenOffset, reason: "END_NODE with no open node")
                }
                if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
            case .end:
                guard stack.isEmpty, let root else {
                    throw .badStructure(offset: tokenOffset, reason: "END with \(stack.count) node(s) open or no root")
                }
                return root
            }
        }
    }

    private mutating func readWord() throws(FDTError) -> UInt32 {
        guard offset + 4 <= end else {
            throw .badStructure(offset: offset, reason: "runs past the end of the structure block without END")
        }
        defer { offset += 4 }
        return bytes.readBigEndianUInt32(at: offset)
    }

    private mutating func readName() throws(FDTError) -> String {
        guard let nul = bytes[offset..<end].firstIndex(of: 0) else {
            throw .badStructure(offset: offset, reason: "unterminated node name")
        }
        let name = String(decoding: bytes[offset..<nul], as: UTF8.self)
        offset = (nul + 1 + 3) & ~3
        return name
    }

    private mutating func readProperty() throws(FDTError) -> FDTProperty {
        let start = offset
        let length = Int(try readWord())
        let nameOffset = Int(try readWord())
        guard length <= end - offset else {
            throw .badStructure(offset: start, reason: "property length \(length) runs past the structure block")
        }
        guard nameOffset < strings.count, let nul = strings[nameOffset...].firstIndex(of: 0) else {
            throw .badStructure(
                offset: start, reason: "property name offset \(nameOffset) is outside the strings block")
        }
        let value = Array(bytes[offset..<offset + length])
        offset = min((offset + length + 3) & ~3, end)
        return FDTProperty(String(decoding: strings[nameOffset..<nul], as: UTF8.self), bytes: value)
    }
}
