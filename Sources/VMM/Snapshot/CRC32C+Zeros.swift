extension CRC32C {
    /// Feeds `count` zero bytes without touching them: how a sparse memory file's holes enter its
    /// checksum, which is defined over the whole logical image (docs/snapshot-format.md, "Memory file").
    ///
    /// One zero byte changes the CRC register linearly over GF(2) (`crc = table[crc & 0xFF] ^ crc >> 8`,
    /// and the table is linear), so `n` zero bytes are the register times a 32×32 bit matrix raised to
    /// the n-th power. `zeroPowers[k]` holds the matrix for 2^k zero bytes; the set bits of `count` pick
    /// which to apply: at most 64 matrix-vector products of 32 steps each, whatever `count` is.
    public mutating func appendZeros(_ count: UInt64) {
        var register = registerValue
        var remaining = count
        var k = 0
        while remaining != 0 {
            if remaining & 1 == 1 { register = Self.apply(Self.zeroPowers[k], to: register) }
            remaining >>= 1
            k += 1
        }
        registerValue = register
    }

    /// A 32×32 GF(2) matrix as its 32 columns: column i is the image of the vector with only bit i set.
    typealias BitMatrix = [UInt32]

    static func apply(_ matrix: BitMatrix, to vector: UInt32) -> UInt32 {
        var result: UInt32 = 0
        var v = vector
        var i = 0
        while v != 0 {
            if v & 1 == 1 { result ^= matrix[i] }
            v >>= 1
            i += 1
        }
        return result
    }

    /// `a · b`: column j of the product is `a` applied to column j of `b`.
    static func multiply(_ a: BitMatrix, _ b: BitMatrix) -> BitMatrix { b.map { apply(a, to: $0) } }

    /// The operators for 2^0, 2^1, ..., 2^63 zero bytes.
    static let zeroPowers: [BitMatrix] = {
        let t = tables
        // One zero byte: the byte-at-a-time step with input 0, applied to each basis vector.
        var power: BitMatrix = (0..<32).map { bit in
            let c = UInt32(1) << UInt32(bit)
            return t[Int(c & 0xFF)] ^ (c >> 8)
        }
        var powers: [BitMatrix] = []
        for _ in 0..<64 {
            powers.append(power)
            power = multiply(power, power)
        }
        return powers
    }()
}
