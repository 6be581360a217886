import Foundation
import Glibc
import Testing

@testable import VMM

/// Incremental snapshots on the host: the `BASE` section's encoding and its checks, a chain read back
/// and laid over its base byte for byte, and every broken chain refused by name.
@Suite struct SnapshotChainTests {
    let fm = FileManager.default
    static let base: UInt64 = 0x4000_0000
    static let size = 4 << 20

    /// A machine state of `size` bytes of RAM at `base`.
    static func state(size: Int = size) -> MachineState {
        var state = SnapshotFixtures.small
        state.config.memorySize = UInt64(size)
        state.memory = MemoryState(guestAddress: base, size: UInt64(size), fileName: "memory.bin", checksum: 0)
        return state
    }

    static let reference = BaseReference(
        pageSize: 4096,
        chain: [
            SnapshotLink(path: "/snaps/a", stateChecksum: 0x1234_5678, memoryChecksum: 0x9ABC_DEF0),
            SnapshotLink(path: "/snaps/b with space", stateChecksum: 1, memoryChecksum: 2),
        ],
        pages: [0..<3, 7..<8, 1000..<1024])

    @Test func theBaseSectionRoundTrips() throws {
        var state = Self.state()
        state.base = Self.reference
        let decoded = try SnapshotCodec.decode(SnapshotCodec.encode(state))
        #expect(decoded.base == Self.reference)
        #expect(decoded == state)
        #expect(try SnapshotCodec.decode(SnapshotCodec.encode(Self.state())).base == nil)
    }

    @Test(arguments: [
        ("page size", [UInt8]([0x00, 0x30, 0, 0])),  // 12288: not a power of two
        ("chain length", [0, 0x10, 0, 0, 0, 0, 0, 0]),  // 4096, then no links
    ])
    func aMalformedBaseSectionIsRefused(what: String, prefix: [UInt8]) throws {
        var state = Self.state()
        state.base = Self.reference
        let bytes = try SnapshotFixtures.file(state, rewriting: .base) { payload in
            prefix + payload.dropFirst(prefix.count)
        }
        #expect(throws: SnapshotError.self, "\(what)") { try SnapshotCodec.decode(bytes) }
    }

