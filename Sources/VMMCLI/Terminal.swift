#if canImport(Glibc)
    import Glibc
#endif

/// Where a command writes: standard output and standard error, or buffers in tests.
public protocol OutputSink: AnyObject, Sendable {
    func write(_ text: String)
    /// One raw byte (the guest console): passed through as is, since a guest's UTF-8 arrives a byte
    /// at a time and decoding each byte alone would turn every non-ASCII character into U+FFFD.
    func write(byte: UInt8)
}

/// Writes straight to a file descriptor (no stdio buffering, so console output and errors interleave
/// in the order they happen).
public final class StreamOutput: OutputSink {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    public static let standardOutput = StreamOutput(fd: 1)
    public static let standardError = StreamOutput(fd: 2)

    public func write(byte: UInt8) {
        var byte = byte
        // SAFETY: one byte on the stack, valid for the call.
        while Glibc.write(fd, &byte, 1) < 0 && errno == EINTR {}
    }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            // SAFETY: the buffer outlives the call; the range starts inside it and ends at its end.
            let n = bytes.withUnsafeMutableBytes { buf in
                Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // stdout closed (e.g. a pipe to `head`): nothing sensible to do
            done += n
        }
    }
}

/// Collects output in memory (tests, and commands that render before printing).
/// `@unchecked Sendable`: used from one thread at a time (a test, or a command before it prints).
public final class CapturedOutput: OutputSink, @unchecked Sendable {
    public private(set) var bytes: [UInt8] = []
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public init() {}
    public func write(_ text: String) { bytes += text.utf8 }
    public func write(byte: UInt8) { bytes.append(byte) }
}

/// The two output channels of a command.
public struct Terminal: Sendable {
    public let out: OutputSink
    public let err: OutputSink

    public init(out: OutputSink, err: OutputSink) {
        self.out = out
        self.err = err
    }

    /// The process's stdout and stderr.
    public static let standard = Terminal(out: StreamOutput.standardOutput, err: StreamOutput.standardError)

    /// Writes one line (adds the newline) to standard output.
    func print(_ line: String = "") { out.write(line + "\n") }
}
