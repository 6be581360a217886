import Foundation
import Glibc
import SysRegs
import Testing

@testable import VMM

/// A machine with a GICv3 ITS through the snapshot path against real KVM: the ITS probe maps an LPI
/// (MAPD/MAPC/MAPTI) and takes it, the snapshot is taken while it waits for its go word, and after the
/// restore its next INT command delivers the same LPI. That INT only translates if the device table,
/// the ITT and the collection came back (KVM_DEV_ARM_ITS_SAVE_TABLES into guest RAM, then
/// RESTORE_TABLES from it), GITS_CREADR/CWRITER came back (no command replayed or skipped) and the
/// redistributor's LPI tables (GICR_PROPBASER/PENDBASER, EnableLPIs) came back.
@Suite(
    "GICv3 ITS snapshot round trip (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason),
    .timeLimit(.minutes(5)), .serialized)
struct ITSSnapshotKVMTests {
    @Test(
        "an LPI mapped before the snapshot still arrives after the restore, at EL1 and EL2",
        arguments: SnapshotRoundTripKVMTests.Kind.supported)
    func lpiAfterRestore(kind: SnapshotRoundTripKVMTests.Kind) throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let payload = root + "/its-probe.bin"
        let bytes = try DemoGuest.itsProbe(layout: .standard, hasEL2: kind.nested, waitForGo: true)
        #expect(FileManager.default.createFile(atPath: payload, contents: Data(bytes)))
        var config = RunConfig(
            payload: .linuxFiles(kernel: payload, initrd: nil), memorySize: 16 << 20, nested: kind.nested,
            e2h0: kind == .nestedE2H0)
        config.its = .on
        let probe = ITSProbeLayout(ramBase: config.layout.ramBase)

        let before = ConsoleCapture()
        let original = try Machine(config, console: { before.append($0) })
        #expect(try original.gic.its?.address() == config.layout.gicITSBase)
        let first = try BackgroundRun(original)
        defer { first.stop() }
        try MTEKVMTests.wait(original, run: first) { try $0.read(UInt64.self, at: probe.ready) == 1 }
        try original.pause()
        let state = try original.captureState()
        #expect(before.text == DemoGuest.itsProbeSuccess)
        let its = try #require(state.its)
        func value(_ r: GICv3ITS.Register) -> UInt64? { its.registers.first { $0.key == r.rawValue }?.value }
        #expect(its.base == config.layout.gicITSBase)
        #expect(value(.GITS_CTLR).map { $0 & 1 } == 1, "GITS_CTLR.Enabled")
        #expect(value(.GITS_CWRITER) == 5 * 32 && value(.GITS_CREADR) == 5 * 32, "five commands, all run")
        #expect(value(.GITS_BASER0).map { $0 >> 63 } == 1 && value(.GITS_CBASER).map { $0 >> 63 } == 1)
        // SAVE_TABLES wrote device 0's entry into the device table the guest gave (KVM's DTE: Valid, bit 63).
        let dte = try original.guestMemory.read(UInt64.self, at: probe.deviceTable)
        #expect(dte >> 63 == 1, "device table entry 0 after ITS_SAVE_TABLES: \(hex64(dte))")
        // And the redistributor's LPI tables are kept with the GIC.
        let redistributor = try #require(state.gic.cpus.first?.redistributor)
        #expect(
            redistributor.contains { $0.name == "GICR_PROPBASER[31:0]" && $0.value & ~0xFFF == probe.propertyTable })
        #expect(redistributor.contains { $0.name == "GICR_CTLR" && $0.value & 1 == 1 }, "EnableLPIs")
        let written = try SnapshotStore.write(state: state, memory: original.guestMemory, to: root + "/snap")
        #expect(first.stop() == .stopped(signal: SIGTERM))

        let (read, memoryFile) = try SnapshotStore.read(from: root + "/snap")
        #expect(read == written && read.its == its)
        let after = ConsoleCapture()
        let restored = try Machine(restoring: read, memoryFile: memoryFile, console: { after.append($0) })
        #expect(restored.config.its == .on)
        #expect(try restored.captureState().its == its, "the ITS registers read back as saved")
        try restored.guestMemory.write(ITSProbeLayout.goValue, at: probe.go)
        let second = try BackgroundRun(restored)
        defer { second.stop() }
        try MTEKVMTests.wait(restored, run: second) { _ in second.exit != nil }
        #expect(second.exit == .poweredOff)
        #expect(after.text == DemoGuest.itsProbeAgain)
    }

    @Test("a snapshot without an ITS section restores a machine without an ITS")
    func noSectionNoITS() throws {
        let root = try SnapshotFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = RunConfig(payload: .smpCounters(startedVCPUs: 1), memorySize: 16 << 20)
        let original = try Machine(config, console: { _ in })
        #expect(original.gic.its == nil)
        let state = try original.captureState()
        #expect(state.its == nil)
        try SnapshotStore.write(state: state, memory: original.guestMemory, to: root + "/snap")
        let (read, memoryFile) = try SnapshotStore.read(from: root + "/snap")
        let restored = try Machine(restoring: read, memoryFile: memoryFile, console: { _ in })
        #expect(restored.gic.its == nil && restored.config.its == .off)
    }
}