    @Test func unsortedOrOutOfRangeRunsAreRefused() throws {
        for pages in [[5..<6, 2..<3], [0..<1, 1..<2], [1020..<1025]] as [[Range<UInt64>]] {
            var state = Self.state()
            state.base = BaseReference(pageSize: 4096, chain: Self.reference.chain, pages: pages)
            #expect(throws: SnapshotError.self, "\(pages)") {
                try SnapshotCodec.decode(SnapshotCodec.encode(state)).validate()
            }
        }
    }

    // MARK: Chains on disk

    /// RAM with `pattern` in a few pages.
    static func memory(_ writes: [(page: UInt64, byte: UInt8)]) throws -> GuestMemory {
        let memory = try GuestMemory(guestAddress: base, size: size)
        for write in writes {
            try memory.write([UInt8](repeating: write.byte, count: 4096), at: base + write.page * 4096)
        }
        return memory
    }

    /// Writes the full snapshot `a` of `memory`, then applies `changes` and writes `b` extending `a`
    /// with the pages changed (a page changed to zeros included), then a third, `c`, extending `b`.
    func writeChain(in root: String) throws -> (GuestMemory, [String]) {
        let memory = try Self.memory([(1, 0x11), (2, 0x22), (100, 0x33)])
        try SnapshotStore.write(state: Self.state(), memory: memory, to: root + "/a")
        var names = [root + "/a"]
        let steps: [(String, [(page: UInt64, byte: UInt8)])] = [
            ("b", [(2, 0), (500, 0x55)]), ("c", [(1, 0x77), (501, 0x66)]),
        ]
        for (name, changes) in steps {
            let tracker = DirtyTracker(guestAddress: Self.base, size: UInt64(Self.size), pageSize: 4096)
            for change in changes {
                try memory.write([UInt8](repeating: change.byte, count: 4096), at: Self.base + change.page * 4096)
                tracker.mark(Self.base + change.page * 4096, length: 4096)
            }
            let (link, baseState) = try SnapshotStore.link(to: names.last!)
            var state = Self.state()
            state.base = try SnapshotStore.baseReference(extending: link, of: baseState, pages: tracker.pending())
            try SnapshotStore.write(state: state, memory: memory, to: root + "/" + name)
            names.append(root + "/" + name)
        }
        return (memory, names)
    }

    /// Guest RAM as a restore builds it from `chain`.
    static func restoredRAM(_ chain: [SnapshotStore.ChainLayer]) throws -> [UInt8] {
        let ram = try GuestMemory(mappingFile: chain[0].memoryFile, guestAddress: base, size: size)
        for layer in chain.dropFirst() {
            try ram.applyOverlay(
                layer.memoryFile, guestAddress: base, size: size, ranges: layer.state.base?.byteRanges ?? [])
        }
        return try ram.read(at: base, count: size)
    }

    @Test func aChainRestoresToTheMemoryItWasTakenFrom() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let (memory, names) = try writeChain(in: root)
        let chain = try SnapshotStore.readChain(from: names[2])
        #expect(chain.map(\.directory) == names)
        #expect(try Self.restoredRAM(chain) == memory.read(at: Self.base, count: Self.size))
        // The increment stores only its pages: a page that became zero is a hole, yet restores as zeros.
        #expect(chain[1].state.base?.pages == [2..<3, 500..<501])
        // The middle of the chain restores to its own moment.
        let middle = try Self.restoredRAM(SnapshotStore.readChain(from: names[1]))
        #expect(middle[4096] == 0x11 && middle[2 * 4096] == 0 && middle[501 * 4096] == 0)
    }

    /// The chain problem `body` raises, if any.
    func problem(_ body: () throws -> Void) -> ChainProblem? {
        do {
            try body()
        } catch let error as SnapshotError {
            if case .chain(let problem) = error.underlying { return problem }
            Issue.record("not a chain problem: \(error)")
        } catch {
            Issue.record("\(error)")
        }
        return nil
    }

    @Test func aMissingBaseOrAGapIsNamed() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let (_, names) = try writeChain(in: root)
        try fm.moveItem(atPath: names[1], toPath: root + "/moved")
        let gap = problem { _ = try SnapshotStore.readChain(from: names[2]) }
        #expect(gap == .gap(missing: names[1], neededBy: names[2], root: names[0]))
        #expect(gap?.description.contains("gap") == true)
        try fm.moveItem(atPath: root + "/moved", toPath: names[1])
        try fm.moveItem(atPath: names[0], toPath: root + "/moved")
        #expect(
            problem { _ = try SnapshotStore.readChain(from: names[2]) }
                == .baseMissing(path: names[0], neededBy: names[2]))
        // Nothing was touched: put the base back and the chain restores.
        try fm.moveItem(atPath: root + "/moved", toPath: names[0])
        #expect(try SnapshotStore.readChain(from: names[2]).count == 3)
    }

    @Test func aChangedBaseIsRefused() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let (memory, names) = try writeChain(in: root)
        // Another snapshot under the base's name (same machine, other moment).
        try fm.removeItem(atPath: names[0])
        try memory.write([9], at: Self.base)
        try SnapshotStore.write(state: Self.state(), memory: memory, to: names[0])
        let changed = problem { _ = try SnapshotStore.readChain(from: names[2]) }
        guard case .baseChanged(let path, _, _) = changed else {
            Issue.record("expected baseChanged, got \(String(describing: changed))")
            return
        }
        #expect(path == names[0])
    }

    @Test func aBaseOfAnotherMachineIsRefused() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? fm.removeItem(atPath: root) }
        let other = try GuestMemory(guestAddress: Self.base, size: 2 * Self.size)
        try SnapshotStore.write(state: Self.state(size: 2 * Self.size), memory: other, to: root + "/big")
        let (link, _) = try SnapshotStore.link(to: root + "/big")
        var state = Self.state()
        state.base = BaseReference(pageSize: 4096, chain: [link], pages: [0..<1])
        try SnapshotStore.write(state: state, memory: try Self.memory([]), to: root + "/small")
        let foreign = problem { _ = try SnapshotStore.readChain(from: root + "/small") }
        guard case .otherMachine(let path, _, let what) = foreign else {
            Issue.record("expected otherMachine, got \(String(describing: foreign))")
            return
        }
        #expect(path == root + "/big")
        #expect(what.contains("MiB of RAM"))
    }

    @Test func anIncrementalSnapshotIsNotRestoredWithoutItsChain() throws {
        var state = Self.state()
        state.base = Self.reference
        #expect(throws: MachineError.self) {
            _ = try Machine.restoredMemory(state, memoryFile: "/nonexistent", chain: [], warn: { _ in })
        }
    }
}
