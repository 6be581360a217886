// Logical immediates (Arm ARM C4.1.92.4 "Logical (immediate)" and the DecodeBitMasks() pseudocode, J1).
//
// A logical immediate is an element of 2, 4, 8, 16, 32 or 64 bits holding a rotated run of ones, replicated
// across the register. It is encoded as N:imms (element size and run length, imms = NOT(size*2-1)<<1 | ones-1)
// and immr (right rotation). 0 and all-ones are not encodable.

extension A64 {
    /// The N, immr and imms fields of a logical immediate.
    public struct BitmaskImmediate: Hashable, Sendable {
        public let n: UInt32
        public let immr: UInt32
        public let imms: UInt32
    }

    /// Encodes `value` as a logical immediate for a 64-bit (or, with `is64Bit` false, 32-bit) operation;
    /// nil if it has no encoding.
    public static func bitmaskImmediate(_ value: UInt64, is64Bit: Bool = true) -> BitmaskImmediate? {
        var pattern = value
        if !is64Bit {
            guard value <= UInt64(UInt32.max) else { return nil }
            pattern = value | value << 32
        }
        guard pattern != 0, pattern != ~0 else { return nil }

        // The smallest element size whose replication gives the pattern.
        var size = 64
        while size > 2 {
            let half = size / 2
            let mask = (UInt64(1) << UInt64(half)) - 1
            guard pattern & mask == (pattern >> UInt64(half)) & mask else { break }
            size = half
        }
        let sizeMask: UInt64 = size == 64 ? ~0 : (UInt64(1) << UInt64(size)) - 1
        let element = pattern & sizeMask
        let ones = element.nonzeroBitCount
        let run: UInt64 = (UInt64(1) << UInt64(ones)) - 1  // ones < size, so no overflow

        // The element must be the run rotated right by some amount within the element.
        for rotation in 0..<size where rotateRight(run, by: rotation, width: size, mask: sizeMask) == element {
            let imms = (~UInt32(size - 1) << 1 | UInt32(ones - 1)) & 0x3F
            return BitmaskImmediate(n: size == 64 ? 1 : 0, immr: UInt32(rotation), imms: imms)
        }
        return nil
    }

    private static func rotateRight(_ value: UInt64, by amount: Int, width: Int, mask: UInt64) -> UInt64 {
        guard amount != 0 else { return value }
        return (value >> UInt64(amount) | value << UInt64(width - amount)) & mask
    }
}
