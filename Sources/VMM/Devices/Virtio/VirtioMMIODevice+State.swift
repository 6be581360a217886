/// A virtio-mmio device's snapshot state: the transport's registers and rings, and what its backend
/// needs to be rebuilt (docs/snapshot-format.md, device `VIRT`).
///
/// Capture needs no extra quiescing: requests are served synchronously inside the doorbell handler,
/// which runs under this device's lock, and capture takes the same lock. So a captured state never
/// has a request half done: every chain taken from the available ring is already in the used ring.
extension VirtioMMIODevice {
    /// Bump `currentVersion` on any change to the fields or their meaning.
    public struct State: Hashable, Sendable {
        public static let currentVersion: UInt32 = 1

        /// The backend's device ID (§5), so a restore builds the right backend.
        public var deviceID: UInt32
        /// The backend's own state (`VirtioBlock.State`, ... encoded).
        public var backend: [UInt8]
        public var status: UInt32
        public var deviceFeaturesSel: UInt32
        public var driverFeaturesSel: UInt32
        public var driverFeatures: UInt64
        public var queueSel: UInt32
        public var interruptStatus: UInt32
        public var configGeneration: UInt32
        public var shmSel: UInt32
        public var queues: [Virtqueue]
    }

    public var state: State {
        let t = transport
        return State(
            deviceID: backend.deviceID, backend: (backend as? any VirtioSnapshotBackend)?.backendState() ?? [],
            status: t.status, deviceFeaturesSel: t.deviceFeaturesSel, driverFeaturesSel: t.driverFeaturesSel,
            driverFeatures: t.driverFeatures, queueSel: t.queueSel, interruptStatus: t.interruptStatus,
            configGeneration: t.configGeneration, shmSel: t.shmSel, queues: t.queues)
    }

    public func saveState() -> DeviceState {
        DeviceState(kind: Self.kind.tag, instance: instance, version: State.currentVersion, payload: state.encoded())
    }

    /// Puts the transport state back (the backend was rebuilt from the same state by
    /// `VirtioMMIODevice.restoring`). The line is re-driven in `attach`.
    public func restoreState(_ saved: DeviceState) throws(DeviceStateError) {
        let s = try State(decoding: saved.payload, version: saved.version)
        guard s.deviceID == backend.deviceID else {
            throw .invalid(device: name, reason: "device ID \(s.deviceID), this slot holds \(backend.deviceID)")
        }
        guard s.queues.count == backend.queueCount else {
            throw .invalid(device: name, reason: "\(s.queues.count) queues, \(backend.name) has \(backend.queueCount)")
        }
        for (index, q) in s.queues.enumerated() where q.ready {
            guard q.size > 0, q.size <= Virtqueue.maximumSize, q.size & (q.size - 1) == 0 else {
                throw .invalid(device: name, reason: "queue \(index) is ready with size \(q.size)")
            }
        }
        let t = transport
        (t.status, t.deviceFeaturesSel, t.driverFeaturesSel, t.driverFeatures) =
            (s.status, s.deviceFeaturesSel, s.driverFeaturesSel, s.driverFeatures)
        (t.queueSel, t.interruptStatus, t.configGeneration, t.shmSel, t.queues) =
            (s.queueSel, s.interruptStatus, s.configGeneration, s.shmSel, s.queues)
    }
}

/// A backend with state of its own to carry in the snapshot (the block device's image path).
public protocol VirtioSnapshotBackend: VirtioBackend {
    func backendState() -> [UInt8]
}

extension VirtioMMIODevice.State {
    /// The encoding: device ID u32, backend state (count u32 + bytes), eight u32/u64 transport
    /// registers, then per queue: size u16, ready u8, desc u64, driver u64, device u64, last avail u16,
    /// used idx u16.
    func encoded() -> [UInt8] {
        var out = SnapshotByteWriter()
        out.u32(deviceID)
        out.count(backend.count)
        out.raw(backend)
        out.u32(status)
        out.u32(deviceFeaturesSel)
        out.u32(driverFeaturesSel)
        out.u64(driverFeatures)
        out.u32(queueSel)
        out.u32(interruptStatus)
        out.u32(configGeneration)
        out.u32(shmSel)
        out.count(queues.count)
        for q in queues {
            out.u16(q.size)
            out.bool(q.ready)
            out.u64(q.descriptorTable)
            out.u64(q.driverArea)
            out.u64(q.deviceArea)
            out.u16(q.lastAvailIndex)
            out.u16(q.usedIndex)
        }
        return out.bytes
    }

    init(decoding bytes: [UInt8], version: UInt32) throws(DeviceStateError) {
        guard version == Self.currentVersion else {
            throw .unsupportedVersion(device: "virtio-mmio", found: version, supported: Self.currentVersion)
        }
        var r = SnapshotByteReader(bytes, context: "virtio-mmio state", endIsTruncation: false)
        do throws(SnapshotError) {
            let deviceID = try r.u32("device ID")
            let backend = Array(try r.raw(try r.count("backend state length", minimumSize: 1), "backend state"))
            let status = try r.u32("Status")
            let deviceFeaturesSel = try r.u32("DeviceFeaturesSel")
            let driverFeaturesSel = try r.u32("DriverFeaturesSel")
            let driverFeatures = try r.u64("DriverFeatures")
            let queueSel = try r.u32("QueueSel")
            let interruptStatus = try r.u32("InterruptStatus")
            let configGeneration = try r.u32("ConfigGeneration")
            let shmSel = try r.u32("SHMSel")
            let count = try r.count("queue count", minimumSize: 31)
            var queues: [Virtqueue] = []
            for _ in 0..<count {
                var q = Virtqueue()
                q.size = try r.u16("QueueNum")
                q.ready = try r.bool("QueueReady")
                q.descriptorTable = try r.u64("QueueDesc")
                q.driverArea = try r.u64("QueueDriver")
                q.deviceArea = try r.u64("QueueDevice")
                q.lastAvailIndex = try r.u16("last available index")
                q.usedIndex = try r.u16("used index")
                queues.append(q)
            }
            guard r.isAtEnd else { throw r.malformed("\(r.remaining) unexpected bytes after the queues") }
            self.init(
                deviceID: deviceID, backend: backend, status: status, deviceFeaturesSel: deviceFeaturesSel,
                driverFeaturesSel: driverFeaturesSel, driverFeatures: driverFeatures, queueSel: queueSel,
                interruptStatus: interruptStatus, configGeneration: configGeneration, shmSel: shmSel, queues: queues)
        } catch {
            throw .invalid(device: "virtio-mmio", reason: "\(error)")
        }
    }
}

extension VirtioMMIODevice {
    /// The backend a saved state describes, rebuilt: a block device reopens and relocks its image
    /// (refusing one that is missing or changed size, naming it), an entropy device needs nothing.
    public static func backend(restoring state: State) throws(MachineError) -> any VirtioBackend {
        switch state.deviceID {
        case VirtioMMIO.DeviceID.block:
            let saved: VirtioBlock.State
            do { saved = try VirtioBlock.State(decoding: state.backend) } catch { throw .deviceState(error) }
            do { return try VirtioBlock(restoring: saved) } catch { throw .disk(error) }
        case VirtioMMIO.DeviceID.entropy:
            return VirtioEntropy()
        default:
            throw .deviceState(
                .invalid(device: "virtio-mmio", reason: "device ID \(state.deviceID) is not one this vmmctl has"))
        }
    }
}
