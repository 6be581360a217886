import Glibc
import VMM

/// The host terminal as the guest's serial console: raw mode while the guest runs (so a shell in the
/// guest gets every key), restored on every exit path, and Ctrl-A x to stop the VM (as in QEMU).
final class ConsoleTerminal: @unchecked Sendable {
    // @unchecked: `saved` is written once before any thread starts and read at restore.
    private var saved: termios?
    /// Ctrl-A: the escape prefix; `x` after it quits.
    static let escape: UInt8 = 0x01

    /// Switches stdin to raw mode if it is a terminal.
    func enterRawMode() {
        guard isatty(0) == 1 else { return }
        var t = termios()
        guard tcgetattr(0, &t) == 0 else { return }
        saved = t
        cfmakeraw(&t)
        // Keep output post-processing so guest "\n" still starts a new line on the host terminal.
        t.c_oflag |= tcflag_t(OPOST)
        tcsetattr(0, TCSANOW, &t)
        ConsoleTerminal.active = self
        atexit { ConsoleTerminal.active?.restore() }
    }

    /// Puts the terminal back as it was. Idempotent.
    func restore() {
        if var t = saved {
            tcsetattr(0, TCSANOW, &t)
            saved = nil
        }
    }

    var isRaw: Bool { saved != nil }

    nonisolated(unsafe) static var active: ConsoleTerminal?

    /// Reads stdin on its own thread and hands bytes to `deliver` (which returns how many the guest
    /// took; the rest are retried). Ctrl-A x calls `quit`. Ends at EOF.
    func startReader(deliver: @escaping @Sendable ([UInt8]) -> Int, quit: @escaping @Sendable () -> Void) {
        let reader = Reader(raw: isRaw, deliver: deliver, quit: quit)
        // Without the thread the guest simply gets no input; the run itself is unaffected.
        try? Threads.spawnDetached("console reader") { reader.run() }
    }

    private final class Reader: Sendable {
        let raw: Bool
        let deliver: @Sendable ([UInt8]) -> Int
        let quit: @Sendable () -> Void
        init(raw: Bool, deliver: @escaping @Sendable ([UInt8]) -> Int, quit: @escaping @Sendable () -> Void) {
            self.raw = raw
            self.deliver = deliver
            self.quit = quit
        }

        func run() {
            var buffer = [UInt8](repeating: 0, count: 256)
            var sawEscape = false
            while true {
                // SAFETY: reads into the buffer's own storage, within its bounds.
                let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                var pending: [UInt8] = []
                for b in buffer[0..<n] {
                    if raw && sawEscape {
                        sawEscape = false
                        if b == UInt8(ascii: "x") {
                            quit()
                            return
                        }
                        if b != ConsoleTerminal.escape { pending.append(ConsoleTerminal.escape) }
                        pending.append(b)
                    } else if raw && b == ConsoleTerminal.escape {
                        sawEscape = true
                    } else {
                        pending.append(b)
                    }
                }
                while !pending.isEmpty {
                    let taken = deliver(pending)
                    pending.removeFirst(taken)
                    // The guest has not drained its receive FIFO yet: give it a moment.
                    if taken == 0 { usleep(1000) }
                }
            }
        }
    }
}
