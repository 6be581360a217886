/// Encodes a `MachineState` as a snapshot state file and decodes it back (docs/snapshot-format.md).
///
/// Pure: bytes in, bytes out, no files and no KVM, so every path is testable on any host. Decoding
/// never traps: malformed input of any shape yields a `SnapshotError`.
public enum SnapshotCodec {
    /// Section versions this build writes and reads. Bump one whenever its payload layout or meaning
    /// changes. A `DEV ` section's version is its framing's; the device's state has its own version
    /// inside, which the device checks.
    static let machineVersion: UInt32 = 1
    static let counterVersion: UInt32 = 1
    static let vcpuVersion: UInt32 = 1
    static let gicVersion: UInt32 = 1
    static let memoryVersion: UInt32 = 1
    static let deviceVersion: UInt32 = 1
    static let mteTagsVersion: UInt32 = 1
    static let pmuVersion: UInt32 = 1
    static let itsVersion: UInt32 = 1
    static let baseVersion: UInt32 = 1
    /// The format-1 `UART` section (the PL011's state, instance 0), read for old snapshots.
    static let legacyUARTVersion: UInt32 = 1

    /// The state file for `state`: header, one section per component, END trailer.
    public static func encode(_ state: MachineState) -> [UInt8] {
        var writer = SnapshotContainerWriter()
        appendSections(of: state, to: &writer)
        return writer.finish()
    }

    /// Appends the sections for `state` (tests add foreign sections around them).
    static func appendSections(of state: MachineState, to writer: inout SnapshotContainerWriter) {
        writer.section(.machine, version: machineVersion, payload: encodeMachine(state.config))
        writer.section(.counter, version: counterVersion, payload: encodeCounter(state.counter))
        for vcpu in state.vcpus {
            writer.section(.vcpu, version: vcpuVersion, payload: encodeVCPU(vcpu))
        }
        writer.section(.gic, version: gicVersion, payload: encodeGIC(state.gic))
        // Mandatory when present: a reader that cannot restore the PMU must refuse the snapshot.
        if !state.pmu.isEmpty { writer.section(.pmu, version: pmuVersion, payload: encodePMU(state.pmu)) }
        // Mandatory too: a reader without an ITS would restore a machine whose MSIs go nowhere.
        if let its = state.its { writer.section(.its, version: itsVersion, payload: encodeITS(its)) }
        for device in state.devices {
            writer.section(.device, version: deviceVersion, payload: encodeDevice(device))
        }
        writer.section(.memory, version: memoryVersion, payload: encodeMemory(state.memory))
        if let tags = state.tags {
            writer.section(.mteTags, version: mteTagsVersion, payload: encodeTags(tags))
        }
        // Mandatory: without its base, an incremental snapshot's memory file is only part of guest RAM.
        if let base = state.base { writer.section(.base, version: baseVersion, payload: encodeBase(base)) }
    }

    /// Decodes and validates a state file.
    ///
    /// Checks, in order: magic, format version, framing and every checksum (so truncation and
    /// corruption are reported as such), architecture, then each section's version and fields.
    /// Unknown optional sections are skipped; unknown mandatory ones are an error.
    public static func decode(_ bytes: [UInt8]) throws(SnapshotError) -> MachineState {
        let container = try SnapshotContainer.parse(bytes)
        guard container.architecture == SnapshotFormat.architecture else {
            throw .otherArchitecture(found: container.architecture, supported: SnapshotFormat.architecture)
        }
        var parts = DecodedParts()
        for section in container.sections {
            try decode(section, of: container, into: &parts)
        }
        return try parts.assemble(formatVersion: container.formatVersion, endOffset: endOffset(container))
    }

    /// The version of `tag` this build reads, or nil for a tag it does not know.
    static func supportedVersion(of tag: SnapshotTag) -> UInt32? {
        switch tag {
        case .machine: return machineVersion
        case .counter: return counterVersion
        case .vcpu: return vcpuVersion
        case .gic: return gicVersion
        case .device: return deviceVersion
        case .uart: return legacyUARTVersion
        case .memory: return memoryVersion
        case .mteTags: return mteTagsVersion
        case .pmu: return pmuVersion
        case .its: return itsVersion
        case .base: return baseVersion
        default: return nil
        }
    }

