/// The registry: the devices every machine has, in one list. The hub, the device tree, snapshot
/// capture and restore all iterate over what this returns; nothing else names a device.
///
/// Adding a device: a folder under Sources/VMM/Devices/ with a type that conforms to
/// `MachineDevice` (window, SPIs, device-tree nodes, versioned state, reset, attach), then one line
/// here (docs/architecture.md, "Adding a device"). Restore builds the same list from the snapshot's
/// machine shape and hands each device its state by kind and instance.
enum MachineDevices {
    /// The devices of a machine with `layout`; `console` receives the console device's output.
    static func standard(layout: MachineLayout, console: @escaping @Sendable (UInt8) -> Void) -> [any MachineDevice] {
        [
            PL011Device(instance: 0, base: layout.uartBase, spi: MachineLayout.uartSPI, console: console)
        ]
    }

    /// The devices of a machine of `config`: the standard ones, then one virtio-mmio slot per device
    /// in the order the guest should find them: the disks (vda, vdb, ... in `config.disks` order),
    /// then the entropy device. Opens and locks the disk images, so a missing, locked or
    /// odd-sized image is refused here, before the guest starts.
    static func standard(
        config: RunConfig, console: @escaping @Sendable (UInt8) -> Void
    ) throws(MachineError) -> [any MachineDevice] {
        var backends: [any VirtioBackend] = []
        do throws(DiskError) {
            for disk in config.disks {
                backends.append(
                    try VirtioBlock(disk: DiskImage(path: disk.path, readOnly: disk.readOnly), serial: disk.serial))
            }
        } catch {
            throw .disk(error)
        }
        if config.rng { backends.append(VirtioEntropy()) }
        return standard(layout: config.layout, console: console)
            + backends.enumerated().map { VirtioMMIODevice(slot: $0, layout: config.layout, backend: $1) }
    }

    /// The devices a snapshot's `states` describe: the standard ones, and each virtio device rebuilt
    /// in its slot from its state (block devices reopen and relock their image, refusing one that is
    /// missing or changed size). The states themselves are handed over afterwards by the hub.
    static func restored(
        _ states: [DeviceState], layout: MachineLayout, console: @escaping @Sendable (UInt8) -> Void
    ) throws(MachineError) -> [any MachineDevice] {
        var devices = standard(layout: layout, console: console)
        for saved in states where saved.kind == VirtioMMIODevice.kind.tag {
            guard Int(saved.instance) < MachineLayout.virtioMMIOSlotCount else {
                throw .deviceState(.invalid(device: "virtio-mmio", reason: "slot \(saved.instance) does not exist"))
            }
            let state: VirtioMMIODevice.State
            do { state = try VirtioMMIODevice.State(decoding: saved.payload, version: saved.version) } catch {
                throw .deviceState(error)
            }
            let backend = try VirtioMMIODevice.backend(restoring: state)
            devices.append(VirtioMMIODevice(slot: Int(saved.instance), layout: layout, backend: backend))
        }
        return devices
    }
}
