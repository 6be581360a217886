import Glibc
import Synchronization
import Testing

@testable import VMM

/// Guest console output through its bounded queue: a sink that blocks costs output, counted and
/// announced, never the producer; a closed sink is reported once.
@Suite struct ConsoleOutputTests {
    /// A sink whose first write blocks until `release()` (or 30 s, so that a producer which waits for it
    /// makes the test fail instead of hanging), recording everything it is handed.
    final class BlockingSink: Sendable {
        let written = Mutex<[UInt8]>([])
        let released = Atomic<Bool>(false)
        let firstCall = Atomic<Bool>(true)

        func write(_ bytes: [UInt8]) -> ConsoleOutput.SinkResult {
            if firstCall.exchange(false, ordering: .sequentiallyConsistent) {
                for _ in 0..<30_000 where !released.load(ordering: .sequentiallyConsistent) { usleep(1000) }
            }
            written.withLock { $0 += bytes }
            return .wrote(bytes.count)
        }
        func release() { released.store(true, ordering: .sequentiallyConsistent) }
    }

    @Test func theBufferDropsAndCountsWhatDoesNotFit() {
        var buffer = ConsoleOutputBuffer(capacity: 4)
        #expect(buffer.push([1, 2, 3]) == 0)
        #expect(buffer.push([4, 5, 6]) == 2)
        #expect(buffer.pop(max: 2) == [1, 2])
        #expect(buffer.push([7, 8, 9]) == 1)
        #expect(buffer.pop(max: 10) == [3, 4, 7, 8])
        #expect(buffer.takeDropped() == 3)
        #expect(buffer.takeDropped() == 0)
        #expect(buffer.droppedTotal == 3)
    }

    /// Before the fix the UART's byte went to write(2) on the vCPU thread, under the device lock: a
    /// stdout nobody read held the vCPU (and every other vCPU's MMIO) for as long as it stayed blocked.
    @Test func aBlockedSinkNeverHoldsTheProducer() throws {
        let sink = BlockingSink()
        let output = try ConsoleOutput(capacity: 1024) { sink.write($0) }
        let total = 100_000
        // The producer finishes while the sink is still blocked: it did not wait for it.
        for i in 0..<total { output.push(byte: UInt8(truncatingIfNeeded: i)) }
        let stillBlocked = !sink.released.load(ordering: .sequentiallyConsistent)
        #expect(stillBlocked)
        let dropped = output.droppedBytes
        #expect(dropped > 0)
        sink.release()
        #expect(output.flush(timeout: 30))
        let text = sink.written.withLock { $0 }
        let (data, announced) = Self.split(text)
        // Everything pushed was either written or counted as dropped and announced, and what was
        // written starts at the beginning of the stream.
        #expect(announced.reduce(0, +) == dropped)
        #expect(!announced.isEmpty && announced.allSatisfy { $0 > 0 })
        #expect(data.count == total - Int(dropped))
        #expect(data.prefix(4) == [0, 1, 2, 3])
        #expect(text.suffix(2) == [0x0D, 0x0A], "the last thing written is a drop notice")
    }

    /// The guest bytes and the counts of the drop notices between them.
    static func split(_ text: [UInt8]) -> (data: [UInt8], dropped: [UInt64]) {
        let marker = Array("\r\n[vmmctl: ".utf8)
        var data: [UInt8] = []
        var counts: [UInt64] = []
        var i = 0
        while i < text.count {
            if text[i...].starts(with: marker), let close = text[i...].firstIndex(of: UInt8(ascii: "]")) {
                let words = String(decoding: text[(i + marker.count)..<close], as: UTF8.self).split(separator: " ")
                counts.append(UInt64(words.first ?? "") ?? 0)
                i = close + 3  // "]\r\n"
            } else {
                data.append(text[i])
                i += 1
            }
        }
        return (data, counts)
    }

    @Test func aClosedPipeIsReportedOnceAndLaterOutputDiscarded() throws {
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let calls = Atomic<Int>(0)
        let output = try ConsoleOutput(sink: ConsoleOutput.fileDescriptorSink(fds[1])) {
            calls.wrappingAdd(1, ordering: .sequentiallyConsistent)
        }
        output.push(Array("hello".utf8))
        #expect(output.flush(timeout: 30))
        #expect(output.isClosed)
        output.push(Array("more".utf8))
        #expect(output.flush(timeout: 30))
        #expect(calls.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test func everythingIsWrittenInOrderWhenTheSinkKeepsUp() throws {
        let written = Mutex<[UInt8]>([])
        let output = try ConsoleOutput(capacity: 64) { bytes in
            written.withLock { $0 += bytes.prefix(3) }  // short writes
            return .wrote(min(3, bytes.count))
        }
        let message = Array("a line of guest output\n".utf8)
        output.push(message)
        #expect(output.flush(timeout: 30))
        #expect(written.withLock { $0 } == message)
        #expect(output.droppedBytes == 0)
    }
}

/// The run gate never hands out a vCPU thread that has left its loop.
@Suite struct RunGateThreadTests {
    /// Before the fix, a stop after run() had joined the vCPU threads still pthread_kill'ed them.
    @Test func exitedAndClearedThreadsAreNeverKicked() throws {
        let gate = RunGate()
        let a = try Threads.spawn({}, what: "test thread")
        let b = try Threads.spawn({}, what: "test thread")
        gate.setThreads([a, b])
        gate.threadExited(0)
        var kicked: [pthread_t] = []
        gate.kickLiveThreads { kicked.append($0) }
        #expect(kicked.count == 1 && pthread_equal(kicked[0], b) != 0)
        gate.threadExited(1)
        #expect(!gate.hasLiveThreads)
        Threads.join(a)
        Threads.join(b)
        gate.clearThreads()
        kicked = []
        gate.kickLiveThreads { kicked.append($0) }
        #expect(kicked.isEmpty)
    }
}
