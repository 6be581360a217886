import Glibc
import Synchronization

/// The last-resort SIGBUS handler for guest RAM mapped from a memory file.
///
/// A file mapping raises SIGBUS when a page beyond the file's current end is touched, and truncating
/// the file zaps even the pages already copied on write (POSIX: truncate_pagecache unmaps private
/// copies too). If a snapshot's `memory.bin` is truncated under a running restored VM, a guest access
/// makes KVM_RUN fail (the run loop explains it with `GuestMemory.checkBacking()`), but an access by
/// vmmctl itself (the snapshot writer reading guest RAM) kills the process with no word of why. The
/// clean paths check the file before and after such reads; this handler covers the window between a
/// check and the read. When the faulting address lies in a registered mapping, it writes the message
/// prepared at registration, naming the file, and exits with `exitStatus`; any other SIGBUS goes to
/// the action that was installed before (normally the default: die with a core).
///
/// Unsafe code: the handler, the slot table it reads and the sigaction calls live here and nowhere
/// else (docs/architecture.md).
enum MappingFaultGuard {
    /// The exit status after a SIGBUS in a registered mapping: EX_IOERR (sysexits.h, "an error occurred
    /// while doing I/O on some file"), distinct from every status vmmctl's commands document.
    static let exitStatus: Int32 = 74

    /// Registered mappings at once; one per file-backed `GuestMemory`. Beyond this, a mapping simply
    /// has no safety net (registration returns nil): the clean checks still apply.
    static let capacity = 64

    /// One registered mapping. Plain values only, so the handler reads it without the Swift runtime.
    struct Slot {
        var start: UInt = 0
        /// One past the last byte; 0 marks a free slot.
        var end: UInt = 0
        var message: UnsafeMutablePointer<CChar>?
        var length: Int = 0
    }

    /// Memory the handler reads: allocated once, on first registration, before the handler is
    /// installed, and never freed (it lives as long as the process may take a SIGBUS).
    private struct Table {
        let slots: UnsafeMutablePointer<Slot>
        let previous: UnsafeMutablePointer<sigaction>
    }

    // SAFETY: written only under `lock` (register/unregister), read by the handler. The handler cannot
    // see a half-written slot for the address it faults on: a mapping is registered before its
    // GuestMemory is returned, so before any thread can touch it, and unregistered only in deinit,
    // when no thread uses it any more. Initialised (swift_once) inside `register`, before the handler
    // exists, so the handler's access to it never runs the lazy initialiser.
    nonisolated(unsafe) private static let table: Table = {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        slots.initialize(repeating: Slot(), count: capacity)
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 1)
        previous.initialize(to: sigaction())
        return Table(slots: slots, previous: previous)
    }()

    /// Serialises registration; holds whether the handler is installed.
    private static let lock = Mutex(false)

    /// Registers `[start, start + size)` as guest RAM mapped from `path`, installing the handler on
    /// first use. Returns the slot to pass to `unregister`, or nil if the table is full or the
    /// handler could not be installed (then the mapping has no safety net, and nothing else changes).
    static func register(start: UInt, size: Int, path: String) -> Int? {
        let text =
            "vmmctl: fatal: SIGBUS reading guest RAM mapped from the memory file \(path): the file was "
            + "truncated while the VM ran, so the guest's RAM beyond its new end is gone; restore from an "
            + "intact snapshot (exit status \(exitStatus))\n"
        return lock.withLock { installed -> Int? in
            let table = table
            if !installed {
                guard install(previous: table.previous) else { return nil }
                installed = true
            }
            guard let free = (0..<capacity).first(where: { table.slots[$0].end == 0 }) else { return nil }
            let bytes = Array(text.utf8CString)
            let message = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            message.initialize(from: bytes, count: bytes.count)
            // SAFETY: `free` < capacity; the slot's end is written last, so a slot is never live with
            // an unset message.
            table.slots[free] = Slot(start: start, end: 0, message: message, length: bytes.count - 1)
            table.slots[free].end = start + UInt(size)
            return free
        }
    }

    /// Removes a registration; call before the mapping is unmapped.
    static func unregister(_ slot: Int) {
        lock.withLock { _ in
            let slots = table.slots
            guard slot >= 0, slot < capacity, slots[slot].end != 0 else { return }
            // SAFETY: end is cleared first, so the handler stops matching the slot before its message
            // is freed (and no thread touches the mapping any more anyway: see `table`).
            slots[slot].end = 0
            slots[slot].message?.deallocate()
            slots[slot] = Slot()
        }
    }

    /// Installs the handler, keeping the previous action for the SIGBUS that are not ours.
    private static func install(previous: UnsafeMutablePointer<sigaction>) -> Bool {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = handleSIGBUS
        action.sa_flags = SA_SIGINFO
        sigemptyset(&action.sa_mask)
        // SAFETY: both pointers are valid for the call; `previous` lives for the rest of the process.
        return sigaction(SIGBUS, &action, previous) == 0
    }

    /// The registered mapping holding `address`, if any. Async-signal-safe: plain loads only.
    fileprivate static func slot(containing address: UInt) -> Slot? {
        let slots = table.slots
        for i in 0..<capacity {
            // SAFETY: i < capacity; the table is never freed.
            let slot = slots[i]
            if slot.end != 0 && address >= slot.start && address < slot.end { return slot }
        }
        return nil
    }

    /// A SIGBUS that is not ours: put the previous action back and let it act. A fault raised by the
    /// kernel (si_code > 0) recurs when the handler returns and the instruction runs again, now with
    /// its true siginfo; one sent by kill or raise (si_code <= 0) is sent again, and delivered on return.
    fileprivate static func passOn(code: Int32) {
        // SAFETY: sigaction and raise are async-signal-safe; `previous` was filled at install.
        sigaction(SIGBUS, table.previous, nil)
        if code <= 0 { raise(SIGBUS) }
    }
}

/// The SIGBUS handler. Only async-signal-safe work: plain loads from the slot table, write(2), _exit(2),
/// sigaction(2), raise(3); no allocation, no locks, no Swift runtime calls beyond trivial copies.
private let handleSIGBUS: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, info, _ in
    guard let info else { return MappingFaultGuard.passOn(code: 0) }
    // SAFETY: the kernel passes a valid siginfo_t for SA_SIGINFO handlers; si_addr is the faulting
    // address for the SIGBUS a memory access raises.
    let address = UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)
    if let slot = MappingFaultGuard.slot(containing: address), let message = slot.message {
        // SAFETY: message holds `length` bytes (plus a NUL) allocated at registration, freed only after
        // the slot stopped matching.
        _ = write(2, message, slot.length)
        _exit(MappingFaultGuard.exitStatus)
    }
    MappingFaultGuard.passOn(code: info.pointee.si_code)
}
