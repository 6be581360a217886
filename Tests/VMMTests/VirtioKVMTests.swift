import Synchronization
import Testing

@testable import VMM

/// virtio devices in a real machine: the guest (a built-in `VirtioScript` driver) rings a real
/// KVM_IOEVENTFD doorbell, the request is served on the I/O thread, the interrupt status comes back
/// through the vGIC line, and the data is in the image file. At EL1 and at EL2 (VHE and E2H0).
@Suite("virtio (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason), .timeLimit(.minutes(3)))
struct VirtioKVMTests {
    typealias Kind = MachineKVMTests.Kind
    static let layout = MachineLayout.standard
    static let data = layout.ramBase + VirtioScript.dataOffset

    /// Three requests in one kick: write 1024 bytes at sector 2, flush, read them back elsewhere.
    static func blockScript(pattern: [UInt8]) -> VirtioScript {
        let base = layout.virtioMMIOBase
        let (table, driver, device) = (data, data + 0x1000, data + 0x2000)
        let (outHeader, flushHeader, inHeader) = (data + 0x3000, data + 0x3010, data + 0x3020)
        let statuses = data + 0x3100
        let (outData, inData) = (data + 0x4000, data + 0x5000)
        var b = VirtioScript.DataBuilder(address: data)
        let (n, w) = (Virtqueue.VIRTQ_DESC_F_NEXT, Virtqueue.VIRTQ_DESC_F_WRITE)
        b.put(VirtioBlock.RequestType.VIRTIO_BLK_T_OUT, at: outHeader)
        b.put(UInt64(2), at: outHeader + 8)
        b.put(VirtioBlock.RequestType.VIRTIO_BLK_T_FLUSH, at: flushHeader)
        b.put(VirtioBlock.RequestType.VIRTIO_BLK_T_IN, at: inHeader)
        b.put(UInt64(2), at: inHeader + 8)
        for (i, byte) in pattern.enumerated() { b.put(byte, at: outData + UInt64(i)) }
        for i in 0..<3 { b.put(UInt8(0xEE), at: statuses + UInt64(i)) }
        b.put(UInt8(0), at: inData + 0x3FF)
        b.descriptor(table: table, 0, address: outHeader, length: 16, flags: n, next: 1)
        b.descriptor(table: table, 1, address: outData, length: UInt32(pattern.count), flags: n, next: 2)
        b.descriptor(table: table, 2, address: statuses, length: 1, flags: w)
        b.descriptor(table: table, 3, address: flushHeader, length: 16, flags: n, next: 4)
        b.descriptor(table: table, 4, address: statuses + 1, length: 1, flags: w)
        b.descriptor(table: table, 5, address: inHeader, length: 16, flags: n, next: 6)
        b.descriptor(table: table, 6, address: inData, length: UInt32(pattern.count), flags: n | w, next: 7)
        b.descriptor(table: table, 7, address: statuses + 2, length: 1, flags: w)
        b.avail(driver, heads: [0, 3, 5])
        b.put(UInt64(0), at: device + 4 + 8 * 8)
        var steps = VirtioScript.bringUp(base: base, size: 8, descriptors: table, driver: driver, device: device)
        steps += [
            .store32(address: base + VirtioMMIO.Register.QueueNotify.rawValue, value: 0),
            // The interrupt status first: each poll of it is an exit to vmmctl, so its bounded reads last
            // long enough for the I/O thread (a flush is a real fdatasync); the used index is set by then.
            .poll32(address: base + VirtioMMIO.Register.InterruptStatus.rawValue, mask: 1, value: 1),
            .poll32(address: device, mask: 0xFFFF_0000, value: 3 << 16),
            .store32(address: base + VirtioMMIO.Register.InterruptACK.rawValue, value: 1),
            .poll32(address: base + VirtioMMIO.Register.InterruptStatus.rawValue, mask: 1, value: 0),
        ]
        return VirtioScript(steps: steps, data: b.bytes, message: "virtio-blk: 3 requests done\n", powerOff: true)
    }

    @Test(
        "a guest writes, flushes and reads back through virtio-blk; the data is in the file", arguments: Kind.supported)
    func blockRoundTrip(kind: Kind) throws {
        let file = try TemporaryDisk(sectors: 16)
        let pattern = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        var config = RunConfig(
            payload: .virtioScript(Self.blockScript(pattern: pattern)), nested: kind != .el1,
            e2h0: kind == .nestedE2H0)
        config.disks = [DiskConfig(path: file.path, serial: "kvm-tier")]
        let console = ConsoleCapture()
        let warnings = Mutex<[String]>([])
        let machine = try Machine(
            config, console: { console.append($0) }, warn: { w in warnings.withLock { $0.append(w) } })
        #expect(try machine.run() == .poweredOff)
        #expect(console.text == "virtio-blk: 3 requests done\n")
        #expect(Array(file.contents()[1024..<2048]) == pattern)
        #expect(try machine.guestMemory.read(at: Self.data + 0x5000, count: 1024) == pattern)
        #expect(try machine.guestMemory.read(at: Self.data + 0x3100, count: 3) == [0, 0, 0])
        #expect(warnings.withLock { $0 }.isEmpty)
    }

    /// The completion interrupt reaches the vGIC through a resampling irqfd: the script's driver
    /// polls InterruptStatus and acknowledges it but, with no GIC CPU interface of its own, never
    /// completes (EOIs) the interrupt, so KVM still holds the SPI's line high after the run. Through
    /// the `KVM_IRQ_LINE` fallback the acknowledgement lowers it at once.
    @Test("the completion interrupt goes through a resampling irqfd (KVM_IRQ_LINE only as the fallback)")
    func completionInterruptRouting() throws {
        try #require(LabKVM.capabilities.irqFDResample, "KVM_CAP_IRQFD_RESAMPLE")
        let intid = 32 + MachineLayout.virtioMMIOFirstSPI  // slot 0: the disk
        for throughIRQLine in [false, true] {
            Machine.interruptsThroughIRQLine = throughIRQLine
            defer { Machine.interruptsThroughIRQLine = false }
            let file = try TemporaryDisk(sectors: 16)
            var config = RunConfig(payload: .virtioScript(Self.blockScript(pattern: [UInt8](repeating: 7, count: 512))))
            config.disks = [DiskConfig(path: file.path)]
            let console = ConsoleCapture()
            let machine = try Machine(config, console: { console.append($0) }, warn: { _ in })
            // Level-sensitive, as the device tree tells a Linux guest (which then sets GICD_ICFGR itself):
            // the vGIC records the line level only for a level-configured SPI.
            try machine.gic.device.setVGICEdgeTriggered(intid: intid, false)
            #expect(try machine.run() == .poweredOff)
            #expect(console.text == "virtio-blk: 3 requests done\n")
            #expect(
                try machine.gic.device.vgicLineLevel(intid: intid) == !throughIRQLine,
                "line level after InterruptACK without EOI, through \(throughIRQLine ? "KVM_IRQ_LINE" : "irqfd")")
        }
    }

    @Test(
        "the malicious driver's chains are each refused with DEVICE_NEEDS_RESET; the VMM carries on",
        arguments: Kind.supported)
    func hostileDriver(kind: Kind) throws {
        var script = VirtioScript.hostile(layout: Self.layout)
        script.powerOff = true
        var config = RunConfig(payload: .virtioScript(script), nested: kind != .el1, e2h0: kind == .nestedE2H0)
        config.rng = true
        let console = ConsoleCapture()
        let warnings = Mutex<[String]>([])
        let machine = try Machine(
            config, console: { console.append($0) }, warn: { w in warnings.withLock { $0.append(w) } })
        #expect(try machine.run() == .poweredOff)
        #expect(console.text == script.message)  // no "timed out": every scenario ended in DEVICE_NEEDS_RESET
        let text = warnings.withLock { $0 }.joined(separator: "\n")
        for needle in [
            "a loop", "outside guest RAM", "overflows", "indirect descriptor inside",
            "device-readable descriptor after", "avail.idx", "not a power of 2",
        ] {
            #expect(text.contains(needle), "no warning mentions \(needle)")
        }
    }
}