    private static func decode(
        _ section: SnapshotSection, of container: SnapshotContainer, into parts: inout DecodedParts
    ) throws(SnapshotError) {
        guard let supported = supportedVersion(of: section.tag) else {
            if section.isOptional { return }
            throw .unknownSection(
                tag: section.tag.description, version: section.version, formatVersion: container.formatVersion,
                supportedFormat: SnapshotFormat.version)
        }
        guard section.version == supported else {
            if section.isOptional { return }
            throw .unsupportedSectionVersion(
                tag: section.tag.description, found: section.version, supported: supported)
        }
        var reader = container.reader(for: section)
        switch section.tag {
        case .machine: try parts.set(\.machine, decodeMachine(&reader), section)
        case .counter: try parts.set(\.counter, decodeCounter(&reader), section)
        case .vcpu: parts.vcpus.append(try decodeVCPU(&reader))
        case .gic: try parts.set(\.gic, decodeGIC(&reader), section)
        case .device: try parts.add(decodeDevice(&reader), section)
        case .uart: try parts.add(legacyUART(&reader, version: section.version), section)
        case .memory: try parts.set(\.memory, decodeMemory(&reader), section)
        case .mteTags: try parts.set(\.tags, decodeTags(&reader), section)
        case .pmu: try parts.set(\.pmu, decodePMU(&reader), section)
        case .its: try parts.set(\.its, decodeITS(&reader), section)
        case .base: try parts.set(\.base, decodeBase(&reader), section)
        default: return  // unreachable: supportedVersion(of:) knows exactly the tags above
        }
        guard reader.isAtEnd else {
            throw reader.malformed("\(reader.remaining) unexpected bytes after the last field")
        }
    }

    private static func endOffset(_ container: SnapshotContainer) -> Int {
        container.sections.last.map { $0.payload.upperBound + SnapshotFormat.sectionTrailerSize } ?? 0
    }
}

/// The sections decoded so far; `assemble` checks that every mandatory one was present.
private struct DecodedParts {
    var machine: MachineShape?
    var counter: CounterState?
    var vcpus: [VCPUState] = []
    var gic: GICState?
    var devices: [DeviceState] = []
    var memory: MemoryState?
    var tags: TagState?
    var pmu: [PMUState]?
    var its: ITSState?
    var base: BaseReference?

    /// Stores a section that may appear only once.
    mutating func set<T>(
        _ slot: WritableKeyPath<DecodedParts, T?>, _ value: T, _ section: SnapshotSection
    ) throws(SnapshotError) {
        guard self[keyPath: slot] == nil else {
            throw .malformed(section: section.name, offset: section.offset, reason: "appears more than once")
        }
        self[keyPath: slot] = value
    }

    /// Adds a device state; one device (kind and instance) may appear only once.
    mutating func add(_ device: DeviceState, _ section: SnapshotSection) throws(SnapshotError) {
        guard !devices.contains(where: { $0.kind == device.kind && $0.instance == device.instance }) else {
            throw .malformed(
                section: section.name, offset: section.offset, reason: "device \(device.label) appears more than once")
        }
        devices.append(device)
    }

    func assemble(formatVersion: UInt32, endOffset: Int) throws(SnapshotError) -> MachineState {
        func missing(_ tag: SnapshotTag) -> SnapshotError {
            .malformed(section: "file", offset: endOffset, reason: "the mandatory section '\(tag)' is missing")
        }
        guard let machine else { throw missing(.machine) }
        guard let counter else { throw missing(.counter) }
        guard let gic else { throw missing(.gic) }
        guard let memory else { throw missing(.memory) }
        guard vcpus.count == machine.vcpuCount else {
            throw .malformed(
                section: "file", offset: endOffset,
                reason: "the machine has \(machine.vcpuCount) vCPUs but \(vcpus.count) 'VCPU' sections")
        }
        var state = MachineState(
            config: machine, counter: counter, vcpus: vcpus, gic: gic, devices: devices, memory: memory)
        state.version = formatVersion
        state.tags = tags
        state.pmu = pmu ?? []
        state.its = its
        state.base = base
        return state
    }
}
