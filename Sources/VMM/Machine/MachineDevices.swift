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
}
