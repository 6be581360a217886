import Foundation
import SysRegs
import Testing

@testable import VMM

/// The state file codec: round trips, the golden encoding, and forward compatibility.
@Suite struct SnapshotCodecTests {
    @Test func richStateRoundTrips() throws {
        let state = SnapshotFixtures.rich
        let bytes = SnapshotCodec.encode(state)
        let decoded = try SnapshotCodec.decode(bytes)
        #expect(decoded == state)
        #expect(decoded.vcpus[1].registers.map(\.value.bytes.count).contains(256))
        #expect(decoded.vcpus[0].registers.contains { $0.name == "S3_7_C15_C2_0" })
        let uart = try #require(decoded.devices.first)
        #expect(try PL011.State(decoding: uart.payload, version: uart.version).rxFIFO == [0x41, 0x42, 0x0443, 0x0A])
    }

    @Test func encodingIsDeterministic() {
        #expect(SnapshotCodec.encode(SnapshotFixtures.rich) == SnapshotCodec.encode(SnapshotFixtures.rich))
    }

    @Test func emptyListsRoundTrip() throws {
        var state = SnapshotFixtures.small
        state.vcpus[0].registers = []
        state.gic = GICState(distributor: [], cpus: [])
        state.devices = [SnapshotFixtures.uartDevice(fifo: [])]
        state.config.cmdline = ""
        #expect(try SnapshotCodec.decode(SnapshotCodec.encode(state)) == state)
    }

    @Test func everyFeatureAndEventFlagRoundTrips() throws {
        let features: [VCPUInitFeatures] = [
            VCPUInitFeatures(psci0_2: false), VCPUInitFeatures(powerOff: true), .el2E2H0,
            VCPUInitFeatures(sve: true, pmu: true, pauth: true),
        ]
        for feature in features {
            var state = SnapshotFixtures.small
            state.vcpus[0].features = feature
            state.vcpus[0].events = VCPUEvents(externalDataAbortPending: true, serrorESR: 7)
            #expect(try SnapshotCodec.decode(SnapshotCodec.encode(state)) == state)
        }
    }

    /// The encoding of a small fixed state is checked in, so any format change shows up in review.
    @Test func goldenEncoding() throws {
        let name = "snapshot-v2.vmmsnap"
        let bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        if BootGolden.regenerate {
            try BootGolden.write(bytes, to: name)
            return
        }
        let golden = try BootGolden.bytes(name)
        #expect(golden == bytes, "the snapshot encoding changed; bump the format or section version and regenerate")
        #expect(try SnapshotCodec.decode(golden) == SnapshotFixtures.small)
        #expect(Array(golden.prefix(8)) == Array("VMMCTLSS".utf8))
    }

    /// Format 1 (one fixed `UART` section) is still read: its UART payload becomes the PL011's device
    /// state, instance 0, so a snapshot taken before the device registry restores.
    @Test func formatOneIsStillRead() throws {
        let decoded = try SnapshotCodec.decode(try BootGolden.bytes("snapshot-v1.vmmsnap"))
        var expected = SnapshotFixtures.small
        expected.version = 1
        #expect(decoded == expected)
        #expect(decoded.devices.map(\.label) == ["'UART' instance 0"])
    }

    @Test("two states of one device (kind and instance) are refused; two instances of one kind are not")
    func deviceInstances() throws {
        var state = SnapshotFixtures.small
        var second = state.devices[0]
        second.instance = 1
        state.devices.append(second)
        #expect(try SnapshotCodec.decode(SnapshotCodec.encode(state)) == state)
        state.devices[1].instance = 0
        let error = try decodeError(SnapshotCodec.encode(state))
        #expect(error.description.contains("device 'UART' instance 0 appears more than once"))
    }

