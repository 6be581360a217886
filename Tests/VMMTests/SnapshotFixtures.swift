import Foundation
import SysRegs

@testable import VMM

/// Machine states for the snapshot tests.
enum SnapshotFixtures {
    /// A register entry named as the model names it (structurally, for ids it does not know).
    static func entry(_ id: OneRegID, _ value: RegisterValue) -> RegisterEntry {
        RegisterEntry(id: id, name: RegisterTable.lookup(id).name, value: value)
    }

    static func sysreg(_ name: String, _ value: UInt64) -> RegisterEntry {
        let descriptor = RegisterTable.named(name)!
        return RegisterEntry(id: descriptor.id, name: descriptor.name, value: RegisterValue(value))
    }

    /// Registers of an EL2 vCPU: core, EL1 and EL2 sysregs, a 128-bit V register, a 256-byte SVE Z
    /// register, and ids the model does not know (a sysreg and a made-up coproc).
    static func registers(seed: UInt64) -> [RegisterEntry] {
        var entries = [
            entry(.core(byteOffset: 0, byteCount: 8), RegisterValue(0x1111_0000 + seed)),  // X0
            entry(.core(byteOffset: 0x100, byteCount: 8), RegisterValue(0x4008_0000)),  // PC
            sysreg("SCTLR_EL1", 0x30d0_0800 + seed),
            sysreg("HCR_EL2", 0x0000_0004_8000_0000),
            sysreg("VTTBR_EL2", 0x0001_0000_4010_0000),
            sysreg("CNTVOFF_EL2", 0x1234_5678),
            sysreg("SP_EL2", 0x4100_0000),
            // V0: a 128-bit core register (KVM_REG_ARM_CORE_REG(fp_regs.vregs[0]), size U128).
            entry(
                .core(byteOffset: 0x110, byteCount: 16),
                RegisterValue(u128: 0xFEDC_BA98_7654_3210_0123_4567_89AB_CDEF ^ UInt128(seed))),
            // Z0 at the maximum vector length: 256 bytes (size U2048).
            entry(
                OneRegID(coproc: OneRegID.Coproc.sve.rawValue, byteCount: 256, index: 0),
                RegisterValue(bytes: (0..<256).map { UInt8(truncatingIfNeeded: $0 &+ Int(seed)) })),
            // IMPLEMENTATION DEFINED S3_7_C15_C2_0, unknown to the model.
            entry(.sysreg(SysRegEncoding(3, 7, 15, 2, 0)), RegisterValue(0xdead_beef)),
            // An id in a group the model does not know, 4 bytes wide.
            entry(OneRegID(coproc: 0x0FF, byteCount: 4, index: 7), RegisterValue(0xCAFE, byteCount: 4)),
        ]
        entries.append(entry(.core(byteOffset: 0x108, byteCount: 8), RegisterValue(0x3C5)))  // PSTATE
        return entries
    }

    static func vcpu(_ index: Int) -> VCPUState {
        VCPUState(
            index: index, mpidr: 0x8000_0000 | UInt64(index),
            features: VCPUInitFeatures(powerOff: index > 0, el2: true, sve: true, pauth: true),
            registers: registers(seed: UInt64(index)), mpState: index == 0 ? 0 : 5,
            events: VCPUEvents(serrorPending: index == 1, serrorHasESR: index == 1, serrorESR: 0x96_0000_45))
    }

    static func gic(vcpus: [VCPUState]) -> GICState {
        var cpus: [GICCPUState] = []
        for vcpu in vcpus {
            let redistributor = [
                GICRegister(key: 0x0014, name: "GICR_WAKER", value: 0),
                GICRegister(key: 0x1_0100, name: "GICR_ISENABLER0", value: 0x0800_0000 | vcpu.mpidr & 0xFF),
            ]
            let cpuInterface = [
                GICRegister(key: 0xC660, name: "ICC_PMR_EL1", value: 0xF0),
                GICRegister(key: 0xC667, name: "ICC_IGRPEN1_EL1", value: 1),
                GICRegister(key: 0xE658, name: "ICH_HCR_EL2", value: 1),
            ]
            cpus.append(GICCPUState(mpidr: vcpu.mpidr, redistributor: redistributor, cpuInterface: cpuInterface))
        }
        let distributor = [
            GICRegister(key: 0x0008, name: "GICD_IIDR", value: 0x0300_043B),
            GICRegister(key: 0x0000, name: "GICD_CTLR", value: 0x12),
            GICRegister(key: 0x0104, name: "GICD_ISENABLER1", value: 0x8000_0001),
        ]
        return GICState(distributor: distributor, cpus: cpus)
    }

