/// The malicious driver of `vmmctl run --demo virtio-hostile`: one scenario per rule of the split
/// virtqueue a hostile guest can break, each on a freshly reset device, each expected to end with
/// DEVICE_NEEDS_RESET in the Status register (the device refuses the chain and writes nothing). The
/// VMM must stay up and answer its control socket throughout (Tests/Integration).
extension VirtioScript {
    /// What each scenario posts, in order (the names the lab tests and docs use).
    public static let hostileScenarios = [
        "looping chain", "buffer outside guest RAM", "length overflowing the address space",
        "indirect table inside an indirect table", "readable buffer after a writable one",
        "avail.idx beyond the queue size", "queue size not a power of 2",
    ]

    /// The scenarios against the virtio device in `slot` (0: the first --disk, or the rng without disks).
    public static func hostile(layout: MachineLayout, slot: Int = 0) -> VirtioScript {
        let base = layout.virtioMMIOBase + UInt64(slot) * MachineLayout.virtioMMIOSlotSize
        let dataAddress = layout.ramBase + dataOffset
        var data = DataBuilder(address: dataAddress)
        var steps: [Step] = []
        let buffer = dataAddress + 0x8_0000
        let w = Virtqueue.VIRTQ_DESC_F_WRITE
        let n = Virtqueue.VIRTQ_DESC_F_NEXT
        let i = Virtqueue.VIRTQ_DESC_F_INDIRECT
        for scenario in hostileScenarios.indices {
            let area = dataAddress + UInt64(scenario) * 0x4000
            let (table, driver, device) = (area, area + 0x1000, area + 0x2000)
            var size: UInt32 = 8
            var availIndex: UInt16? = nil
            switch scenario {
            case 0:
                data.descriptor(table: table, 0, address: buffer, length: 64, flags: w | n, next: 1)
                data.descriptor(table: table, 1, address: buffer, length: 64, flags: w | n, next: 0)
            case 1: data.descriptor(table: table, 0, address: 0x1000, length: 4096, flags: w)
            case 2: data.descriptor(table: table, 0, address: UInt64.max - 0xFFF, length: 0x10_0000, flags: w)
            case 3:
                data.descriptor(table: table, 0, address: area + 0x3000, length: 16, flags: i)
                data.descriptor(table: area + 0x3000, 0, address: area + 0x3000, length: 16, flags: i)
            case 4:
                data.descriptor(table: table, 0, address: buffer, length: 16, flags: w | n, next: 1)
                data.descriptor(table: table, 1, address: buffer, length: 16, flags: 0)
            case 5: availIndex = 200
            default: size = 6
            }
            data.avail(driver, heads: [0], index: availIndex)
            data.put(UInt32(0), at: device + 4 * 8 * 8)  // the used ring's extent is part of the data
            steps += bringUp(base: base, size: size, descriptors: table, driver: driver, device: device)
            steps.append(.store32(address: base + VirtioMMIO.Register.QueueNotify.rawValue, value: 0))
            let reset = VirtioMMIO.Status.DEVICE_NEEDS_RESET
            steps.append(.poll32(address: base + VirtioMMIO.Register.Status.rawValue, mask: reset, value: reset))
        }
        steps.append(.store32(address: base + VirtioMMIO.Register.Status.rawValue, value: 0))
        return VirtioScript(
            steps: steps, data: data.bytes,
            message: "virtio-hostile: \(hostileScenarios.count) malicious chains posted; the device refused each\n",
            powerOff: false)
    }
}
