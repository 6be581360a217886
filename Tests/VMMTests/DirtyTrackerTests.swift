import Testing

@testable import VMM

/// The dirty tracker's bitmap and generations: what it reports, what a commit clears, what survives.
@Suite struct DirtyTrackerTests {
    static let base: UInt64 = 0x4000_0000

    @Test func marksThePagesAWriteOverlapsAndIgnoresTheRest() {
        let tracker = DirtyTracker(guestAddress: Self.base, size: 64 * 4096, pageSize: 4096)
        tracker.mark(Self.base + 4095, length: 2)  // pages 0 and 1
        tracker.mark(Self.base + 10 * 4096, length: 1)  // page 10
        tracker.mark(Self.base - 8, length: 4)  // before the region: ignored
        tracker.mark(Self.base + 64 * 4096, length: 4096)  // after it: ignored
        tracker.mark(Self.base + 63 * 4096 + 100, length: 1 << 20)  // runs past the end: page 63 only
        tracker.mark(Self.base + 20 * 4096, length: 0)  // empty: nothing
        #expect(tracker.pending().runs == [0..<2, 10..<11, 63..<64])
        #expect(tracker.pending().byteCount == 4 * 4096)
    }

    @Test func mergesAKernelBitmapAndDropsBitsPastTheLastPage() {
        let tracker = DirtyTracker(guestAddress: Self.base, size: 70 * 4096, pageSize: 4096)
        #expect(tracker.bitmapWords == 2)
        tracker.merge([1 << 3 | 1 << 4, UInt64.max, 0xFFFF])  // word 1: pages 64...127, only 64..<70 exist
        #expect(tracker.pending().runs == [3..<5, 64..<70])
    }

    @Test func aCommitClearsOnlyWhatWasWrittenAndStartsTheNextGeneration() {
        let tracker = DirtyTracker(guestAddress: Self.base, size: 128 * 4096, pageSize: 4096)
        tracker.mark(Self.base, length: 4096)
        let taken = tracker.pending()
        #expect(taken.generation == 0)
        // A device writes between the collection and the commit: its page must survive the commit.
        tracker.mark(Self.base + 100 * 4096, length: 8)
        #expect(tracker.commit(taken) == 1)
        #expect(tracker.generation == 1)
        #expect(tracker.pending().runs == [100..<101])
        #expect(tracker.pending().generation == 1)
    }

    @Test func withoutACommitNothingIsForgotten() {
        let tracker = DirtyTracker(guestAddress: Self.base, size: 16 * 4096, pageSize: 4096)
        tracker.mark(Self.base + 3 * 4096, length: 1)
        _ = tracker.pending()  // a snapshot that then failed
        tracker.merge([1 << 5])
        #expect(tracker.pending().runs == [3..<4, 5..<6])
        tracker.markAll()
        #expect(tracker.pending().runs == [0..<16])
    }

    @Test func guestMemoryWritesAndDMAAreMarked() throws {
        let memory = try GuestMemory(guestAddress: Self.base, size: 1 << 20)
        try memory.write([1, 2, 3], at: Self.base + 0x1000)  // before tracking: not recorded
        let tracker = memory.startDirtyTracking(of: memory.regions[0])
        let page = UInt64(tracker.pageSize)
        try memory.write([1, 2, 3], at: Self.base + 2 * page)
        try memory.write(UInt32(7), at: Self.base + 5 * page)
        _ = try memory.withIOVecs([(Self.base + 7 * page, 10)]) { _ in 0 }  // a device filling a buffer
        _ = try memory.withIOVecs([(Self.base + 9 * page, 10)], intoGuest: false) { _ in 0 }  // only read
        #expect(tracker.pending().runs == [2..<3, 5..<6, 7..<8])
    }
}
