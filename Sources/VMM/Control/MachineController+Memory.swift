/// `read-memory`: guest-physical bytes for `vmmctl translate` and `vmmctl mem read` on a running VM.
extension MachineController {
    /// The most one request returns; the client asks page by page.
    static let readMemoryLimit: UInt32 = 1 << 20

    /// Serves only a paused VM: a walk that read tables while the guest rewrote them would describe a
    /// state that never existed. The reply body is the raw bytes.
    func readMemory(_ address: UInt64, _ count: UInt32) throws(MachineError) -> [UInt8] {
        guard count > 0, count <= Self.readMemoryLimit else {
            throw .badRequest("read-memory asks for \(count) bytes; one request reads 1...\(Self.readMemoryLimit)")
        }
        guard machine.isPaused else {
            throw .badRequest("read-memory needs a paused VM (send pause first) so the memory does not change under it")
        }
        do { return try machine.guestMemory.read(at: address, count: Int(count)) } catch {
            throw .badRequest("read-memory 0x\(String(address, radix: 16)) \(count): \(error)")
        }
    }
}
