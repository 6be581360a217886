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

        /// Bytes typed ahead of a guest that is not reading are kept up to this many; beyond it they
        /// are dropped (as a full UART would).
        static let typeAheadLimit = 64 * 1024

        func run() {
            var buffer = [UInt8](repeating: 0, count: 256)
            var escape = ConsoleEscape(active: raw)
            var pending: [UInt8] = []
            while true {
                if !pending.isEmpty { pending.removeFirst(deliver(pending)) }
                // Keep reading while the guest has not drained its receive FIFO (retrying every
                // millisecond), so Ctrl-A x still works when the guest never reads its console.
                var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
                let ready = poll(&fds, 1, pending.isEmpty ? -1 : 1)
                if ready < 0 && errno == EINTR { continue }
                if ready < 0 { return }
                if ready == 0 { continue }
                // SAFETY: reads into the buffer's own storage, within its bounds.
                let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                let fed = escape.feed(buffer[0..<n])
                if fed.quit {
                    quit()
                    return
                }
                pending += fed.guest.prefix(max(0, Self.typeAheadLimit - pending.count))
            }
        }
    }
}

/// The console's escape sequence, as QEMU's: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A and
/// any other key sends both. Only on a raw terminal (`active`); otherwise every byte goes to the guest.
/// Keeps its state across reads, since the two keys can arrive in separate reads.
struct ConsoleEscape {
    let active: Bool
    private var sawEscape = false

    init(active: Bool) { self.active = active }

    /// The bytes for the guest from one read, and whether Ctrl-A x was typed (bytes after it are dropped).
    mutating func feed(_ bytes: some Collection<UInt8>) -> (guest: [UInt8], quit: Bool) {
        guard active else { return (Array(bytes), false) }
        var guest: [UInt8] = []
        for b in bytes {
            if sawEscape {
                sawEscape = false
                if b == UInt8(ascii: "x") { return (guest, true) }
                if b != ConsoleTerminal.escape { guest.append(ConsoleTerminal.escape) }
                guest.append(b)
            } else if b == ConsoleTerminal.escape {
                sawEscape = true
            } else {
                guest.append(b)
            }
        }
        return (guest, false)
    }
}
