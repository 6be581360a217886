// Fuzz target: the snapshot directory reader (SnapshotStore.read), over a directory this process owns:
// state.vmmsnap is the input after its first byte, memory.bin holds (first byte * 64) bytes. Any input
// is read or refused with a SnapshotError; what is accepted must have a memory file of the size its
// state names.
//
// Speed: the directory is on tmpfs (/dev/shm) where there is one, and memory.bin is rewritten only when
// its size changes: on a disk filesystem, creating and truncating two files per input held the target
// to ~200 executions/s; the reader's own work is the same either way.
import Glibc

@testable import VMM

nonisolated(unsafe) var directory: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(base)/vmmctl-fuzz-snapdir-\(getpid())"
    mkdir(path, 0o700)
    return path
}()

/// The size (in 64-byte units) memory.bin has now; -1 before the first input.
nonisolated(unsafe) var memorySize = -1

func put(_ bytes: [UInt8], _ name: String) {
    let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot create the fuzz directory's files")
    // SAFETY: writes from the array's own storage.
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    put(Array(bytes.dropFirst()), SnapshotStore.stateFileName)
    if Int(first) != memorySize {
        put([UInt8](repeating: 0, count: Int(first) * 64), SnapshotStore.memoryFileName)
        memorySize = Int(first)
    }
    if let (state, _) = try? SnapshotStore.read(from: directory) {
        precondition(state.memory.size == UInt64(first) * 64, "accepted a memory file of the wrong size")
    }
    return 0
}
