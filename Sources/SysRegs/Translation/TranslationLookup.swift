/// The geometry of one stage's walk and the loop that follows its descriptors from the start level to a
/// leaf (Arm ARM DDI0487, D8.2 "Translation table walk"). Shared by stage 1 and stage 2; what differs
/// (how a descriptor is fetched, which faults carry S and PTW) comes in as parameters.
struct TranslationLookup {
    let stage: Int
    let granule: TranslationGranule
    /// Bits of input address the tables resolve (64 - TnSZ).
    let inputSize: Int
    let startLevel: Int
    /// The start table, aligned to its size.
    let base: UInt64
    /// Output address size in bits.
    let outputSize: Int
    /// Fault flags for this stage (S, PTW).
    let stage2: Bool
    let onStage1Walk: Bool

    /// A leaf descriptor and where it was found.
    struct Leaf {
        let descriptor: UInt64
        let level: Int
        /// Output address of the whole input address (block base plus the offset).
        let outputAddress: UInt64
        /// Table attributes gathered on the way (stage 1, bits [63:59] of every table descriptor ORed).
        let tableAttributes: UInt64
    }

    /// Bits [47:0] of a descriptor's address field.
    static let addressMask: UInt64 = 0x0000_FFFF_FFFF_FFFF

    func fault(_ kind: TranslationFault.Kind, level: Int, _ reason: String) -> TranslationFault {
        TranslationFault(kind, level: level, stage2: stage2, onStage1Walk: onStage1Walk, reason: reason)
    }

    /// Index bits at the start level: more than a granule's stride means concatenated start tables.
    var startIndexBits: Int { inputSize - granule.indexShift(level: startLevel) }

    /// Walks `input` to its leaf. `fetch` reads the descriptor at an address for a level (throwing the fault
    /// a failed fetch is) and records nothing; the lookup records every step in `steps`. Levels only go down,
    /// so a loop of tables ends at level 3 at the latest.
    func walk(
        _ input: UInt64, steps: inout [WalkStep],
        fetch: (UInt64, Int, inout [WalkStep]) throws(TranslationFault) -> UInt64
    ) throws(TranslationFault) -> Leaf {
        var table = base
        var level = startLevel
        var tableAttributes: UInt64 = 0
        while true {
            let shift = granule.indexShift(level: level)
            let width = level == startLevel ? startIndexBits : granule.stride
            let index = (input >> UInt64(shift)) & ((1 << UInt64(width)) - 1)
            let address = table + index * 8
            let descriptor: UInt64
            do {
                descriptor = try fetch(address, level, &steps)
            } catch {
                let decision: WalkDecision = error.stage2 != stage2 ? .stage2Fault : .notInMemory
                steps.append(
                    WalkStep(
                        stage: stage, level: level, tableAddress: table, descriptorAddress: address,
                        descriptor: nil, decision: decision))
                throw error
            }
            func record(_ decision: WalkDecision) {
                steps.append(
                    WalkStep(
                        stage: stage, level: level, tableAddress: table, descriptorAddress: address,
                        descriptor: descriptor, decision: decision))
            }
            guard descriptor & 1 == 1 else {
                record(.invalid)
                throw fault(.translation, level: level, "level \(level) descriptor is invalid (bit 0 = 0)")
            }
            let isTableOrPage = descriptor & 2 != 0
            if !isTableOrPage && (level == 3 || !granule.allowsBlock(level: level)) {
                record(.reservedEncoding)
                throw fault(
                    .translation, level: level,
                    "bits [1:0] = 0b01 at level \(level): no block descriptors there with \(granule)")
            }
            if isTableOrPage && level < 3 {
                let next = descriptor & Self.addressMask & ~((1 << UInt64(granule.pageShift)) - 1)
                guard next >> UInt64(outputSize) == 0 else {
                    record(.addressTooLarge(next, bits: outputSize))
                    throw fault(
                        .addressSize, level: level,
                        "next-level table address \(hex(next)) exceeds \(outputSize) bits")
                }
                record(.table(next: next))
                tableAttributes |= descriptor >> 59
                table = next
                level += 1
                continue
            }
            let size: UInt64 = 1 << UInt64(shift)
            let oa = descriptor & Self.addressMask & ~(size - 1)
            guard oa >> UInt64(outputSize) == 0 else {
                record(.addressTooLarge(oa, bits: outputSize))
                throw fault(.addressSize, level: level, "output address \(hex(oa)) exceeds \(outputSize) bits")
            }
            record(level == 3 ? .page(outputAddress: oa, size: size) : .block(outputAddress: oa, size: size))
            return Leaf(
                descriptor: descriptor, level: level, outputAddress: oa | (input & (size - 1)),
                tableAttributes: tableAttributes)
        }
    }
}

extension TranslationFault: Error {}
