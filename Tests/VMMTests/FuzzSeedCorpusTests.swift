import Foundation
import SysRegs
import Testing

@testable import VMM

/// The fuzz targets' checked-in seed corpora (Tests/Fuzz/*/corpus) are valid inputs of today's formats,
/// so each campaign starts from inputs that reach deep into its parser. With VMMCTL_WRITE_FUZZ_SEEDS=1
/// the seeds are regenerated first (review the diff).
@Suite struct FuzzSeedCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func seeds() throws -> [String: [String: [UInt8]]] {
        let smallState = SnapshotCodec.encode(SnapshotFixtures.small)
        var tiny = SnapshotFixtures.small
        tiny.memory = MemoryState(
            guestAddress: tiny.memory.guestAddress, size: 256, fileName: "memory.bin",
            checksum: CRC32C.checksum([UInt8](repeating: 0, count: 256)))
        tiny.config.memorySize = 256
        let dtb = try Machine.deviceTree(for: RunConfig(payload: .linux(image: KernelImageTests.image(), initrd: nil)))
        func oneReg(_ id: OneRegID, _ value: [UInt8]) -> [UInt8] {
            (0..<8).map { UInt8(truncatingIfNeeded: id.rawValue >> (8 * UInt64($0))) } + value
        }
        return [
            "SnapshotState": [
                "small": smallState, "rich": SnapshotCodec.encode(SnapshotFixtures.rich),
            ],
            "SnapshotDirectory": ["tiny": [4] + SnapshotCodec.encode(tiny), "wrong-size": [3] + smallState],
            "KernelImage": [
                "modern": KernelImageTests.image(fileSize: 0x1000),
                "legacy": KernelImageTests.image(imageSize: 0, flags: 0, fileSize: 0x1000),
            ],
            "FDT": ["machine": dtb],
            "ControlProtocol": [
                "pause": ControlRequest.pause.frame().encoded(),
                "snapshot": ControlRequest.snapshot(directory: "/tmp/a  b pause", then: .stop).frame().encoded(),
                "progress": ControlResponse.progress(done: 1, total: 2).frame().encoded(),
                "error": ControlResponse.error("no").frame().encoded(),
            ],
            "OneReg": [
                "sctlr": oneReg(SysReg.SCTLR_EL1.id, [0x00, 0x08, 0xd0, 0x30, 0, 0, 0, 0]),
                "hcr": oneReg(SysReg.HCR_EL2.id, [0, 0, 0, 0x80, 0, 0, 0, 0]),
                "core128": oneReg(.core(byteOffset: 0x110, byteCount: 16), [UInt8](repeating: 0xA5, count: 16)),
            ],
            "VirtioChain": virtioSeeds,
        ]
    }

    /// The seeds live in the source tree, which a cross-built test runner (the lab) does not have.
    static var sourceTreePresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    @Test(
        .enabled(
            if: sourceTreePresent,
            "Tests/Fuzz is not beside this test runner (a cross-built runner in the lab): the host tier checks the seeds"
        ))
    func everyTargetHasCurrentSeeds() throws {
        let fm = FileManager.default
        let all = try Self.seeds()
        if ProcessInfo.processInfo.environment["VMMCTL_WRITE_FUZZ_SEEDS"] == "1" {
            for (target, files) in all {
                let dir = Self.root.appendingPathComponent(target).appendingPathComponent("corpus")
                try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
            }
        }
        let targets = try fm.contentsOfDirectory(atPath: Self.root.path).filter {
            fm.fileExists(atPath: Self.root.appendingPathComponent($0).appendingPathComponent("main.swift").path)
        }
        #expect(Set(targets) == Set(all.keys), "a fuzz target without seeds, or seeds without a target")
        for (target, files) in all {
            for (name, bytes) in files {
                let url = Self.root.appendingPathComponent(target).appendingPathComponent("corpus")
                    .appendingPathComponent(name)
                let stored = (try? Data(contentsOf: url)).map { [UInt8]($0) }
                #expect(stored == bytes, "\(target)/corpus/\(name) is stale: rerun with VMMCTL_WRITE_FUZZ_SEEDS=1")
            }
        }
    }
}

/// A decoder that accepts damaged input is a finding: every single-byte change anywhere in a
/// checksummed state file must be refused (CRC-32C detects every error burst of up to 32 bits).
///
/// Host tier only: the decoder is pure code, and its million decodes took 426 s under the lab's TCG (16 s
/// on the host), the longest suite of the lab run, which waited for it alone for 100 s.
@Suite(
    .disabled(
        if: LabKVM.required,
        "host tier only: pure code, and its million decodes take 7 minutes under the lab's TCG"))
struct SnapshotSingleByteDamageTests {
    @Test func everySingleByteChangeIsRejected() throws {
        let bytes = SnapshotCodec.encode(SnapshotFixtures.small)
        #expect(throws: Never.self) { try SnapshotCodec.decode(bytes) }
        var accepted: [(offset: Int, value: UInt8)] = []
        var damaged = bytes
        for offset in bytes.indices {
            for delta in 1...255 {
                damaged[offset] = bytes[offset] &+ UInt8(delta)
                if (try? SnapshotCodec.decode(damaged)) != nil { accepted.append((offset, damaged[offset])) }
            }
            damaged[offset] = bytes[offset]
        }
        #expect(accepted.isEmpty, "accepted damaged files: \(accepted.prefix(8))")
        #expect(bytes.count > 100)
    }
}
