import SysRegs

/// A multi-vCPU payload for snapshot tests: vCPU 0 starts secondaries with PSCI CPU_ON, then every running
/// vCPU increments its own 64-bit counter in guest RAM forever, with a busy loop of `spin` iterations
/// between increments. A test reads the counters from guest memory (`SMPSlots`) to see which vCPUs run.
///
/// PSCI goes through HVC from EL1 and SMC from (virtual) EL2, for the reason `uartFlood` gives: on an EL2
/// vCPU an HVC would trap to the guest's own, absent, EL2 vectors.
///
/// What a secondary gets (Arm DEN0022 "PSCI" 6.4 "CPU_ON"; KVM's `kvm_psci_vcpu_on`): it is reset as at
/// VCPU_INIT, so PSTATE is KVM's reset value for the vCPU kind (EL1h, or EL2h for an EL2 vCPU, D, A, I and
/// F masked), the MMU and caches are off, PC = the entry point and x0 = the context id, here the vCPU
/// index. Nothing else is assumed: the code uses no stack, no system register but CurrentEL, and only
/// naturally aligned 64-bit loads and stores (with the MMU off data accesses are Device-nGnRnE, Arm ARM
/// D8.2.11 "The effects of disabling an address translation stage", where an unaligned access faults).
///
/// The counters are written by the guest with the MMU off (non-cacheable) and read by the host through a
/// cacheable mapping. That is coherent where KVM forces stage-2 attributes (FEAT_S2FWB) and under QEMU
/// TCG, the lab; on a host without S2FWB a reader could see a stale line (nothing here cleans it).
extension DemoGuest {
    /// Where `smpCounters` keeps its per-vCPU data: one 64-byte slot per vCPU from `base`, so no two vCPUs
    /// store to one cache line. The image holds the initial values.
    public struct SMPSlots: Hashable, Sendable {
        /// The page after the code: `loadAddress + SMPSlots.offset`.
        public static let offset: UInt64 = 0x1000
        /// Bytes from one vCPU's slot to the next (a power of two: the code shifts the index by its log2).
        public static let stride: UInt64 = 64
        /// The initial CPU_ON result word: PSCI returns 0 or a negative code, never 1.
        public static let notCalled: UInt64 = 1

        /// Guest physical address of vCPU 0's slot.
        public let base: UInt64
        /// Slots, one per vCPU of the machine.
        public let count: Int

        public init(loadAddress: UInt64, vcpuCount: Int) {
            base = loadAddress + Self.offset
            count = vcpuCount
        }

        /// The counter the vCPU increments (+0).
        public func counter(vcpu: Int) -> UInt64 { base + UInt64(vcpu) * Self.stride }
        /// What vCPU 0's CPU_ON for this vCPU returned (+8): `notCalled`, 0 (SUCCESS) or a PSCI error.
        public func cpuOnResult(vcpu: Int) -> UInt64 { counter(vcpu: vcpu) + 8 }
        /// CurrentEL as the vCPU read it when it started counting (+16; 0 until then).
        public func currentEL(vcpu: Int) -> UInt64 { counter(vcpu: vcpu) + 16 }

        /// Bytes of the slot area.
        var byteCount: Int { count * Int(Self.stride) }
    }

    /// PSCI 0.2 CPU_ON, SMC64 function id (Arm DEN0022 5.1.4): x1 target MPIDR (affinity fields only; KVM
    /// answers INVALID_PARAMETERS for any other bit, such as MPIDR_EL1 bit 31), x2 entry, x3 context id.
    static let psciCPUOn: UInt64 = 0xC400_0003
    /// The default busy loop between two increments: short enough that a counter moves quickly under TCG.
    public static let smpDefaultSpin: UInt64 = 1000

