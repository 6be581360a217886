import Foundation
import SysRegs
import Testing

@testable import VMM

/// Damaged and malformed state files: every one yields a `SnapshotError` naming the place, never a trap.
@Suite struct SnapshotCorruptionTests {
    let codec = SnapshotCodecTests()

    @Test func flippedPayloadByteNamesItsSection() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.rich)
        let container = try SnapshotContainer.parse(bytes)
        let endOffset = container.sections.last!.payload.upperBound + 4
        let endSection = try #require(try parseEnd(bytes, at: endOffset))
        for section in container.sections + [endSection] {
            for position in [section.payload.lowerBound, section.payload.upperBound - 1] {
                var damaged = bytes
                damaged[position] ^= 0x40
                let error = try codec.decodeError(damaged)
                guard case .checksumMismatch(let name, let offset, _, _) = error else {
                    Issue.record("flip at \(position) in \(section.name): \(error)")
                    continue
                }
                #expect(name == section.name)
                #expect(offset == section.offset)
                #expect(error.description.contains(section.name))
            }
        }
    }

    @Test func flippedHeaderBytesAreCaught() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        let container = try SnapshotContainer.parse(bytes)
        // A section's tag: its own checksum covers the header too.
        var damagedTag = bytes
        damagedTag[container.sections[1].offset] ^= 0x01
        guard case .checksumMismatch = try codec.decodeError(damagedTag) else {
            Issue.record("damaged tag not reported as a checksum mismatch")
            return
        }
        // The architecture string: only the whole-file checksum covers it.
        var damagedArch = bytes
        damagedArch[18] ^= 0x01
        let error = try codec.decodeError(damagedArch)
        guard case .checksumMismatch(let name, 0, _, _) = error else {
            Issue.record("damaged architecture: \(error)")
            return
        }
        #expect(name.contains("file header"))
    }

    @Test func truncationAtEverySixteenthIsReported() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.rich)
        for k in 0..<16 {
            let cut = bytes.count * k / 16
            let error = try codec.decodeError(Array(bytes.prefix(cut)))
            guard case .truncated(let offset, let context) = error else {
                Issue.record("cut at \(cut): \(error)")
                continue
            }
            #expect(offset <= cut)
            #expect(!context.isEmpty)
        }
    }

    @Test func truncationAtEveryByteIsReported() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        for cut in 0..<bytes.count {
            let error = try codec.decodeError(Array(bytes.prefix(cut)))
            guard case .truncated = error else {
                Issue.record("cut at \(cut): \(error)")
                continue
            }
        }
    }

    @Test func truncatedMessageNamesTheSection() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        let container = try SnapshotContainer.parse(bytes)
        let gic = container.sections.first { $0.tag == .gic }!
        let error = try codec.decodeError(Array(bytes.prefix(gic.payload.lowerBound + 3)))
        #expect(error.description.contains("'GIC3'"))
        #expect(error.description.contains("truncated at offset"))
    }

    @Test func randomDamageNeverTraps() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.rich)
        var rng = SplitMix64(state: 42)
        for _ in 0..<300 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? SnapshotCodec.decode(damaged)
        }
        for length in [0, 1, 7, 8, 12, 24, 100, 4096] {
            let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? SnapshotCodec.decode(garbage)
            _ = try? SnapshotCodec.decode(SnapshotFormat.magic + garbage)
        }
    }

    /// Payloads with the right checksums but wrong contents: the decoder's field checks.
    @Test func malformedFieldsAreNamed() throws {
        let state = SnapshotFixtures.small
        // MACH: the `nested` boolean byte (after vcpuCount u32 and memorySize u64) set to 2.
        try expectMalformed(SnapshotFixtures.file(state, rewriting: .machine, setting([12: 2])), "nested is 2")
        // VCPU: unknown feature bits.
        try expectMalformed(
            SnapshotFixtures.file(state, rewriting: .vcpu, setting([15: 0x80])), "unknown feature bits")
        // Extra bytes after the last field.
        try expectMalformed(SnapshotFixtures.file(state, rewriting: .counter) { $0 + [0] }, "unexpected bytes")
        // A payload cut short.
        try expectMalformed(SnapshotFixtures.file(state, rewriting: .counter) { Array($0.prefix(12)) }, "payload ends")
        // A huge count cannot make the decoder allocate.
        try expectMalformed(
            SnapshotFixtures.file(state, rewriting: .device, setting([12: 0xFF, 13: 0xFF, 14: 0xFF, 15: 0x7F])),
            "device state length")
        // A device kind that is not four printable characters.
        try expectMalformed(
            SnapshotFixtures.file(state, rewriting: .device, setting([0: 0x01])), "is not four printable characters")
    }

    @Test func registerWidthMustMatchItsID() throws {
        var state = SnapshotFixtures.small
        state.vcpus[0].registers[1].value = RegisterValue(1, byteCount: 4)  // SCTLR_EL1 is 8 bytes
        let error = try codec.decodeError(SnapshotCodec.encode(state))
        #expect(error.description.contains("SCTLR_EL1"))
        #expect(error.description.contains("4 value bytes"))
    }

    @Test func memoryFileNameMustStayInsideTheDirectory() throws {
        var state = SnapshotFixtures.small
        state.memory.fileName = "../../etc/passwd"
        try expectMalformed(SnapshotCodec.encode(state), "not a plain file name")
    }

    @Test func structuralProblemsAreReported() throws {
        var state = SnapshotFixtures.small
        state.config.vcpuCount = 2
        try expectMalformed(SnapshotCodec.encode(state), "1 'VCPU' sections")
        // A duplicated section.
        let duplicate = SnapshotFixtures.file(
            SnapshotFixtures.small,
            extra: [(tag: "CNTR", version: 1, flags: 0, payload: SnapshotCodec.encodeCounter(state.counter))])
        try expectMalformed(duplicate, "more than once")
        // A missing section.
        var writer = SnapshotContainerWriter()
        writer.section(.machine, version: 1, payload: SnapshotCodec.encodeMachine(state.config))
        try expectMalformed(writer.finish(), "'CNTR' is missing")
        // Bytes after the END trailer.
        try expectMalformed(SnapshotCodec.encode(SnapshotFixtures.small) + [0], "follow the END trailer")
    }

    /// A payload transform that overwrites the bytes at the given offsets.
    func setting(_ changes: [Int: UInt8]) -> ([UInt8]) -> [UInt8] {
        { payload in
            var payload = payload
            for (offset, value) in changes { payload[offset] = value }
            return payload
        }
    }

    func expectMalformed(
        _ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = try codec.decodeError(bytes)
        guard case .malformed = error else {
            Issue.record("expected malformed (\(fragment)), got: \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }

    /// The END trailer as a section record (parse() consumes it rather than listing it).
    func parseEnd(_ bytes: [UInt8], at offset: Int) throws -> SnapshotSection? {
        guard Array(bytes[offset..<offset + 4]) == Array("END ".utf8) else { return nil }
        return SnapshotSection(
            tag: .end, flags: 0, version: 1, offset: offset, payload: (offset + 20)..<(offset + 32))
    }
}
