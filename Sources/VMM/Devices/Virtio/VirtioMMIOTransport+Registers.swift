/// MMIO accesses to the transport (§4.2.2, §4.2.3).
extension VirtioMMIOTransport {
    /// A guest read. Registers answer only aligned 32-bit reads (§4.2.2.2); the configuration space
    /// answers 1-, 2-, 4- and 8-byte reads. Anything else reads as zero, with a warning.
    public func mmioRead(offset: UInt64, size: Int) -> UInt64 {
        if offset >= VirtioMMIO.configOffset { return readConfig(offset - VirtioMMIO.configOffset, size: size) }
        guard size == 4, let register = VirtioMMIO.Register(rawValue: offset) else {
            report("read \(offset) \(size)", "a \(size)-byte read at offset 0x\(String(offset, radix: 16)) reads as 0")
            return 0
        }
        return UInt64(read(register))
    }

    func read(_ register: VirtioMMIO.Register) -> UInt32 {
        let queue = selectedQueue.map { queues[$0] }
        switch register {
        case .MagicValue: return VirtioMMIO.magicValue
        case .Version: return VirtioMMIO.version
        case .DeviceID: return backend.deviceID
        case .VendorID: return VirtioMMIO.vendorID
        case .DeviceFeatures:
            return deviceFeaturesSel < 2 ? UInt32(truncatingIfNeeded: offeredFeatures >> (32 * deviceFeaturesSel)) : 0
        case .QueueNumMax: return queue == nil ? 0 : UInt32(Virtqueue.maximumSize)
        case .QueueNum: return UInt32(queue?.size ?? 0)
        case .QueueReady: return queue?.ready == true ? 1 : 0
        case .InterruptStatus: return interruptStatus
        case .Status: return status
        case .QueueDescLow: return UInt32(truncatingIfNeeded: queue?.descriptorTable ?? 0)
        case .QueueDescHigh: return UInt32(truncatingIfNeeded: (queue?.descriptorTable ?? 0) >> 32)
        case .QueueDriverLow: return UInt32(truncatingIfNeeded: queue?.driverArea ?? 0)
        case .QueueDriverHigh: return UInt32(truncatingIfNeeded: (queue?.driverArea ?? 0) >> 32)
        case .QueueDeviceLow: return UInt32(truncatingIfNeeded: queue?.deviceArea ?? 0)
        case .QueueDeviceHigh: return UInt32(truncatingIfNeeded: (queue?.deviceArea ?? 0) >> 32)
        // No shared memory regions: a non-existent region's length reads as all ones (§4.2.2).
        case .SHMLenLow, .SHMLenHigh: return UInt32.max
        case .SHMBaseLow, .SHMBaseHigh: return UInt32.max
        case .ConfigGeneration: return configGeneration
        case .DeviceFeaturesSel, .DriverFeatures, .DriverFeaturesSel, .QueueSel, .QueueNotify, .InterruptACK,
            .SHMSel:
            return 0  // write-only
        }
    }

