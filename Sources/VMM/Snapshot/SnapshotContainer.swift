/// One section as framed in a snapshot file (docs/snapshot-format.md, "Sections").
struct SnapshotSection: Hashable, Sendable {
    let tag: SnapshotTag
    let flags: UInt32
    let version: UInt32
    /// File offset of the section header.
    let offset: Int
    /// File offsets of the payload.
    let payload: Range<Int>

    var isOptional: Bool { flags & SnapshotFormat.optionalFlag != 0 }
    /// "section 'VCPU'", for errors.
    var name: String { "section '\(tag)'" }
}

/// The framing of a snapshot file, checked for truncation and corruption before any section is
/// interpreted: magic, format version, architecture string, then sections up to the END trailer.
struct SnapshotContainer {
    let formatVersion: UInt32
    let architecture: String
    /// Every section before the END trailer, in file order.
    let sections: [SnapshotSection]
    let bytes: [UInt8]

    /// Parses and verifies the framing. The format version is checked before anything after it,
    /// because a newer format may frame its sections differently; every section checksum and the
    /// whole-file checksum are checked before the caller looks at a single field.
    static func parse(_ bytes: [UInt8]) throws(SnapshotError) -> SnapshotContainer {
        var header = SnapshotByteReader(bytes, context: "file header", endIsTruncation: true)
        try checkMagic(bytes)
        _ = try header.raw(SnapshotFormat.magic.count, "magic")
        let versionOffset = header.offset
        let version = try header.u32("format version")
        guard version <= SnapshotFormat.version else {
            throw .formatVersionTooNew(found: version, supported: SnapshotFormat.version)
        }
        guard version >= 1 else { throw header.malformed("format version 0", at: versionOffset) }
        let architecture = try header.string("architecture")
        var sections: [SnapshotSection] = []
        var cursor = header.offset
        while true {
            let section = try frame(bytes, at: cursor, after: sections.last)
            cursor = section.payload.upperBound + SnapshotFormat.sectionTrailerSize
            if section.tag == .end {
                try checkTrailer(section, in: bytes)
                break
            }
            sections.append(section)
        }
        return SnapshotContainer(
            formatVersion: version, architecture: architecture, sections: sections, bytes: bytes)
    }

    /// A short file whose bytes are a prefix of the magic is truncated; anything else is not ours.
    private static func checkMagic(_ bytes: [UInt8]) throws(SnapshotError) {
        let magic = SnapshotFormat.magic
        let prefix = Array(bytes.prefix(magic.count))
        guard prefix == Array(magic.prefix(prefix.count)) else { throw .notASnapshot }
        if prefix.count < magic.count {
            throw .truncated(offset: bytes.count, context: "file header: magic")
        }
    }

    /// Reads the section at `start`: header, payload bounds and CRC-32C (which covers the header and
    /// the payload, so a damaged tag or length is reported as corruption, not as an unknown section).
    private static func frame(
        _ bytes: [UInt8], at start: Int, after previous: SnapshotSection?
    ) throws(SnapshotError) -> SnapshotSection {
        let place = previous.map { "after \($0.name)" } ?? "after the file header"
        var reader = SnapshotByteReader(
            bytes, from: start, context: "section header \(place)", endIsTruncation: true)
        if reader.isAtEnd {
            throw .truncated(offset: start, context: "the file ends \(place) without its END trailer")
        }
        let tagBytes = try reader.raw(4, "tag")
        let name = "section '\(printable(tagBytes))'"
        let flags = try reader.u32("flags of \(name)")
        let version = try reader.u32("version of \(name)")
        let length = try reader.u64("length of \(name)")
        let payloadStart = reader.offset
        let available = reader.remaining - SnapshotFormat.sectionTrailerSize
        guard length <= UInt64(max(available, 0)) else {
            throw .truncated(
                offset: payloadStart,
                context: "\(name) declares \(length) payload bytes and a checksum, only \(reader.remaining) "
                    + "bytes remain")
        }
        let payloadEnd = payloadStart + Int(length)
        var trailer = SnapshotByteReader(bytes, from: payloadEnd, context: name, endIsTruncation: true)
        let stored = try trailer.u32("checksum of \(name)")
        let computed = CRC32C.checksum(bytes[start..<payloadEnd])
        guard stored == computed else {
            throw .checksumMismatch(section: name, offset: start, stored: stored, computed: computed)
        }
        guard let tag = SnapshotTag(bytes: tagBytes) else {
            throw .malformed(section: name, offset: start, reason: "the tag is not four printable ASCII characters")
        }
        guard flags & ~SnapshotFormat.knownFlags == 0 else {
            throw .malformed(
                section: name, offset: start + 4,
                reason: "flags \(hex32(flags)) include bits this vmmctl does not know; use a newer vmmctl")
        }
        return SnapshotSection(
            tag: tag, flags: flags, version: version, offset: start, payload: payloadStart..<payloadEnd)
    }

