import Glibc
import Testing

@testable import VMMCLI

/// The console sink: guest bytes reach the terminal unchanged, one at a time.
@Suite struct TerminalTests {
    /// UTF-8 written a byte at a time (as a guest's PL011 sends it) must not be decoded per byte: that
    /// turned "é" into two U+FFFD replacement characters.
    @Test func consoleBytesPassThroughUnchanged() throws {
        let sent: [UInt8] = Array("café → ok\n".utf8) + [0xFF, 0x00, 0x1B]
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = StreamOutput(fd: fds[1])
        for byte in sent { sink.write(byte: byte) }
        close(fds[1])
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        #expect(received == sent)
    }

    @Test func capturedOutputKeepsBytes() {
        let sink = CapturedOutput()
        for byte in "é".utf8 { sink.write(byte: byte) }
        sink.write("!")
        #expect(sink.text == "é!")
        #expect(sink.bytes == [0xC3, 0xA9, 0x21])
    }
}

/// The console escape (Ctrl-A x quits, as in QEMU), including keys split across reads.
@Suite struct ConsoleEscapeTests {
    static let ctrlA: UInt8 = 0x01

    @Test func plainBytesPassThrough() {
        var e = ConsoleEscape(active: true)
        #expect(e.feed(Array("ls -l\r".utf8)) == (Array("ls -l\r".utf8), false))
    }

    @Test func ctrlAxQuitsAndDropsWhatFollows() {
        var e = ConsoleEscape(active: true)
        #expect(e.feed([0x61, Self.ctrlA, 0x78, 0x62]) == ([0x61], true))
    }

    @Test func escapeSplitAcrossReads() {
        var e = ConsoleEscape(active: true)
        #expect(e.feed([0x61, Self.ctrlA]) == ([0x61], false))
        #expect(e.feed([0x78]) == ([], true))
    }

    @Test func ctrlATwiceSendsOneAndOtherKeysSendBoth() {
        var e = ConsoleEscape(active: true)
        #expect(e.feed([Self.ctrlA, Self.ctrlA]) == ([Self.ctrlA], false))
        #expect(e.feed([Self.ctrlA, 0x63]) == ([Self.ctrlA, 0x63], false))
    }

    /// Not a terminal (a pipe or file on stdin): no escape; Ctrl-A x reaches the guest.
    @Test func inactiveWhenNotRaw() {
        var e = ConsoleEscape(active: false)
        #expect(e.feed([Self.ctrlA, 0x78]) == ([Self.ctrlA, 0x78], false))
    }
}
