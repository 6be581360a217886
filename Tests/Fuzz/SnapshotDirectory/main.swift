// Fuzz target: the snapshot directory reader (SnapshotStore.read), over a directory this process owns:
// state.vmmsnap is the input after its first byte, memory.bin holds (first byte * 64) bytes. Any input
// is read or refused with a SnapshotError; what is accepted must have a memory file of the size its
// state names.
import Glibc

@testable import VMM

nonisolated(unsafe) var directory: String = {
    let path = "/tmp/vmmctl-fuzz-snapdir-\(getpid())"
    mkdir(path, 0o700)
    return path
}()

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
    put([UInt8](repeating: 0, count: Int(first) * 64), SnapshotStore.memoryFileName)
    if let (state, _) = try? SnapshotStore.read(from: directory) {
        precondition(state.memory.size == UInt64(first) * 64, "accepted a memory file of the wrong size")
    }
    return 0
}
