/// The steps of a snapshot write, in order, and the test hook that can stop the writer at one of them.
///
/// The crash-consistency test (SnapshotCrashTests) runs the writer in a forked child and has it raise
/// SIGKILL at every step in turn, then checks what a killed `vmmctl run` would leave on disk: the earlier
/// snapshot untouched, the new name absent or complete, a partial directory the next snapshot cleans.
/// The hook is internal (reachable only through `@testable import`), nil in every normal process, and
/// read from no environment variable or flag, so nothing outside the test suite can turn it on.
extension SnapshotStore {
    /// A point of the write at which everything before it has been done (not necessarily made durable).
    enum WriteStep: Hashable, Sendable {
        /// `NAME.partial-PID` exists, empty.
        case partialDirectoryCreated
        /// The memory file exists at its full (sparse) size, no data in it yet.
        case memoryFileCreated
        /// One more run of non-zero pages is in the memory file; `storedBytes` so far.
        case memoryWritten(storedBytes: UInt64)
        /// The memory file is fsynced.
        case memoryFileSynced
        /// The state file exists, empty.
        case stateFileCreated
        /// The state file holds its bytes, not yet fsynced.
        case stateFileWritten
        /// The state file is fsynced.
        case stateFileSynced
        /// The partial directory is fsynced.
        case partialDirectorySynced
        /// The partial directory has its final name.
        case renamed
        /// The rename is fsynced in the parent directory: the snapshot is published.
        case published
    }

    /// Called at every `WriteStep` of every write in this process; nil except in the crash test's
    /// forked writers (which set it before they write and never return to the test runner).
    nonisolated(unsafe) static var writeStepHook: ((WriteStep) -> Void)?

    /// Reports `step` to the hook, if any.
    @inline(__always)
    static func reached(_ step: WriteStep) {
        if let hook = writeStepHook { hook(step) }
    }
}