    /// The PL011's device state with these FIFO contents.
    static func uartDevice(fifo: [UInt16]) -> DeviceState {
        DeviceState(
            kind: PL011Device.kind.tag, instance: 0, version: PL011.State.currentVersion,
            payload: uart(fifo: fifo).encoded())
    }

    static func uart(fifo: [UInt16]) -> PL011.State {
        PL011.State(
            rsr: 0, ilpr: 0, ibrd: 13, fbrd: 1, lcrH: 0x70, cr: 0x301, ifls: 0x12, imsc: 0x50,
            latchedInterrupts: 0x20, dmacr: 0, rxFIFO: fifo)
    }

    /// Two EL2 vCPUs with everything filled in.
    static var rich: MachineState {
        let vcpus = [vcpu(0), vcpu(1)]
        let shape = MachineShape(
            vcpuCount: 2, memorySize: 0x10_0000, nested: true, e2h0: false,
            cmdline: "console=ttyAMA0 earlycon rdinit=/init — ünïcode", ramBase: 0x4000_0000,
            uartBase: 0x0900_0000, gicDistributorBase: 0x0800_0000, gicRedistributorBase: 0x080A_0000)
        return MachineState(
            config: shape, counter: CounterState(offset: 0x1_0000_0000, guestCounterAtPause: 0x2_5000_0000),
            vcpus: vcpus, gic: gic(vcpus: vcpus), devices: [uartDevice(fifo: [0x41, 0x42, 0x0443, 0x0A])],
            memory: MemoryState(guestAddress: 0x4000_0000, size: 0x10_0000, fileName: "memory.bin", checksum: 0x1234))
    }

    /// A small, fixed state for the golden file: one vCPU, a few registers.
    static var small: MachineState {
        let vcpu = VCPUState(
            index: 0, mpidr: 0x8000_0000, features: .el2VHE,
            registers: [
                entry(.core(byteOffset: 0x100, byteCount: 8), RegisterValue(0x4008_0000)),
                sysreg("SCTLR_EL1", 0x30d0_0800),
                sysreg("HCR_EL2", 0x8000_0000),
                entry(.core(byteOffset: 0x110, byteCount: 16), RegisterValue(u128: 1 << 100 | 7)),
            ],
            mpState: 0, events: VCPUEvents())
        let shape = MachineShape(
            vcpuCount: 1, memorySize: 0x1_0000, nested: true, e2h0: false, cmdline: "console=ttyAMA0",
            ramBase: 0x4000_0000, uartBase: 0x0900_0000, gicDistributorBase: 0x0800_0000,
            gicRedistributorBase: 0x080A_0000)
        return MachineState(
            config: shape, counter: CounterState(offset: 0, guestCounterAtPause: 0x1000),
            vcpus: [vcpu], gic: gic(vcpus: [vcpu]), devices: [uartDevice(fifo: [0x68, 0x69])],
            memory: MemoryState(guestAddress: 0x4000_0000, size: 0x1_0000, fileName: "memory.bin", checksum: 0))
    }

    /// The file for `state` with `extra` sections inserted before the first one (or after the last).
    static func file(
        _ state: MachineState, architecture: String = "aarch64",
        extra: [(tag: String, version: UInt32, flags: UInt32, payload: [UInt8])] = [], extraFirst: Bool = true
    ) -> [UInt8] {
        var writer = SnapshotContainerWriter(architecture: architecture)
        func addExtra() {
            for section in extra {
                writer.section(
                    SnapshotTag(section.tag)!, version: section.version, flags: section.flags,
                    payload: section.payload)
            }
        }
        if extraFirst { addExtra() }
        SnapshotCodec.appendSections(of: state, to: &writer)
        if !extraFirst { addExtra() }
        return writer.finish()
    }

    /// The file for `state` with the payload of the `occurrence`th section tagged `tag` replaced by
    /// `transform(payload)`; checksums are recomputed, so only the payload's meaning is wrong.
    static func file(
        _ state: MachineState, rewriting tag: SnapshotTag, occurrence: Int = 0,
        _ transform: ([UInt8]) -> [UInt8]
    ) throws -> [UInt8] {
        let original = SnapshotCodec.encode(state)
        let container = try SnapshotContainer.parse(original)
        var writer = SnapshotContainerWriter()
        var seen = 0
        for section in container.sections {
            var payload = Array(original[section.payload])
            if section.tag == tag {
                if seen == occurrence { payload = transform(payload) }
                seen += 1
            }
            writer.section(section.tag, version: section.version, flags: section.flags, payload: payload)
        }
        return writer.finish()
    }

    /// A fresh directory under the system temporary directory.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vmmctl-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
