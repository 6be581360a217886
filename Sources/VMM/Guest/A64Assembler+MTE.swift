// FEAT_MTE instructions (Arm ARM C6.2 "Alphabetical list of A64 base instructions": IRG, GMI, ADDG,
// STG, LDG). They work on the allocation tag of a 16-byte granule and the logical tag in bits 59:56 of
// a pointer. Register 31 is SP in every address and tag position, XZR only as IRG's and GMI's mask Xm.

extension A64Assembler {
    /// `IRG Xd|SP, Xn|SP{, Xm}`: Xd = Xn with a random logical tag not excluded by GCR_EL1.Exclude or
    /// the mask in Xm (XZR: none). 1 00 11010110 | Xm | 000100 | Xn | Xd.
    public mutating func irg(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register = .xzr) {
        guard let r = mteFields("irg", [(rd, .sp), (rn, .sp), (rm, .zr)]) else { return }
        emit(0x9AC0_1000 | r[2] << 16 | r[1] << 5 | r[0])
    }

    /// `GMI Xd, Xn|SP, Xm`: Xd = Xm with the bit of Xn's logical tag set (a growing exclusion mask).
    /// 1 00 11010110 | Xm | 000101 | Xn | Xd.
    public mutating func gmi(_ rd: A64.Register, _ rn: A64.Register, _ rm: A64.Register) {
        guard let r = mteFields("gmi", [(rd, .zr), (rn, .sp), (rm, .zr)]) else { return }
        emit(0x9AC0_1400 | r[2] << 16 | r[1] << 5 | r[0])
    }

    /// `ADDG Xd|SP, Xn|SP, #offset, #tagOffset`: address + offset (a multiple of 16 up to 1008), logical
    /// tag + tagOffset (0...15, skipping excluded tags). 1 0 0 100011 0 | uimm6 | 00 | uimm4 | Xn | Xd.
    public mutating func addg(_ rd: A64.Register, _ rn: A64.Register, _ offset: UInt64, tagOffset: UInt32) {
        guard offset % 16 == 0, offset <= 63 * 16 else { return rejectImmediate("addg", offset) }
        guard tagOffset < 16 else { return rejectImmediate("addg", tagOffset) }
        guard let r = mteFields("addg", [(rd, .sp), (rn, .sp)]) else { return }
        emit(0x9180_0000 | UInt32(offset / 16) << 16 | tagOffset << 10 | r[1] << 5 | r[0])
    }

    /// How STG updates its base register.
    public enum TagStoreIndexing: Sendable {
        /// `[Xn, #offset]`
        case offset
        /// `[Xn], #offset`: the base advances after the store.
        case postIndex
        /// `[Xn, #offset]!`: the base advances before the store.
        case preIndex
    }

    /// `STG Xt|SP, [Xn|SP, #offset]` (and post-/pre-indexed): stores Xt's logical tag as the allocation
    /// tag of the granule at Xn + offset; offset a multiple of 16 in -4096...4080.
    /// 11011001 001 | imm9 | op2 (01 post, 10 offset, 11 pre) | Xn | Xt.
    public mutating func stg(
        _ rt: A64.Register, _ rn: A64.Register, _ offset: Int64 = 0, _ indexing: TagStoreIndexing = .offset
    ) {
        guard let imm9 = tagOffset("stg", offset) else { return }
        guard let r = mteFields("stg", [(rt, .sp), (rn, .sp)]) else { return }
        let op2: UInt32 =
            switch indexing {
            case .postIndex: 0b01
            case .offset: 0b10
            case .preIndex: 0b11
            }
        emit(0xD920_0000 | imm9 << 12 | op2 << 10 | r[1] << 5 | r[0])
    }

    /// `LDG Xt, [Xn|SP, #offset]`: inserts the allocation tag of the granule at Xn + offset into bits
    /// 59:56 of Xt, keeping Xt's other bits. 11011001 011 | imm9 | 00 | Xn | Xt.
    public mutating func ldg(_ rt: A64.Register, _ rn: A64.Register, _ offset: Int64 = 0) {
        guard let imm9 = tagOffset("ldg", offset) else { return }
        guard let r = mteFields("ldg", [(rt, .zr), (rn, .sp)]) else { return }
        emit(0xD960_0000 | imm9 << 12 | r[1] << 5 | r[0])
    }

    /// The 9-bit signed granule count of a tag load/store offset, or nil (rejected) if out of range.
    private mutating func tagOffset(_ name: String, _ offset: Int64) -> UInt32? {
        guard offset % 16 == 0, (-256 * 16)...(255 * 16) ~= offset else {
            rejectImmediate(name, offset)
            return nil
        }
        return UInt32(truncatingIfNeeded: offset / 16) & 0x1FF
    }

    /// X registers only: tags live in 64-bit pointers.
    private mutating func mteFields(_ name: String, _ operands: [(A64.Register, Slot)]) -> [UInt32]? {
        guard operands.allSatisfy({ $0.0.is64Bit }) else {
            reject(.invalidOperand(instruction: name, reason: "takes X registers", byteOffset: byteOffset))
            return nil
        }
        return fields(name, operands)
    }
}
