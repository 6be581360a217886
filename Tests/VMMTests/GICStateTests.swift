import Glibc
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

    @Test("redistributor registers restore CTLR last and never overlap; LPI bases only with an ITS, before CTLR")
    func redistributorOrder() {
        for lpis in [false, true] {
            let regs = GICv3.redistributorRegisters(lpis: lpis)
            #expect(regs.last?.1 == "GICR_CTLR")
            #expect(Set(regs.map(\.0)).count == regs.count)
            #expect(regs.contains { $0.0 == 0x0070 } == lpis && regs.contains { $0.0 == 0x007C } == lpis)
        }
    }

    @Test("an EL1 vCPU's CPU interface is the ICC set; an EL2 vCPU adds the ICH_*_EL2 set")
    func cpuInterfaceRegistersFollowVisibility() {
        let el1 = GICv3.cpuInterfaceRegisters(el2: false).map(\.name)
        let el2 = GICv3.cpuInterfaceRegisters(el2: true).map(\.name)
        #expect(el1.count == 15 && el1.allSatisfy { $0.hasPrefix("ICC_") })
        // 30 ICH_*_EL2 rows less the three derived summaries (MISR, EISR, ELRSR), which are not state.
        #expect(el2.count == 42 && el2.filter { $0.hasPrefix("ICH_") }.count == 27)
        #expect(el1.contains(SysReg.ICC_SRE_EL1.name) && el2.contains(SysReg.ICH_VMCR_EL2.name))
    }
}

@Suite("vGICv3 CPU interface: which registers a snapshot may lack")
struct GICCPUInterfaceSkipTests {
    typealias Class = GICv3.CPURegisterClass
    /// A vCPU with 5 priority bits (one APR per group) and 4 list registers, like the lab's.
    static let small = GICv3.CPUInterfaceShape(priorityBits: 5, listRegisters: 4)

    @Test(
        "registers are classified by their architectural names",
        arguments: [
            ("ICC_AP0R0_EL1", Class.activePriority(index: 0)), ("ICC_AP1R3_EL1", .activePriority(index: 3)),
            ("ICH_AP0R2_EL2", .activePriority(index: 2)), ("ICH_AP1R1_EL2", .activePriority(index: 1)),
            ("ICH_LR0_EL2", .listRegister(index: 0)), ("ICH_LR15_EL2", .listRegister(index: 15)),
            ("ICC_PMR_EL1", .required), ("ICC_SRE_EL1", .required), ("ICH_VTR_EL2", .required),
            ("ICH_HCR_EL2", .required), ("ICC_CTLR_EL1", .required),
        ])
    func classification(name: String, expected: Class) {
        #expect(Class(name: name) == expected)
    }

    @Test(
        "only an unimplemented register refused with EINVAL may be omitted; anything else fails the save",
        arguments: [
            // (register, errno, may omit)
            (Class.activePriority(index: 1), EINVAL, true),  // beyond 5 priority bits
            (.activePriority(index: 3), EINVAL, true),
            (.listRegister(index: 4), EINVAL, true),  // beyond ListRegs
            (.listRegister(index: 15), EINVAL, true),
            (.activePriority(index: 0), EINVAL, false),  // implemented: must be readable
            (.listRegister(index: 3), EINVAL, false),
            (.required, EINVAL, false),
            (.activePriority(index: 1), ENOENT, false),  // another errno is a real failure
            (.activePriority(index: 1), ENXIO, false),
            (.listRegister(index: 9), EFAULT, false),
            (.required, ENOENT, false),
        ] as [(Class, Int32, Bool)])
    func omission(register: Class, errno: Int32, omit: Bool) {
        #expect(GICv3.mayOmit(register, errno: errno, shape: Self.small) == omit)
    }

    @Test("list registers beyond ICH_VTR_EL2.ListRegs are not read (KVM would answer for all 16)")
    func listRegistersBeyondListRegsAreNotRequested() {
        #expect(GICv3.isRequested(.listRegister(index: 3), shape: Self.small))
        #expect(!GICv3.isRequested(.listRegister(index: 4), shape: Self.small))
        #expect(!GICv3.isRequested(.listRegister(index: 15), shape: Self.small))
        // Active-priority registers are read, and what KVM refuses is judged by errno.
        #expect(GICv3.isRequested(.activePriority(index: 3), shape: Self.small))
        #expect(GICv3.isRequested(.required, shape: Self.small))
    }

    @Test("an error without an errno (not an ioctl failure) is never a reason to omit a register")
    func noErrno() {
        #expect(!GICv3.mayOmit(.activePriority(index: 3), errno: nil, shape: Self.small))
    }

    @Test(
        "the shape comes from ICC_CTLR_EL1.PRIbits, or ICH_VTR_EL2.PRIbits and ListRegs for EL2",
        arguments: [
            // (ICC_CTLR_EL1, ICH_VTR_EL2, priority bits, APRs per group, list registers)
            (UInt64(4 << 8), UInt64?.none, 5, 1, 0), (5 << 8, nil, 6, 2, 0), (6 << 8, nil, 7, 4, 0),
            (6 << 8, UInt64(4 << 29 | 3), 5, 1, 4), (0, 6 << 29 | 15, 7, 4, 16),
        ] as [(UInt64, UInt64?, Int, Int, Int)])
    func shape(ctlr: UInt64, vtr: UInt64?, bits: Int, aprs: Int, lrs: Int) {
        let shape = GICv3.CPUInterfaceShape(iccCTLR: ctlr, ichVTR: vtr)
        #expect(shape.priorityBits == bits)
        #expect(shape.activePriorityRegisters == aprs)
        #expect(shape.listRegisters == lrs)
    }

    @Test("the registers KVM has no entry for (read-only summaries of the LRs) are never requested")
    func derivedRegistersLeftOut() {
        let names = Set(GICv3.cpuInterfaceRegisters(el2: true).map(\.name))
        #expect(names.isDisjoint(with: ["ICH_MISR_EL2", "ICH_EISR_EL2", "ICH_ELRSR_EL2"]))
        #expect(names.contains("ICH_VTR_EL2") && names.contains("ICH_LR15_EL2"))
        #expect(!GICv3.cpuInterfaceRegisters(el2: false).contains { $0.name.hasPrefix("ICH_") })
    }

    @Test("the error names the register, the vCPU and the errno text")
    func errorText() {
        let error = GICStateError.cpuRegister(
            name: "ICC_PMR_EL1", mpidr: 0x8000_0000, errno: ENOENT, reason: "No such file or directory (ENOENT)")
        #expect("\(error)".contains("ICC_PMR_EL1"))
        #expect("\(error)".contains("0x80000000"))
        #expect("\(error)".contains("ENOENT"))
    }
}