    /// A guest write. QueueNotify writes normally never arrive here: KVM completes them through the
    /// queue's ioeventfd (`VirtioMMIODevice.attach`); one that does (another width, a queue the
    /// device does not have) is ignored with a warning, so no queue work runs on a vCPU thread.
    public func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
        if offset >= VirtioMMIO.configOffset {
            report(
                "config write",
                "the configuration space is read-only here; a write at 0x\(String(offset, radix: 16)) is ignored")
            return
        }
        guard size == 4, let register = VirtioMMIO.Register(rawValue: offset) else {
            report(
                "write \(offset) \(size)", "a \(size)-byte write at offset 0x\(String(offset, radix: 16)) is ignored")
            return
        }
        write(register, UInt32(truncatingIfNeeded: value))
    }

    func write(_ register: VirtioMMIO.Register, _ value: UInt32) {
        switch register {
        case .DeviceFeaturesSel: deviceFeaturesSel = value
        case .DriverFeaturesSel: driverFeaturesSel = value
        case .DriverFeatures: writeDriverFeatures(value)
        case .QueueSel: queueSel = value
        case .QueueNum, .QueueDescLow, .QueueDescHigh, .QueueDriverLow, .QueueDriverHigh, .QueueDeviceLow,
            .QueueDeviceHigh:
            writeQueueSetup(register, value)
        case .QueueReady: writeQueueReady(value)
        case .QueueNotify:
            report("notify \(value)", "a QueueNotify write of \(value) names no queue of this device; ignored")
        case .InterruptACK: setInterruptStatus(interruptStatus & ~value)
        case .Status: writeStatus(value)
        case .SHMSel: shmSel = value
        case .MagicValue, .Version, .DeviceID, .VendorID, .DeviceFeatures, .QueueNumMax, .InterruptStatus,
            .SHMLenLow, .SHMLenHigh, .SHMBaseLow, .SHMBaseHigh, .ConfigGeneration:
            report("write ro \(register)", "a write to the read-only register \(register) is ignored")
        }
    }

    private func writeDriverFeatures(_ value: UInt32) {
        guard status & VirtioMMIO.Status.FEATURES_OK == 0, driverFeaturesSel < 2 else {
            report("features late", "DriverFeatures written after FEATURES_OK or with DriverFeaturesSel > 1; ignored")
            return
        }
        let shift = UInt64(32 * driverFeaturesSel)
        driverFeatures = driverFeatures & ~(0xFFFF_FFFF << shift) | UInt64(value) << shift
    }

    /// Queue size and addresses, writable only while the queue is not ready (§4.2.3.2).
    private func writeQueueSetup(_ register: VirtioMMIO.Register, _ value: UInt32) {
        guard let index = selectedQueue, !queues[index].ready else {
            report("queue setup \(register)", "\(register) written for a missing or ready queue; ignored")
            return
        }
        func low(_ old: UInt64) -> UInt64 { old & 0xFFFF_FFFF_0000_0000 | UInt64(value) }
        func high(_ old: UInt64) -> UInt64 { old & 0xFFFF_FFFF | UInt64(value) << 32 }
        var q = queues[index]
        switch register {
        case .QueueNum: q.size = UInt16(truncatingIfNeeded: min(value, 0xFFFF))
        case .QueueDescLow: q.descriptorTable = low(q.descriptorTable)
        case .QueueDescHigh: q.descriptorTable = high(q.descriptorTable)
        case .QueueDriverLow: q.driverArea = low(q.driverArea)
        case .QueueDriverHigh: q.driverArea = high(q.driverArea)
        case .QueueDeviceLow: q.deviceArea = low(q.deviceArea)
        case .QueueDeviceHigh: q.deviceArea = high(q.deviceArea)
        default: return
        }
        if register == .QueueNum && value > 0xFFFF { q.size = 0 }  // never a valid size: refused at QueueReady
        queues[index] = q
    }

    /// QueueReady = 1 checks the queue's setup first: a size that is not a power of 2 or above
    /// QueueNumMax, or rings outside guest RAM, leave it not ready and the device needing a reset.
    private func writeQueueReady(_ value: UInt32) {
        guard let index = selectedQueue else { return }
        guard value & 1 == 1 else {
            queues[index].ready = false
            return
        }
        guard let memory else { return }
        do throws(VirtqueueError) {
            try queues[index].validate(queue: index, memory: memory)
            queues[index].ready = true
        } catch {
            needsReset(error)
        }
    }

    /// Status (§2.1, §3.1.1). 0 resets. FEATURES_OK sticks only when the driver accepted a subset of
    /// what is offered that includes VIRTIO_F_VERSION_1 (this is a modern-only device, §6.1);
    /// otherwise it reads back clear, which tells the driver the features were refused (§3.1.1
    /// step 6). DRIVER_OK without FEATURES_OK is ignored, and DEVICE_NEEDS_RESET is the device's
    /// to set: the driver can only clear it by resetting.
    private func writeStatus(_ value: UInt32) {
        guard value != 0 else {
            reset()
            return
        }
        var new = value & ~VirtioMMIO.Status.DEVICE_NEEDS_RESET
        let newlyFeaturesOK = new & VirtioMMIO.Status.FEATURES_OK != 0 && status & VirtioMMIO.Status.FEATURES_OK == 0
        if newlyFeaturesOK {
            let unknown = driverFeatures & ~offeredFeatures
            if unknown != 0 || driverFeatures & VirtioMMIO.Feature.VIRTIO_F_VERSION_1 == 0 {
                report(
                    "features refused",
                    "FEATURES_OK refused: the driver accepted 0x\(String(driverFeatures, radix: 16)) "
                        + "(offered 0x\(String(offeredFeatures, radix: 16)); VIRTIO_F_VERSION_1 is required)")
                new &= ~VirtioMMIO.Status.FEATURES_OK
            }
        }
        if new & VirtioMMIO.Status.DRIVER_OK != 0 && new & VirtioMMIO.Status.FEATURES_OK == 0 {
            report("driver ok early", "DRIVER_OK without FEATURES_OK is ignored")
            new &= ~VirtioMMIO.Status.DRIVER_OK
        }
        status = new | status & VirtioMMIO.Status.DEVICE_NEEDS_RESET
    }

    /// Reads `size` bytes of the configuration space at `offset`; beyond its end reads as zero.
    private func readConfig(_ offset: UInt64, size: Int) -> UInt64 {
        let config = backend.configSpace
        var value: UInt64 = 0
        for i in 0..<size {
            let at = offset + UInt64(i)
            if at < UInt64(config.count) { value |= UInt64(config[Int(at)]) << (8 * UInt64(i)) }
        }
        return value
    }
}
