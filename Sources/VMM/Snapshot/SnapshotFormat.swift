/// Constants of the snapshot container (docs/snapshot-format.md).
public enum SnapshotFormat {
    /// The first eight bytes of every snapshot state file.
    public static let magic: [UInt8] = Array("VMMCTLSS".utf8)
    /// The container format this build writes and the newest it reads. It versions the framing and
    /// the set of mandatory sections; it equals `MachineState.currentVersion`.
    public static let version: UInt32 = MachineState.currentVersion
    /// The architecture string this build writes and accepts.
    public static let architecture = "aarch64"
    /// Section flag bit 0: a reader that does not know the section's tag (or its version) skips it
    /// instead of failing. Writers set it on sections a restore can do without.
    public static let optionalFlag: UInt32 = 1 << 0
    /// Every flag bit this build knows.
    static let knownFlags: UInt32 = optionalFlag
    /// tag, flags, version, payload length.
    static let sectionHeaderSize = 4 + 4 + 4 + 8
    /// The CRC-32C after each payload.
    static let sectionTrailerSize = 4
}

/// A section tag: four printable ASCII characters, such as `VCPU`.
public struct SnapshotTag: Hashable, Sendable, CustomStringConvertible {
    /// The four bytes as they appear in the file.
    public let bytes: [UInt8]

    /// The tag spelled by four ASCII characters; nil for anything else.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 4, utf8.allSatisfy(Self.isPrintable) else { return nil }
        bytes = utf8
    }

    /// The tag in `bytes`, which must be four printable ASCII bytes; nil otherwise.
    init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4, bytes.allSatisfy(Self.isPrintable) else { return nil }
        self.bytes = Array(bytes)
    }

    /// The tag as text; always four characters.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    private static func isPrintable(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F }

    /// The machine's shape (MachineShape).
    public static let machine = SnapshotTag("MACH")!
    /// The counter offset and the guest counter at pause (CounterState).
    public static let counter = SnapshotTag("CNTR")!
    /// One vCPU (VCPUState); one section per vCPU, in vCPU order.
    public static let vcpu = SnapshotTag("VCPU")!
    /// The in-kernel vGICv3 (GICState).
    public static let gic = SnapshotTag("GIC3")!
    /// One device's state (DeviceState): kind, instance, the state's own version and payload; one
    /// section per registered device, in registration order.
    public static let device = SnapshotTag("DEV ")!
    /// Format 1's PL011 section (PL011.State, version = the state's version); read, never written.
    public static let uart = SnapshotTag("UART")!
    /// Guest RAM: address, size, memory file name and checksum (MemoryState).
    public static let memory = SnapshotTag("MEM ")!
    /// MTE allocation tags: the tag file's name, coverage and checksum (TagState); mandatory where
    /// present, one at most.
    public static let mteTags = SnapshotTag("MTE ")!
    /// The vCPUs' PMU overflow interrupts (`PMUState`); only in snapshots of PMU vCPUs.
    public static let pmu = SnapshotTag("PMU ")!
    /// The GICv3 ITS: its frame base and GITS_* registers (`ITSState`); only in snapshots of machines
    /// with an ITS, mandatory where present.
    public static let its = SnapshotTag("ITS ")!
    /// What an incremental snapshot extends and which pages it holds (`BaseReference`); mandatory
    /// where present, one at most, only in incremental snapshots.
    public static let base = SnapshotTag("BASE")!
    /// The trailer: the file's length and a CRC-32C over everything before it.
    public static let end = SnapshotTag("END ")!
}
