import CKVM
import Dispatch
import Glibc
import Synchronization
import Testing

@testable import VMM

/// ioeventfd and irqfd against real arm64 KVM (the lab). Skipped, with the reason printed, elsewhere.
@Suite(.serialized, .enabled(if: LabKVM.available, LabKVM.skipReason))
struct EventFDKVMTests {
    /// A doorbell no memory slot covers, next to the MMIO probe (so a store there traps).
    static let doorbell: UInt64 = LabKVM.mmioProbe + 0x1000
    /// The value the payload stores at the doorbell.
    static let kick: UInt64 = 0x1234

    /// `movz x3, #0x1000, lsl #16; movk x3, #0x1000; movz x1, #0x1234; str w1, [x3]` (a 4-byte store of
    /// 0x1234 at the doorbell), then `movz x2, #0x1000, lsl #16; str x1, [x2]; b .` (an 8-byte store at
    /// the probe). Hand-encoded: MOVZ/MOVK 64-bit (sf=1, hw, imm16, Rd), STR (unsigned offset 0) W and X.
    static let doorbellPayload: [UInt32] = [
        0xD2A2_0003, 0xF282_0003, 0xD282_4681, 0xB900_0061,
        0xD2A2_0002, 0xF900_0041, 0x1400_0000,
    ]

    static let probeExit = VCPUExit.mmio(address: LabKVM.mmioProbe, data: kick, isWrite: true, length: 8)
    static let doorbellExit = VCPUExit.mmio(address: doorbell, data: kick, isWrite: true, length: 4)

    @Test func capabilitiesInTheLab() throws {
        let caps = LabKVM.capabilities
        print("KVM_CAP_IOEVENTFD \(caps.ioEventFD), KVM_CAP_IRQFD \(caps.irqFD), RESAMPLE \(caps.irqFDResample)")
        #expect(caps.ioEventFD)
        // On arm64 KVM_CAP_IRQFD depends on the VM's vGIC, so ask a VM that has one too.
        let machine = try LabMachine(.el1, payload: Self.doorbellPayload)
        #expect(try machine.vm.checkExtension(.irqFD) > 0)
        #expect(try machine.vm.checkExtension(.ioEventFD) > 0)
    }

