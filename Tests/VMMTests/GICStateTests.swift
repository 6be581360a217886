import SysRegs
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

    @Test("an EL1 vCPU's CPU interface is the ICC set; an EL2 vCPU adds the ICH_*_EL2 set")
    func cpuInterfaceRegistersFollowVisibility() {
        let el1 = GICv3.cpuInterfaceRegisters(el2: false).map(\.name)
        let el2 = GICv3.cpuInterfaceRegisters(el2: true).map(\.name)
        #expect(el1.count == 15 && el1.allSatisfy { $0.hasPrefix("ICC_") })
        #expect(el2.count == 45 && el2.filter { $0.hasPrefix("ICH_") }.count == 30)
        #expect(el1.contains(SysReg.ICC_SRE_EL1.name) && el2.contains(SysReg.ICH_VMCR_EL2.name))
    }
}
