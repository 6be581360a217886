import SysRegs
import VMM

/// Synthetic machine states for the dump-regs renderer: every register KVM would list for the vCPU's
/// features (per the model), zero unless a test cares, plus the few values each test checks.
enum DumpFixtures {
    /// HCR_EL2.E2H | RW, KVM's reset value for a VHE guest hypervisor.
    static let hcrVHE: UInt64 = 0x4_8000_0000
    /// VTTBR_EL2 with VMID 1 and its tables at 0x41000000.
    static let vttbr: UInt64 = 1 << 48 | 0x4100_0000
    /// An id the model does not name: S3_7_C15_C15_7 (IMPLEMENTATION DEFINED space).
    static let unknownID = OneRegID(0x6030_0000_0013_FFFF)

    static func packed(_ name: String) -> UInt64 {
        UInt64(RegisterTable.named(name)!.encoding!.packed)
    }

    /// Every register of the model's KVM_GET_REG_LIST for `features`, with `values` by name.
    static func registers(_ features: VCPUFeatures, _ values: [String: UInt64]) -> [RegisterEntry] {
        RegisterTable.regList(for: features).map { d in
            let bytes = d.id.byteCount
            return RegisterEntry(id: d.id, name: d.name, value: RegisterValue(values[d.name] ?? 0, byteCount: bytes))
        }
    }

    /// A plain EL1 vCPU in EL1h, with a V register, a faulting PAR_EL1 and one unknown id.
    static func el1VCPU(index: Int = 0) -> VCPUState {
        var regs = registers(
            [],
            [
                "PSTATE": 0x3C5, "X0": 0x1234, "SCTLR_EL1": 0x30D0_1805, "TCR_EL1": 0x5_B510_3510,
                "PAR_EL1": 0x813,
            ])
        if let v0 = regs.firstIndex(where: { $0.name == "V0" }) {
            regs[v0].value = RegisterValue(u128: UInt128(0x0102_0304_0506_0708) << 64 | 0x090A_0B0C_0D0E_0F10)
        }
        regs.append(RegisterEntry(id: unknownID, name: "IMPDEF_FOO_EL1", value: RegisterValue(0xABCD)))
        return VCPUState(
            index: index, mpidr: 0x8000_0000 | UInt64(index), features: .el1, registers: regs, mpState: 0,
            events: VCPUEvents())
    }

    /// A VHE guest hypervisor in EL2h with stage 2 on for its guest.
    static func el2VCPU(index: Int = 1, pstate: UInt64 = 0x3C9, hcr: UInt64 = hcrVHE | 1) -> VCPUState {
        let regs = registers(
            [.el2],
            [
                "PSTATE": pstate, "HCR_EL2": hcr, "VTTBR_EL2": vttbr, "SP_EL2": Reset.poison,
                "ELR_EL2": 0xFFFF_8000_1000,
                "SPSR_EL2": 0x3C5, "CPTR_EL2": 0x30_0000, "CNTHCTL_EL2": 0x3, "TCR_EL2": 0x10, "VNCR_EL2": 0x4200_0000,
                "SP_EL1": 0x4800_0000,
            ])
        return VCPUState(
            index: index, mpidr: 0x8000_0000 | UInt64(index), features: .el2VHE, registers: regs, mpState: 0,
            events: VCPUEvents())
    }

    /// A non-VHE guest hypervisor (HAS_EL2_E2H0) in EL2h.
    static func e2h0VCPU(index: Int = 0) -> VCPUState {
        let regs = registers(
            [.el2, .e2h0], ["PSTATE": 0x3C9, "HCR_EL2": 0x8000_0000, "CPTR_EL2": 0x400, "CNTHCTL_EL2": 0x3])
        return VCPUState(
            index: index, mpidr: 0x8000_0000 | UInt64(index), features: .el2E2H0, registers: regs, mpState: 5,
            events: VCPUEvents())
    }

    /// An EL1 vCPU with SVE: Zn are 256-byte values.
    static func sveVCPU() -> VCPUState {
        var regs = registers([.sve], ["PSTATE": 0x3C5])
        if let z0 = regs.firstIndex(where: { $0.name == "Z0" }) {
            regs[z0].value = RegisterValue(bytes: (0..<256).map { UInt8(truncatingIfNeeded: $0) })
        }
        return VCPUState(
            index: 0, mpidr: 0x8000_0000, features: VCPUInitFeatures(sve: true), registers: regs, mpState: 0,
            events: VCPUEvents())
    }

    /// The vGIC state for these vCPUs: ICC registers for all, ICH ones for EL2 vCPUs.
    static func gic(for vcpus: [VCPUState]) -> GICState {
        let cpus = vcpus.map { v in
            var cpuif = [
                GICRegister(key: packed("ICC_PMR_EL1"), name: "ICC_PMR_EL1", value: 0xF0),
                GICRegister(key: packed("ICC_SRE_EL1"), name: "ICC_SRE_EL1", value: 0x7),
            ]
            if v.features.el2 {
                cpuif.append(GICRegister(key: packed("ICH_HCR_EL2"), name: "ICH_HCR_EL2", value: 0x1))
                cpuif.append(GICRegister(key: packed("ICH_VMCR_EL2"), name: "", value: 0xF000_0003))
            }
            let redist = [
                GICRegister(key: 0x0, name: "GICR_CTLR", value: 0),
                GICRegister(key: 0x1_0080, name: "GICR_IGROUPR0", value: 0xFFFF_FFFF),
            ]
            return GICCPUState(mpidr: v.mpidr, redistributor: redist, cpuInterface: cpuif)
        }
        let dist = [
            GICRegister(key: 0x8, name: "GICD_IIDR", value: 0x0300_043B),
            GICRegister(key: 0x0, name: "GICD_CTLR", value: 0x12),
            GICRegister(key: 0x4, name: "GICD_TYPER", value: 0x37_80FF),
        ]
        return GICState(distributor: dist, cpus: cpus)
    }

    static func machine(_ vcpus: [VCPUState], nested: Bool = false, e2h0: Bool = false) -> MachineState {
        let shape = MachineShape(
            vcpuCount: vcpus.count, memorySize: 0x2000_0000, nested: nested, e2h0: e2h0, cmdline: "console=ttyAMA0",
            ramBase: 0x4000_0000, uartBase: 0x900_0000, gicDistributorBase: 0x800_0000,
            gicRedistributorBase: 0x80A_0000)
        return MachineState(
            config: shape, counter: CounterState(offset: 0x1000, guestCounterAtPause: 0x12_3456),
            vcpus: vcpus, gic: gic(for: vcpus),
            devices: [PL011Device(base: 0x900_0000, spi: 1, console: { _ in }).saveState()],
            memory: MemoryState(guestAddress: 0x4000_0000, size: 0x2000_0000, fileName: "memory.bin", checksum: 0xCAFE))
    }

    /// An EL1 vCPU 0 and a VHE EL2 vCPU 1 (the mix is synthetic; it exercises both paths at once).
    static let mixed = machine([el1VCPU(index: 0), el2VCPU(index: 1)], nested: true)
}