    /// The SMP counter program for a machine of `vcpuCount` vCPUs of which vCPUs `0..<startedVCPUs` run
    /// (vCPU 0 starts `startedVCPUs - 1` secondaries; the rest stay powered off, their counters 0).
    ///
    /// Layout from `loadAddress` (4 KiB aligned): vCPU 0's entry, the shared counting code (also the
    /// secondaries' entry, symbol `secondary`), the table of target MPIDRs, then at +0x1000 the slots
    /// (symbol `counters`, see `SMPSlots`). A vCPU whose x0 is not a vCPU index of the machine waits for
    /// interrupts forever without touching memory.
    /// - Throws: `DemoGuestError` if `loadAddress` is not 4 KiB aligned or `startedVCPUs` is not in
    ///   `1...vcpuCount`.
    public static func smpCounters(
        loadAddress: UInt64, vcpuCount: Int, startedVCPUs: Int, spin: UInt64 = smpDefaultSpin, hasEL2: Bool = false
    ) throws(DemoGuestError) -> GuestProgram {
        guard loadAddress % 0x1000 == 0 else { throw .misalignedLoadAddress(loadAddress) }
        guard vcpuCount >= 1, (1...vcpuCount).contains(startedVCPUs) else {
            throw .smpStartedVCPUs(started: startedVCPUs, vcpuCount: vcpuCount)
        }
        let slots = SMPSlots(loadAddress: loadAddress, vcpuCount: vcpuCount)
        let regs = try DemoRegisters()
        var asm = A64Assembler()
        let entry = asm.here("entry")
        let secondary = asm.makeLabel("secondary")
        let targets = asm.makeLabel("targets")
        startSecondaries(
            &asm, count: startedVCPUs - 1, slots: slots, targets: targets, secondary: secondary,
            conduit: hasEL2 ? .smc : .hvc)
        asm.movz(.x0, 0)
        asm.bind(secondary)
        countForever(&asm, slots: slots, spin: spin, currentEL: regs.currentEL)
        asm.align(8)
        asm.bind(targets)
        // Aff3..Aff0 of KVM's default MPIDR_EL1 for each secondary (reset_mpidr in sys_regs.c).
        for vcpu in 1..<startedVCPUs {
            let affinity = MachineConfig.affinity(ofMPIDR: MachineConfig.defaultMPIDR(vcpuIndex: vcpu))
            asm.data((0..<8).map { UInt8(truncatingIfNeeded: affinity >> (8 * UInt64($0))) })
        }
        guard asm.byteOffset <= Int(SMPSlots.offset) else { throw .smpCodeTooLarge(bytes: asm.byteOffset) }
        asm.align(Int(SMPSlots.offset))
        let counters = asm.here("counters")
        var slotBytes = [UInt8](repeating: 0, count: slots.byteCount)
        for vcpu in 0..<vcpuCount { slotBytes[vcpu * Int(SMPSlots.stride) + 8] = UInt8(SMPSlots.notCalled) }
        asm.data(slotBytes)

        let bytes = try assemble(asm)
        let symbols = try resolve(
            ["entry": entry, "secondary": secondary, "targets": targets, "counters": counters], in: asm,
            at: loadAddress)
        return GuestProgram(
            name: "SMP counters", bytes: bytes, loadAddress: loadAddress, entryPoint: symbols["entry"] ?? loadAddress,
            entryPSTATE: hasEL2 ? pstateEL2h : pstateEL1h, expectedOutput: "", symbols: symbols)
    }

    /// vCPU 0: CPU_ON for vCPUs 1...count, target MPIDRs from the table at `targets`, each result stored
    /// in the target's slot. The loop state lives in x20-x22, which SMCCC calls preserve (DEN0028 2.6).
    private static func startSecondaries(
        _ asm: inout A64Assembler, count: Int, slots: SMPSlots, targets: A64.Label, secondary: A64.Label,
        conduit: GuestImageWriter.Conduit
    ) {
        guard count > 0 else { return }
        let next = asm.makeLabel("startNext")
        let done = asm.makeLabel("startDone")
        asm.adr(.x20, targets)
        asm.movz(.x21, 1)
        asm.mov(.x22, UInt64(count + 1))
        asm.bind(next)
        asm.cmp(.x21, .x22)
        asm.b(.hs, done)
        asm.mov(.x0, psciCPUOn)
        asm.ldr(.x1, .postIndex(.x20, 8))
        asm.adr(.x2, secondary)
        asm.mov(.x3, .x21)
        switch conduit {
        case .hvc: asm.hvc(0)
        case .smc: asm.smc(0)
        }
        asm.mov(.x4, slots.base + 8)
        asm.add(.x4, .x4, .x21, lsl: SMPSlots.stride.trailingZeroBitCount)
        asm.str(.x0, .offset(.x4))
        asm.add(.x21, .x21, 1)
        asm.b(next)
        asm.bind(done)
    }

    /// Every vCPU, with x0 = its index: record CurrentEL, then increment the slot's counter forever.
    private static func countForever(
        _ asm: inout A64Assembler, slots: SMPSlots, spin: UInt64, currentEL: SysRegEncoding
    ) {
        let park = asm.makeLabel("park")
        asm.cmp(.x0, UInt64(slots.count))
        asm.b(.hs, park)
        asm.mov(.x1, slots.base)
        asm.add(.x1, .x1, .x0, lsl: SMPSlots.stride.trailingZeroBitCount)
        asm.mrs(.x2, currentEL)
        asm.str(.x2, .offset(.x1, 16))
        let count = asm.here("count")
        asm.ldr(.x2, .offset(.x1))
        asm.add(.x2, .x2, 1)
        asm.str(.x2, .offset(.x1))
        if spin > 0 {
            asm.mov(.x3, spin)
            let delay = asm.here("spin")
            asm.sub(.x3, .x3, 1)
            asm.cbnz(.x3, delay)
        }
        asm.b(count)
        asm.bind(park)
        let halt = asm.here("halt")
        asm.wfi()
        asm.b(halt)
    }
}
