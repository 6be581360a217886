import Synchronization

/// The registered devices at run time: MMIO routing, one lock per device, console input, and the
/// devices' states for snapshots. It holds no device-specific code: everything it does it does by
/// iterating `MachineDevice`s (docs/architecture.md, "Devices").
///
/// Locking: the bus is built once and only read afterwards, so routing takes no lock; each access
/// then takes the lock of the one device it reaches. A vCPU writing the UART does not wait for
/// another vCPU kicking a virtio queue.
final class DeviceHub: @unchecked Sendable {
    // @unchecked: `bus` and `slots` are immutable after init; each device is reached only inside
    // its slot's lock; unmapped-access bookkeeping has its own lock.

    /// One device and the lock that serialises every call on it.
    final class Slot: MMIODevice, @unchecked Sendable {
        // @unchecked: `device` is only reached inside `lock`.
        let device: any MachineDevice
        let lock = Mutex(())

        init(_ device: any MachineDevice) { self.device = device }

        func mmioRead(offset: UInt64, size: Int) -> UInt64 {
            lock.withLock { _ in device.mmioRead(offset: offset, size: size) }
        }

        func mmioWrite(offset: UInt64, size: Int, value: UInt64) {
            lock.withLock { _ in device.mmioWrite(offset: offset, size: size, value: value) }
        }

        /// Runs `body` on the device with its lock held.
        func withDevice(_ body: (any MachineDevice) throws(MachineError) -> Void) throws(MachineError) {
            try lock.withLock { (_) throws(MachineError) in try body(device) }
        }
    }

    let slots: [Slot]
    private let bus: MMIOBus
    private let console: (slot: Slot, device: any ConsoleDevice)?
    private let unmapped = Mutex(UnmappedAccessLog())

    /// How many unmapped addresses the hub remembers (bounded by UnmappedAccessLog.limit; tests check).
    var unmappedAddressesRemembered: Int { unmapped.withLock { $0.seen.count } }

    /// Registers `devices` in this order (the order of their snapshot states and device-tree
    /// nodes). Refuses two devices of one kind and instance, and overlapping MMIO windows.
    init(_ devices: [any MachineDevice]) throws(MachineError) {
        var bus = MMIOBus()
        var slots: [Slot] = []
        var seen: Set<String> = []
        for device in devices {
            let key = "\(type(of: device).kind.tag)/\(device.instance)"
            guard seen.insert(key).inserted else {
                throw .deviceConflict("two devices are \(type(of: device).kind) instance \(device.instance)")
            }
            let slot = Slot(device)
            if let window = device.mmioWindow {
                do {
                    try bus.register(slot, at: window.lowerBound, size: UInt64(window.count), name: device.name)
                } catch {
                    throw .deviceConflict("\(error)")
                }
            }
            slots.append(slot)
        }
        self.bus = bus
        self.slots = slots
        console = slots.lazy.compactMap { slot in (slot.device as? any ConsoleDevice).map { (slot, $0) } }.first
    }

    /// What the devices add to the device tree, in registration order.
    var deviceTree: [DeviceTreeContribution] { slots.map(\.device.deviceTree) }

    /// Connects every device to the machine (after KVM's vGIC exists and any restore).
    /// Each device's doorbell handlers run with that device's lock held, so a handler on the I/O thread
    /// and the device's MMIO from a vCPU thread never run at once; and not at all while the context
    /// holds doorbells (a paused machine): a snapshot takes each device's state under the same lock
    /// after the pause, so no request completes between the device state and the guest RAM it writes.
    func attach(_ context: DeviceContext) throws(MachineError) {
        let hold = context.holdDoorbells
        for slot in slots {
            var own = context
            own.makeDoorbell = { (doorbell, handler) throws(MachineError) in
                try context.makeDoorbell(doorbell) {
                    slot.lock.withLock { _ in if !hold() { handler() } }
                }
            }
            try slot.withDevice { (device) throws(MachineError) in try device.attach(own) }
        }
    }

    /// An MMIO access from a vCPU. Unmapped: reads as zero, writes ignored; `report` says whether
    /// this access should be reported (the first few distinct addresses only, see UnmappedAccessLog).
    func access(
        address: UInt64, size: Int, isWrite: Bool, value: UInt64
    ) -> (value: UInt64, handled: Bool, report: UnmappedAccessLog.Report) {
        do {
            if isWrite {
                try bus.write(at: address, size: size, value: value)
                return (0, true, .none)
            }
            return (try bus.read(at: address, size: size), true, .none)
        } catch {
            return (0, false, unmapped.withLock { $0.record(address) })
        }
    }

    /// Bytes typed on the host console, for the console device. Returns how many were taken.
    func consoleInput(_ bytes: [UInt8]) -> Int {
        guard let console else { return 0 }
        return console.slot.lock.withLock { _ in console.device.enqueueInput(bytes) }
    }

    /// Room in the console device's input FIFO.
    var consoleInputSpace: Int {
        guard let console else { return 0 }
        return console.slot.lock.withLock { _ in console.device.inputSpace }
    }

    /// Every device's state, in registration order (taken while the vCPUs are paused).
    func saveStates() -> [DeviceState] {
        slots.map { slot in slot.lock.withLock { _ in slot.device.saveState() } }
    }

    /// Hands each device its state from a snapshot. Every registered device must find exactly its
    /// own state (kind and instance), and every state must find its device: a snapshot of a machine
    /// with other devices is refused, naming the device.
    func restoreStates(_ states: [DeviceState]) throws(MachineError) {
        var remaining = states
        for slot in slots {
            let kind = type(of: slot.device).kind
            guard
                let index = remaining.firstIndex(where: { $0.kind == kind.tag && $0.instance == slot.device.instance })
            else {
                throw .badSnapshot(
                    .inconsistent("it holds no state for \(slot.device.name), a \(kind) of this machine"))
            }
            let state = remaining.remove(at: index)
            try slot.withDevice { (device) throws(MachineError) in
                do throws(DeviceStateError) { try device.restoreState(state) } catch { throw .deviceState(error) }
            }
        }
        if let extra = remaining.first {
            throw .badSnapshot(
                .inconsistent(
                    "it holds state for device \(extra.label), which this vmmctl's machine does not have; "
                        + "restore it with the vmmctl that took it"))
        }
    }
}

/// Which unmapped MMIO addresses were reported. A guest polling one address reports it once; a guest
/// sweeping the address space gets `limit` reports and one notice, and the VMM keeps no more than
/// `limit` addresses whatever the guest does.
struct UnmappedAccessLog {
    enum Report: Equatable { case none, first, lastBeforeSilence }
    static let limit = 32
    private(set) var seen: Set<UInt64> = []

    mutating func record(_ address: UInt64) -> Report {
        guard seen.count < Self.limit, !seen.contains(address) else { return .none }
        seen.insert(address)
        return seen.count == Self.limit ? .lastBeforeSilence : .first
    }
}
