import Foundation
import SysRegs
import Testing
import VMM

/// `vmmctl translate` and `vmmctl mem read` on snapshots whose memory holds hand-built page tables.
@Suite struct TranslateCommandTests {
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize = 2 << 20
    /// 48-bit VAs, 4KB granule in both ranges, 48-bit IPS.
    static let tcr: UInt64 = 0x5_8010_0010
    static let leaf: UInt64 = 0x700

    /// Stage 1: VA 0x1000 → 0x4010_0000. Stage 2 (used by the nested vCPU): IPA == PA for RAM, except
    /// IPA 0x4010_0000 → PA 0x4018_0000. "hello, translate" at PA 0x4010_0234 and "nested guest data" at
    /// PA 0x4018_0234.
    static func memory() -> PhysicalMemoryImage {
        var s1 = TranslationTableBuilder(
            memory: PhysicalMemoryImage(base: ramBase, size: ramSize), granule: .kb4, inputSize: 48, root: ramBase)
        s1.map(0x1000, to: 0x4010_0000, level: 3, attributes: leaf)
        var s2 = TranslationTableBuilder(
            memory: s1.memory, granule: .kb4, inputSize: 40, startLevel: 1, root: ramBase + 0x8_0000)
        let s2Leaf: UInt64 = 0x7FC
        for page in stride(from: ramBase, to: ramBase + UInt64(ramSize), by: 0x1000) {
            s2.map(page, to: page == 0x4010_0000 ? 0x4018_0000 : page, level: 3, attributes: s2Leaf)
        }
        var image = s2.memory
        put("hello, translate", at: 0x4010_0234, in: &image)
        put("nested guest data", at: 0x4018_0234, in: &image)
        return image
    }

    static func put(_ text: String, at address: UInt64, in image: inout PhysicalMemoryImage) {
        var bytes = Array(text.utf8)
        bytes += [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
        for i in stride(from: 0, to: bytes.count, by: 8) {
            let word = bytes[i..<i + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
            image.write64(word, at: address + UInt64(i))
        }
    }

    /// A snapshot with one vCPU: EL1 (`nested` false) or a VHE guest hypervisor at EL2 with stage 2 on.
    static func snapshot(nested: Bool) throws -> String {
        let values: [String: UInt64] = [
            "PSTATE": nested ? 0x3C9 : 0x3C5, "SCTLR_EL1": 1, "TCR_EL1": tcr, "TTBR0_EL1": ramBase,
            "MAIR_EL1": 0xFF, "ID_AA64MMFR0_EL1": 0b0101, "HCR_EL2": 0x4_8000_0001,
            "VTCR_EL2": 0x2_0058, "VTTBR_EL2": 0x1_0000_4008_0000,
        ]
        let features: VCPUFeatures = nested ? [.el2] : []
        let vcpu = VCPUState(
            index: 0, mpidr: 0x8000_0000, features: nested ? .el2VHE : .el1,
            registers: DumpFixtures.registers(features, values), mpState: 0, events: VCPUEvents())
        var state = DumpFixtures.machine([vcpu], nested: nested)
        state.memory = MemoryState(guestAddress: ramBase, size: UInt64(ramSize), fileName: "memory.bin", checksum: 0)
        let ram = try GuestMemory(layout: [(ramBase, ramSize)])
        try ram.write(memory().bytes, at: ramBase)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmmctl-translate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let target = dir.path + "/snap"
        try SnapshotStore.write(state: state, memory: ram, to: target)
        return target
    }

    @Test func translatesAStage1AddressOfASnapshot() throws {
        let dir = try Self.snapshot(nested: false)
        let run = CLIRun("translate", "--snapshot", dir, "--json", "0x1234")
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains(#""par": "0xff00000040100b80""#))
        #expect(run.out.contains(#""memoryFileOffset": "0x0000000000100234""#))
        #expect(run.out.contains(#""operation": "S1E1R""#))
        let text = CLIRun("translate", "--snapshot", dir, "0x1234", "0x5000")
        #expect(text.out.contains("PA 0x40100234, memory file offset 0x100234"))
        #expect(text.out.contains("PAR_EL1 0x000000000000080f"))
        #expect(text.out.contains("Translation fault, level 3 (stage 1)"))
    }

    @Test func nestedS12WalksThroughTheGuestHypervisorsStage2() throws {
        let dir = try Self.snapshot(nested: true)
        let s12 = CLIRun("translate", "--snapshot", dir, "--at", "S12E1R", "--json", "0x1234")
        #expect(s12.status == 0, "\(s12.err)")
        #expect(s12.out.contains(#""par": "0xff00000040180b80""#))
        #expect(s12.out.contains(#""ipa": "0x0000000040100234""#))
        #expect(s12.out.contains(#""memoryFileOffset": "0x0000000000180234""#))
        // The default at EL2 under E2H=1 is S1E2R, whose EL2&0 MMU is off here: a flat mapping.
        let current = CLIRun("translate", "--snapshot", dir, "--json", "0x1234")
        #expect(current.out.contains(#""operation": "S1E2R""#))
        #expect(current.out.contains(#""par": "0x0000000000001b00""#))
        let mem = CLIRun("mem", "read", "--snapshot", dir, "0x1234", "17", "--va", "--at", "S12E1R")
        #expect(mem.status == 0, "\(mem.err)")
        #expect(mem.out.contains("|nested guest dat|\n0000000000001244  61"))
    }

    @Test func memReadByPhysicalAndVirtualAddress() throws {
        let dir = try Self.snapshot(nested: false)
        let pa = CLIRun("mem", "read", "--snapshot", dir, "0x40100234", "16")
        #expect(pa.out == "0000000040100234  68 65 6c 6c 6f 2c 20 74 72 61 6e 73 6c 61 74 65  |hello, translate|\n")
        let va = CLIRun("mem", "read", "--snapshot", dir, "0x1234", "16", "--va")
        #expect(va.out == "0000000000001234  68 65 6c 6c 6f 2c 20 74 72 61 6e 73 6c 61 74 65  |hello, translate|\n")
        let fault = CLIRun("mem", "read", "--snapshot", dir, "0x5000", "16", "--va")
        #expect(fault.status == 1)
        #expect(fault.err.contains("Translation fault, level 3"))
        let outside = CLIRun("mem", "read", "--snapshot", dir, "0x1000", "16")
        #expect(outside.status == 1)
        #expect(outside.err.contains("not in guest RAM"))
    }

    @Test func badInputIsAClearError() throws {
        let dir = try Self.snapshot(nested: false)
        let el2 = CLIRun("translate", "--snapshot", dir, "--at", "S12E1R", "0x1000")
        #expect(el2.status == 1)
        #expect(el2.err.contains("needs EL2 state"))
        let op = CLIRun("translate", "--snapshot", dir, "--at", "S1E3R", "0x1000")
        #expect(op.status == 2)
        #expect(op.err.contains("not an AT operation"))
        #expect(CLIRun("translate", "--snapshot", dir).status == 2)
        #expect(CLIRun("translate", "--snapshot", dir, "--vcpu", "3", "0x0").err.contains("no vCPU 3"))
        #expect(CLIRun("mem", "read", "--snapshot", dir, "0x0", "0").status == 2)
    }
}