    @Test func layoutStartsWithMagicVersionAndArchitecture() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        #expect(Array(bytes[8..<12]) == [2, 0, 0, 0])
        #expect(Array(bytes[12..<16]) == [7, 0, 0, 0])
        #expect(String(decoding: bytes[16..<23], as: UTF8.self) == "aarch64")
        let container = try SnapshotContainer.parse(bytes)
        #expect(container.sections.map(\.tag.description) == ["MACH", "CNTR", "VCPU", "GIC3", "DEV ", "MEM "])
        #expect(container.sections.allSatisfy { !$0.isOptional })
    }

    @Test func unknownOptionalSectionIsSkipped() throws {
        let state = SnapshotFixtures.rich
        let extra = [(tag: "MTE0", version: UInt32(1), flags: SnapshotFormat.optionalFlag, payload: [UInt8](1...9))]
        #expect(try SnapshotCodec.decode(SnapshotFixtures.file(state, extra: extra)) == state)
        #expect(try SnapshotCodec.decode(SnapshotFixtures.file(state, extra: extra, extraFirst: false)) == state)
    }

    @Test func newerVersionOfAKnownSectionIsSkippedWhenOptional() throws {
        let state = SnapshotFixtures.small
        let extra = [(tag: "GIC3", version: UInt32(2), flags: SnapshotFormat.optionalFlag, payload: [UInt8]())]
        #expect(try SnapshotCodec.decode(SnapshotFixtures.file(state, extra: extra)) == state)
    }

    @Test func unknownMandatorySectionIsRefusedNamingTagAndVersions() throws {
        let extra = [(tag: "VIRT", version: UInt32(2), flags: UInt32(0), payload: [UInt8](repeating: 0, count: 5))]
        let bytes = SnapshotFixtures.file(SnapshotFixtures.small, extra: extra)
        let error = try decodeError(bytes)
        #expect(error == .unknownSection(tag: "VIRT", version: 2, formatVersion: 2, supportedFormat: 2))
        #expect(error.description.contains("'VIRT'"))
        #expect(error.description.contains("version 2"))
        #expect(error.description.contains("format 2"))
        #expect(error.description.contains("newer vmmctl"))
    }

    @Test func newerMandatorySectionVersionIsRefused() throws {
        let bytes = SnapshotFixtures.file(
            SnapshotFixtures.small, extra: [(tag: "DEV ", version: 9, flags: 0, payload: [])])
        let error = try decodeError(bytes)
        #expect(error == .unsupportedSectionVersion(tag: "DEV ", found: 9, supported: 1))
        #expect(error.description.contains("'DEV ' version 9"))
        #expect(error.description.contains("reads version 1"))
    }

    @Test func newerFormatVersionIsRefused() throws {
        var bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        bytes[8] = 3
        let error = try decodeError(bytes)
        #expect(error == .formatVersionTooNew(found: 3, supported: 2))
        #expect(error.description == "snapshot format 3 is newer than this vmmctl supports (2); use a newer vmmctl")
    }

    @Test func otherArchitectureIsRefusedByName() throws {
        let bytes = SnapshotFixtures.file(SnapshotFixtures.small, architecture: "x86_64")
        let error = try decodeError(bytes)
        #expect(error == .otherArchitecture(found: "x86_64", supported: "aarch64"))
        #expect(error.description.contains("x86_64"))
    }

    @Test func notASnapshot() throws {
        #expect(try decodeError(Array("\u{7F}ELF\u{2}\u{1}\u{1}\0 and more".utf8)) == .notASnapshot)
        #expect(try decodeError(Array("VMMCTLXX".utf8) + [1, 0, 0, 0]) == .notASnapshot)
        #expect(try decodeError([0x56]).description.contains("truncated"))
        #expect(SnapshotError.notASnapshot.description.contains("state file"))
    }

    /// Every error says what went wrong and what to do about it.
    @Test func everyErrorNamesAnAction() {
        let errors: [SnapshotError] = [
            .notASnapshot, .otherArchitecture(found: "x86_64", supported: "aarch64"),
            .formatVersionTooNew(found: 3, supported: 1),
            .unknownSection(tag: "MTE ", version: 1, formatVersion: 1, supportedFormat: 1),
            .unsupportedSectionVersion(tag: "VCPU", found: 2, supported: 1),
            .truncated(offset: 10, context: "section 'VCPU'"),
            .checksumMismatch(section: "section 'GIC3'", offset: 99, stored: 1, computed: 2),
            .malformed(section: "section 'MACH'", offset: 30, reason: "nested is 2, expected 0 or 1"),
            .memoryFileMissing(path: "/s/memory.bin"), .memoryFileSize(path: "/s/memory.bin", found: 1, expected: 2),
            .memoryChecksumMismatch(path: "/s/memory.bin", found: 1, expected: 2), .targetExists(path: "/s"),
            .invalidState("no RAM"), .memorySource("EFAULT"), .io(operation: "write", path: "/s/m", errno: ENOSPC),
            .inFile(path: "/s/state.vmmsnap", .notASnapshot),
        ]
        for error in errors {
            #expect(error.description.contains(";"), "\(error)")
        }
        #expect(SnapshotError.inFile(path: "/p", .notASnapshot).underlying == .notASnapshot)
        #expect(
            SnapshotError.io(operation: "write", path: "/s/m", errno: ENOSPC).description.contains("free some space"))
    }

    /// Decodes `bytes`, which must fail, and returns the error.
    func decodeError(_ bytes: [UInt8]) throws -> SnapshotError {
        struct DecodedUnexpectedly: Error {}
        let state: MachineState
        do {
            state = try SnapshotCodec.decode(bytes)
        } catch {
            return error
        }
        Issue.record("decoded unexpectedly: \(state.config)")
        throw DecodedUnexpectedly()
    }
}
