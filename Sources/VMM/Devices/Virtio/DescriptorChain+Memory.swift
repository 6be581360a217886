/// Byte-stream access to a chain's buffers through the bounds-checked `GuestMemory` API.
extension GuestMemory {
    /// Copies `count` bytes starting `offset` bytes into the stream of `buffers` (fewer if the
    /// stream is shorter).
    func gather(_ buffers: [GuestBuffer], from offset: UInt64 = 0, count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        for piece in buffers.slice(from: offset, count: UInt64(count)) {
            guard let bytes = try? read(at: piece.address, count: Int(piece.length)) else { return nil }
            out += bytes
        }
        return out
    }

    /// Copies `bytes` into the stream of `buffers` from its start; returns how many fitted (nil if
    /// guest memory refused, which a checked chain never makes it do).
    func scatter(_ bytes: [UInt8], into buffers: [GuestBuffer]) -> Int? {
        var done = 0
        for piece in buffers.slice(from: 0, count: UInt64(bytes.count)) {
            let end = done + Int(piece.length)
            guard (try? write(Array(bytes[done..<end]), at: piece.address)) != nil else { return nil }
            done = end
        }
        return done
    }

    /// The chain's buffers as (address, length) pairs for `withIOVecs`.
    static func ranges(_ buffers: [GuestBuffer]) -> [(address: UInt64, length: Int)] {
        buffers.map { ($0.address, Int($0.length)) }
    }
}