    /// The END trailer: the file's length and a CRC-32C of every byte before the trailer, which covers
    /// the file header (magic, version, architecture) that no section checksum does.
    private static func checkTrailer(_ section: SnapshotSection, in bytes: [UInt8]) throws(SnapshotError) {
        guard section.version == 1 else {
            throw .unsupportedSectionVersion(tag: section.tag.description, found: section.version, supported: 1)
        }
        var reader = SnapshotByteReader(
            bytes, from: section.payload.lowerBound, to: section.payload.upperBound, context: section.name,
            endIsTruncation: false)
        let length = try reader.u64("file length")
        let stored = try reader.u32("file checksum")
        guard reader.isAtEnd else { throw reader.malformed("\(reader.remaining) unexpected bytes") }
        let computed = CRC32C.checksum(bytes[0..<section.offset])
        guard stored == computed else {
            throw .checksumMismatch(
                section: "the file header and sections", offset: 0, stored: stored, computed: computed)
        }
        let end = section.payload.upperBound + SnapshotFormat.sectionTrailerSize
        guard end == bytes.count else {
            throw .malformed(
                section: "file", offset: end, reason: "\(bytes.count - end) bytes follow the END trailer")
        }
        guard length == UInt64(bytes.count) else {
            throw .malformed(
                section: section.name, offset: section.payload.lowerBound,
                reason: "records a file length of \(length) bytes, the file has \(bytes.count)")
        }
    }

    /// Tag bytes for a message: ASCII as is, anything else as `\xNN`.
    private static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                text.append(Character(Unicode.Scalar(byte)))
            } else {
                let digits = String(byte, radix: 16)
                text += "\\x" + (digits.count < 2 ? "0" : "") + digits
            }
        }
        return text
    }

    /// A payload reader for `section`.
    func reader(for section: SnapshotSection) -> SnapshotByteReader {
        SnapshotByteReader(
            bytes, from: section.payload.lowerBound, to: section.payload.upperBound, context: section.name,
            endIsTruncation: false)
    }
}

/// Assembles a snapshot file: header, sections (each with its checksum), END trailer.
struct SnapshotContainerWriter {
    private var out = SnapshotByteWriter()

    init(architecture: String = SnapshotFormat.architecture, formatVersion: UInt32 = SnapshotFormat.version) {
        out.raw(SnapshotFormat.magic)
        out.u32(formatVersion)
        out.string(architecture)
    }

    /// Appends one section; the CRC-32C covers its header and payload.
    mutating func section(_ tag: SnapshotTag, version: UInt32, flags: UInt32 = 0, payload: [UInt8]) {
        let start = out.bytes.count
        out.tag(tag)
        out.u32(flags)
        out.u32(version)
        out.u64(UInt64(payload.count))
        out.raw(payload)
        out.u32(CRC32C.checksum(out.bytes[start...]))
    }

    /// Appends the END trailer and returns the file.
    mutating func finish() -> [UInt8] {
        let fileChecksum = CRC32C.checksum(out.bytes)
        let trailerSize = SnapshotFormat.sectionHeaderSize + 12 + SnapshotFormat.sectionTrailerSize
        var payload = SnapshotByteWriter()
        payload.u64(UInt64(out.bytes.count + trailerSize))
        payload.u32(fileChecksum)
        section(.end, version: 1, payload: payload.bytes)
        return out.bytes
    }
}
