// Fuzz target: the snapshot directory reader (SnapshotStore.read and readChain, SnapshotStore+Reading.swift,
// +Chain.swift, +Tags.swift) over an in-memory directory: state.vmmsnap is the input after its first
// byte, memory.bin holds (first byte * 64) zero bytes, tags.bin (first byte) bytes. The memory file's
// data extents, what SEEK_DATA reports, depend on the first byte too: unknown (the whole file is read),
// all data, or only its first half (the rest a hole).
//
// Known answers: any input is read or refused with a SnapshotError; what is accepted has a memory file
// of the size its state names whose CRC-32C (of zeros) is the one recorded, a tag file of the size its
// state names, no base (this directory has no other snapshots beside it, so an incremental snapshot
// must be refused), and the memory path inside the directory.
//
// Speed and faithfulness: the reader's checks run over `SnapshotFileSystem`, so the directory needs no
// file system calls (on tmpfs the file-system version of this target ran at 120 to 930 executions/s).
// One input in 512 is also written to a real directory (on /dev/shm where there is one) and read with
// the host file system: the outcome must be the same, so the in-memory directory stays a true model.
import Glibc

@testable import VMM

/// A file of the in-memory directory.
struct MemoryFile: SnapshotReadableFile {
    var bytes: [UInt8]
    var extents: [Range<UInt64>]?

    func size() throws(HostFileError) -> UInt64 { UInt64(bytes.count) }
    func readAll() throws(HostFileError) -> [UInt8] { bytes }
    func read(_ count: Int) throws(HostFileError) -> [UInt8] { Array(bytes.prefix(count)) }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(HostFileError) -> Int {
        guard offset < UInt64(bytes.count) else { return 0 }
        let count = min(buffer.count, bytes.count - Int(offset))
        for i in 0..<count { buffer[i] = bytes[Int(offset) + i] }
        return count
    }
    func dataExtents(from start: UInt64, to end: UInt64) throws(HostFileError) -> [Range<UInt64>]? {
        extents.map { $0.map { $0.clamped(to: start..<max(start, end)) }.filter { !$0.isEmpty } }
    }
}

/// A directory held in memory: file paths to files; the directory itself and nothing else exists.
struct MemoryDirectory: SnapshotFileSystem {
    var root: String
    var files: [String: MemoryFile]

    func exists(_ path: String) -> Bool { path == root || files[path] != nil }
    func isDirectory(_ path: String) -> Bool { path == root }
    func openForReading(_ path: String) throws(HostFileError) -> any SnapshotReadableFile {
        guard let file = files[path] else {
            throw HostFileError(operation: "open", path: path, errno: isDirectory(path) ? EISDIR : ENOENT)
        }
        return file
    }
}

let directory: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(base)/vmmctl-fuzz-snapdir-\(getpid())"
    mkdir(path, 0o700)
    return path
}()

nonisolated(unsafe) var inputs = 0

func put(_ bytes: [UInt8], _ name: String) {
    let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot create the fuzz directory's files")
    // SAFETY: writes from the array's own storage.
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

typealias Outcome = Result<MachineState, SnapshotError>

func outcome(_ body: () throws(SnapshotError) -> (state: MachineState, memoryFile: String)) -> Outcome {
    do throws(SnapshotError) { return .success(try body().state) } catch { return .failure(error) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let state = Array(bytes.dropFirst())
    let memorySize = UInt64(first) * 64
    let extents: [Range<UInt64>]? = [nil, [0..<memorySize], [0..<memorySize / 2]][Int(first) % 3]
    let memory = MemoryFile(bytes: [UInt8](repeating: 0, count: Int(memorySize)), extents: extents)
    let tags = MemoryFile(bytes: [UInt8](repeating: 0, count: Int(first)), extents: nil)
    let files = MemoryDirectory(
        root: directory,
        files: [
            directory + "/" + SnapshotStore.stateFileName: MemoryFile(bytes: state, extents: nil),
            directory + "/" + SnapshotStore.memoryFileName: memory,
            directory + "/" + TagState.defaultFileName: tags,
        ])
    if let layers = try? SnapshotStore.readChain(from: directory + "/", in: files) {
        precondition(layers.count == 1, "accepted a chain of \(layers.count) with no base beside it")
        let state = layers[0].state
        precondition(state.base == nil, "accepted an incremental snapshot whose base is missing")
        precondition(state.memory.size == memorySize, "accepted a memory file of the wrong size")
        var crc = CRC32C()
        crc.appendZeros(memorySize)
        precondition(state.memory.checksum == crc.value, "accepted a memory file with the wrong checksum")
        precondition(state.tags.map { $0.fileSize == UInt64(first) } ?? true, "accepted a tag file of the wrong size")
        precondition(layers[0].memoryFile == directory + "/" + state.memory.fileName, "memory file outside")
    }
    inputs += 1
    if inputs % 512 == 1 {
        put(state, SnapshotStore.stateFileName)
        put(memory.bytes, SnapshotStore.memoryFileName)
        put(tags.bytes, TagState.defaultFileName)
        let inMemory = outcome { () throws(SnapshotError) in try SnapshotStore.read(from: directory, in: files) }
        let real = outcome { () throws(SnapshotError) in try SnapshotStore.read(from: directory) }
        precondition(inMemory == real, "in memory: \(inMemory); on the file system: \(real)")
    }
    return 0
}