    /// The store to the doorbell signals the eventfd and does not exit: the first exit is the probe.
    @Test func ioeventfdSwallowsTheDoorbellStore() throws {
        let machine = try LabMachine(.el1, payload: Self.doorbellPayload)
        let doorbell = try EventFD(name: "doorbell")
        try machine.vm.registerIOEventFD(doorbell, address: Self.doorbell, length: 4)
        #expect(try machine.vcpu.run() == Self.probeExit)
        #expect(try doorbell.drain() == 1)
        try machine.vm.unregisterIOEventFD(doorbell, address: Self.doorbell, length: 4)
        #expect {
            try machine.vm.unregisterIOEventFD(doorbell, address: Self.doorbell, length: 4)
        } throws: { error in
            "\(error)".hasPrefix("KVM_IOEVENTFD(doorbell @0x10001000+4, deassign)")
        }
    }

    /// With datamatch, a store of another value is an ordinary MMIO exit and signals nothing.
    @Test func datamatchMismatchStillExits() throws {
        let machine = try LabMachine(.el1, payload: Self.doorbellPayload)
        let doorbell = try EventFD(name: "doorbell")
        try machine.vm.registerIOEventFD(doorbell, address: Self.doorbell, length: 4, datamatch: Self.kick + 1)
        #expect(try machine.vcpu.run() == Self.doorbellExit)
        #expect(try doorbell.drain() == 0)
        #expect(try machine.vcpu.run() == Self.probeExit)
        #expect(try doorbell.drain() == 0)
    }

    @Test func datamatchMatchSignals() throws {
        let machine = try LabMachine(.el1, payload: Self.doorbellPayload)
        let doorbell = try EventFD(name: "doorbell")
        try machine.vm.registerIOEventFD(doorbell, address: Self.doorbell, length: 4, datamatch: Self.kick)
        #expect(try machine.vcpu.run() == Self.probeExit)
        #expect(try doorbell.drain() == 1)
    }

    /// The whole path: the guest rings the doorbell, and the handler runs on the I/O thread, not on the
    /// thread that is inside KVM_RUN.
    @Test func doorbellHandlerRunsOnTheIOThread() throws {
        let machine = try LabMachine(.el1, payload: Self.doorbellPayload)
        let doorbell = try EventFD(name: "doorbell")
        try machine.vm.registerIOEventFD(doorbell, address: Self.doorbell, length: 4)
        let io = try IOThread(name: "lab io")
        let ran = DispatchSemaphore(value: 0)
        let handlerThread = Mutex<pthread_t?>(nil)
        try io.register(doorbell, name: "doorbell") {
            handlerThread.withLock { $0 = pthread_self() }
            ran.signal()
        }
        try io.start()
        #expect(try machine.vcpu.run() == Self.probeExit)
        #expect(ran.wait(timeout: .now() + .seconds(10)) == .success)
        #expect(io.stop())
        let thread = try #require(handlerThread.withLock { $0 })
        #expect(pthread_equal(thread, pthread_self()) == 0)
    }

    /// SPI 40 is gsi 8: an irqfd signal pends it (edge-configured), KVM consumes the eventfd count, and
    /// after deassign a signal neither pends it nor is consumed. Re-assign works.
    @Test func irqfdPendsAnEdgeSPI() throws {
        let machine = try LabMachine(.el1)
        let gic = machine.gic.device
        let spi: UInt32 = 40
        try gic.setVGICEdgeTriggered(intid: spi, true)
        let (_, shift) = KVMDevice.vgicDistributorLocation(.icfgr, intid: spi)
        #expect(try gic.vgicDistributorRegister(.icfgr, intid: spi) >> shift & 0b10 != 0)
        #expect(try !gic.vgicIsPending(intid: spi))

        let irq = try EventFD(name: "irq")
        try machine.vm.registerIRQFD(irq, line: .spi(intid: UInt16(spi)))
        try irq.signal()
        #expect(try Self.eventually { try gic.vgicIsPending(intid: spi) })
        #expect(try irq.drain() == 0, "KVM reads the count when it injects")
        // Only SPI 40 pends: gsi 8 is INTID 40, not INTID 8 or 8 + 32 of another numbering.
        #expect(try gic.vgicDistributorRegister(.ispendr, intid: spi) == 1 << (spi % 32))

        try machine.vm.unregisterIRQFD(irq, line: .spi(intid: UInt16(spi)))
        try gic.setVGICPending(intid: spi, false)
        #expect(try !gic.vgicIsPending(intid: spi))
        try irq.signal()
        // Deassign flushes KVM's injection work, so no late injection can follow; the count stays ours.
        #expect(try !gic.vgicIsPending(intid: spi))
        #expect(try irq.drain() == 1)

        try machine.vm.registerIRQFD(irq, line: .spi(intid: UInt16(spi)))
        try irq.signal()
        #expect(try Self.eventually { try gic.vgicIsPending(intid: spi) })
        try machine.vm.unregisterIRQFD(irq, line: .spi(intid: UInt16(spi)))
    }

    /// A level-sensitive SPI. Its line level is read through GRP_LEVEL_INFO: GICD_ISPENDR read from
    /// userspace shows only the pending latch, which irqfds never set on a level line.
    ///
    /// Lab finding (kernel 7.2.13): a plain irqfd *raises* an SPI and never lowers it (the signal is
    /// injected straight from KVM's wakeup callback, at level 1 only). An edge SPI pends once, as
    /// expected; a level SPI is left stuck high until something lowers it (`KVM_IRQ_LINE`, or a
    /// resampler's deassign). So level-sensitive devices must use a resampling irqfd, which holds the
    /// line high until the guest completes the interrupt (never, here), and whose deassign lowers it.
    @Test func irqfdOnALevelSPI() throws {
        let machine = try LabMachine(.el1)
        let gic = machine.gic.device
        let spi: UInt32 = 41
        try gic.setVGICEdgeTriggered(intid: spi, false)
        let line = IRQLine.spi(intid: UInt16(spi))

        let pulse = try EventFD(name: "pulse")
        try machine.vm.registerIRQFD(pulse, line: line)
        try pulse.signal()
        // KVM's wakeup callback reads the count inside our write; deassign then flushes the injection work.
        #expect(try pulse.drain() == 0)
        try machine.vm.unregisterIRQFD(pulse, line: line)
        #expect(try gic.vgicLineLevel(intid: spi), "a plain irqfd leaves a level SPI high")
        #expect(try !gic.vgicIsPending(intid: spi), "ISPENDR shows the latch, not the level")
        try machine.vm.setIRQLine(line, high: false)
        #expect(try !gic.vgicLineLevel(intid: spi))

        try #require(LabKVM.capabilities.irqFDResample, "KVM_CAP_IRQFD_RESAMPLE")
        let raise = try EventFD(name: "raise")
        let resample = try EventFD(name: "resample")
        try machine.vm.registerIRQFD(raise, line: line, resample: resample)
        try raise.signal()
        #expect(try Self.eventually { try gic.vgicLineLevel(intid: spi) }, "a resampling irqfd holds the line high")
        #expect(try !gic.vgicIsPending(intid: spi), "ISPENDR shows the latch, not the level")
        #expect(try resample.drain() == 0, "the guest never completed the interrupt")
        try machine.vm.unregisterIRQFD(raise, line: line)
        #expect(try !gic.vgicLineLevel(intid: spi), "deassign lowers the line")
    }

    @Test func irqfdRefusesPPIs() throws {
        let machine = try LabMachine(.el1)
        let irq = try EventFD(name: "irq")
        #expect(throws: KVMError.self) { try machine.vm.registerIRQFD(irq, line: .ppi(intid: 27, vcpu: 0)) }
    }

    /// Polls `condition` for up to 5 s. KVM may inject an irqfd's interrupt from a kernel work item after
    /// the signalling write returns, and offers nothing to wait on for it, so this is a bounded poll of
    /// the observable state, not a sleep standing in for synchronisation.
    static func eventually(_ condition: () throws -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            sched_yield()
        }
        return try condition()
    }
}
