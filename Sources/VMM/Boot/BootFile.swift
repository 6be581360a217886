/// A guest image file (kernel Image, initrd) opened for the boot loader: what it is, its size and
/// where it goes in guest RAM. It goes straight into guest RAM by `load(into:streaming:onFailure:)`,
/// streamed in by a pager or read with one pread(2) into the mapping, so the VMM never holds the image
/// in a buffer of its own (a Swift array of a 40 MB
/// distribution kernel stays in the malloc heap as tens of MiB after it is freed).
struct BootFile {
    /// "kernel image", "initrd": named in every error.
    let what: String
    let file: HostFile
    let size: Int
    /// Guest physical address of the first byte; set once the placement is known.
    var address: UInt64 = 0

    /// Opens `path` and checks that it is a regular file.
    init(_ path: String, what: String) throws(MachineError) {
        self.what = what
        do {
            file = try HostFile.openForReading(path)
            guard try file.isRegularFile() else {
                throw MachineError.badGuest("\(what) '\(path)' is not a regular file")
            }
            let bytes = try file.size()
            guard bytes <= UInt64(Int.max) else { throw MachineError.badGuest("\(what) '\(path)' is too large") }
            size = Int(bytes)
        } catch let error as MachineError {
            throw error
        } catch let error as HostFileError {
            throw .badGuest("cannot \(error.operation) \(what) '\(path)': \(error.reason)")
        } catch {
            throw .badGuest("\(what) '\(path)': \(error)")
        }
    }

    /// The first `count` bytes (fewer if the file is shorter), for header checks.
    func prefix(_ count: Int) throws(MachineError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: min(count, size))
        let got = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(HostFileError) in
                try file.read(into: buffer, at: 0)
            }
        }
        switch got {
        case .success(let n): bytes.removeLast(bytes.count - n)
        case .failure(let error): throw .badGuest("cannot read \(what) '\(file.path)': \(error.reason)")
        }
        return bytes
    }

    /// Puts the whole file into guest RAM at `address`: streamed in by a pager thread when `streaming`
    /// and the host allows it (`GuestMemory.stream`), else read now. Returns whether it is streamed.
    func load(
        into memory: GuestMemory, streaming: Bool, onFailure: @escaping @Sendable (String) -> Void
    ) throws(MachineError) -> Bool {
        func failed(_ error: some Error) -> MachineError {
            .badGuest("\(what) '\(file.path)' (\(size) bytes at 0x\(String(address, radix: 16))): \(error)")
        }
        if streaming {
            do {
                try memory.stream(from: file, count: size, at: address, what: what, onFailure: onFailure)
                return true
            } catch .lazyLoadingUnavailable {
                // No usable userfaultfd here (or an unaligned payload): read it now instead.
            } catch {
                throw failed(error)
            }
        }
        do {
            try memory.load(from: file, count: size, at: address)
        } catch {
            throw failed(error)
        }
        return false
    }
}
