import Glibc

/// Reads a guest's boot files (kernel Image, initrd) into guest RAM on a thread of its own, while the
/// machine probes the host and builds the VM, its vCPUs and the vGIC.
///
/// Why: the copy is most of a Linux guest's start-up. A 40 MB distribution kernel is 10 000 pages that
/// pread(2) zeroes and fills, a few milliseconds on hardware but 50 to 600 ms under emulation (the
/// lab), where it used to run after everything else; the rest of the start-up does not touch those
/// pages. The files are still copied, never mapped: a guest whose RAM maps its kernel file would see
/// that file change when the kernel is rebuilt in place (docs/performance.md).
///
/// The thread takes the page faults of a plain pread(2), which need no lock that KVM_CREATE_VM or
/// KVM_CREATE_VCPU wait for; prefaulting the range first (MADV_POPULATE_WRITE) was tried and made the
/// host probe's scratch VMs wait for the whole copy, since it holds the mmap lock throughout.
///
/// Only the thread writes the files' ranges until `finish()` joins it; nobody reads them before the
/// first KVM_RUN. The writes go to the dirty tracker after the join, on the caller's thread, since the
/// machine installs the tracker meanwhile. The loader keeps the memory alive; `deinit` joins, so an
/// error thrown between `start` and `finish` never leaves the thread writing into a freed mapping.
final class BootFileLoader {
    /// What the thread hands back: written by it before it ends, read only after the join.
    private final class Outcome: @unchecked Sendable {
        var error: MachineError?
    }

    /// The memory and files the thread works on; nothing else touches those ranges meanwhile.
    private struct Work: @unchecked Sendable {
        let memory: GuestMemory
        let files: [BootFile]
    }

    private let work: Work
    private let outcome = Outcome()
    private var thread: pthread_t?

    /// Starts reading `files` into `memory` (each at its `address`).
    init(_ files: [BootFile], into memory: GuestMemory) throws(MachineError) {
        let work = Work(memory: memory, files: files)
        self.work = work
        let outcome = outcome
        do {
            thread = try Threads.spawn(
                {
                    for file in work.files {
                        do throws(MachineError) { try file.fill(work.memory) } catch {
                            outcome.error = error
                            return
                        }
                    }
                }, what: "boot file loader")
        } catch {
            throw .kvm(error)
        }
    }

    /// Waits for the copy and records it in the memory's dirty tracker.
    /// - Throws: the first file's read error (`MachineError.badGuest`, naming the file).
    func finish() throws(MachineError) {
        join()
        if let error = outcome.error { throw error }
        for file in work.files { work.memory.markWritten(file.address, length: file.size) }
        let sizes = work.files.map { "\($0.what) \($0.size)" }.joined(separator: ", ")
        PhaseTrace.mark("boot files in guest RAM (\(sizes) bytes)")
    }

    private func join() {
        guard let thread else { return }
        Threads.join(thread)
        self.thread = nil
    }

    deinit { join() }
}
