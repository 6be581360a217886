/// `read-memory ADDR LEN`: guest-physical bytes for `vmmctl translate` and `vmmctl mem read` on a running
/// VM. Kept in its own file, apart from the line protocol's dispatch, so it moves as one piece when the
/// control protocol becomes a typed request.
extension ControlServer {
    /// The most one request returns; the client asks page by page.
    static let readMemoryLimit = 1 << 20

    /// Serves only a paused VM: a walk that read tables while the guest rewrote them would describe a
    /// state that never existed. The reply body is the raw bytes.
    func readMemory(_ argument: String?) throws(MachineError) -> [UInt8] {
        let words = (argument ?? "").split(separator: " ")
        guard words.count == 2, let address = Self.parseNumber(words[0]), let count = Int(words[1]),
            count > 0, count <= Self.readMemoryLimit
        else {
            throw .badRequest(
                "read-memory needs ADDR LEN (LEN 1...\(Self.readMemoryLimit)): read-memory 0x40000000 4096")
        }
        guard machine.isPaused else {
            throw .badRequest("read-memory needs a paused VM (send pause first) so the memory does not change under it")
        }
        do { return try machine.guestMemory.read(at: address, count: count) } catch {
            throw .badRequest("read-memory 0x\(String(address, radix: 16)) \(count): \(error)")
        }
    }

    static func parseNumber(_ word: Substring) -> UInt64? {
        word.hasPrefix("0x") ? UInt64(word.dropFirst(2), radix: 16) : UInt64(word)
    }
}
