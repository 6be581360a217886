import Testing

@testable import VMM

@Suite("vGICv3 state layout")
struct GICStateTests {
    @Test(
        "MPIDR_EL1 packs into the 32-bit affinity KVM's GIC attributes take (RES1 bit 31 dropped)",
        arguments: [
            (UInt64(0x8000_0000), UInt32(0)), (0x8000_0001, 1), (0x8000_0102, 0x0102),
            (0x8003_0201, 0x0003_0201), (0x04_8003_0201, 0x0403_0201),
        ])
    func affinity(mpidr: UInt64, packed: UInt32) {
        #expect(GICv3.packedAffinity(mpidr: mpidr) == packed)
    }

    @Test("redistributor registers restore CTLR last and never overlap")
    func redistributorOrder() {
        let regs = GICv3.redistributorRegisters
        #expect(regs.last?.1 == "GICR_CTLR")
        #expect(Set(regs.map(\.0)).count == regs.count)
    }
}
