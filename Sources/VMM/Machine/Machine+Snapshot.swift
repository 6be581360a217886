import SysRegs

/// Capturing a paused machine's state, and building a machine from one.
extension Machine {
    /// The name of the guest RAM file inside a snapshot directory.
    public static let memoryFileName = "memory.bin"

    /// The guest RAM, for the snapshot writer (read while the machine is paused).
    public var guestMemory: GuestMemory { memory }

    /// Waits until the boot files are wholly in guest RAM (`GuestMemory.finishLoading`).
    public func finishLoading() { memory.finishLoading() }

    /// Reads everything KVM and the devices hold for this machine. Call while paused (`pause()`), so
    /// that every vCPU sits at an instruction boundary with pending MMIO completed. The memory checksum
    /// is left 0: the snapshot writer computes it while writing the memory file.
    public func captureState() throws(MachineError) -> MachineState {
        // The GIC's SAVE_PENDING_TABLES and the ITS's SAVE_TABLES below write into guest RAM: with the
        // memory file behind it truncated they fail with a bare EFAULT (the lab found this), so the
        // file is checked first and the error names it, as the memory writer's own check does.
        do { try memory.checkBacking() } catch { throw .snapshotFailed(.memorySource("\(error)")) }
        do {
            var vcpuStates: [VCPUState] = []
            for vcpu in vcpus { vcpuStates.append(try Self.capture(vcpu)) }
            // The physical counter, not CNTVCT_EL0: on an EL2 vCPU the virtual counter KVM reports includes
            // the guest hypervisor's CNTVOFF_EL2 (which a VHE guest hypervisor keeps loaded with its own
            // guest's offset), so it is not the VM's time base.
            let guestCounter = vcpuStates.first.flatMap { $0.value(of: SysReg.CNTPCT_EL0) } ?? 0
            let gicState = try gic.saveState(
                vcpus: vcpuStates.map { ($0.mpidr, $0.features.el2) })
            var state = MachineState(
                config: shape, counter: CounterState(offset: counterOffset.value, guestCounterAtPause: guestCounter),
                vcpus: vcpuStates, gic: gicState, devices: devices.saveStates(),
                memory: MemoryState(
                    guestAddress: config.layout.ramBase, size: config.memorySize, fileName: Self.memoryFileName,
                    checksum: 0))
            state.tags = tagState
            // After the GIC's SAVE_PENDING_TABLES (in saveState above), still before memory is written.
            state.its = try gic.its?.saveState()
            state.pmu = try vcpus.filter { $0.features?.pmu ?? false }.map { vcpu in
                PMUState(vcpuIndex: vcpu.id, overflowIRQ: try vcpu.pmuOverflowIRQ())
            }
            return state
        } catch let error as MachineError {
            throw error
        } catch {
            throw .kvm(error)
        }
    }

    static func capture(_ vcpu: VCPU) throws -> VCPUState {
        var entries: [RegisterEntry] = []
        for id in try vcpu.regList() {
            entries.append(RegisterEntry(id: id, name: RegisterTable.lookup(id).name, value: try vcpu.getOneReg(id)))
        }
        let mpidr = entries.first { $0.id == SysReg.MPIDR_EL1.id }?.value.u64 ?? 0
        return VCPUState(
            index: vcpu.id, mpidr: mpidr, features: vcpu.features ?? VCPUInitFeatures(), registers: entries,
            mpState: try vcpu.mpState().rawValue, events: try vcpu.events())
    }

    var shape: MachineShape {
        MachineShape(
            vcpuCount: config.vcpuCount, memorySize: config.memorySize, nested: config.nested, e2h0: config.e2h0,
            cmdline: config.cmdline, ramBase: config.layout.ramBase, uartBase: config.layout.uartBase,
            gicDistributorBase: config.layout.gicDistributorBase,
            gicRedistributorBase: config.layout.gicRedistributorBase)
    }

    /// Rebuilds a machine from a snapshot: guest RAM is the snapshot's memory file mapped privately
    /// (so restore time does not grow with guest memory; a nested guest's RAM is filled on demand
    /// instead, see `restoredMemory`), then KVM state is replayed in this order —
    /// VCPU_INIT with the saved features (in bringUp), the VM-wide counter offset, registers, vGIC,
    /// MP state and events, then devices. The machine is ready to `run()`.
    ///
    /// Why the counter offset comes first and CNTVCT_EL0/CNTPCT_EL0 are never written: KVM applies one
    /// VM-wide offset to both counters (api.rst 4.138); once it is set KVM ignores those writes, and for
    /// EL2 guests a per-vCPU CNTVCT write would land in the guest hypervisor's CNTVOFF_EL2, which we
    /// replay verbatim as the guest's own register (the nested-virtualisation restore pitfall).
    ///
    /// An incremental snapshot is restored with its `chain` (`SnapshotStore.readChain`, the full snapshot
    /// first, `state`'s own last): guest RAM is the full snapshot's memory file mapped as above, then each
    /// increment's pages are copied over it in order (`GuestMemory.applyOverlay`), which costs what the
    /// increments hold. `memoryFile` stays the top snapshot's (its MTE tags are beside it).
    public convenience init(
        restoring state: MachineState, memoryFile: String, chain: [SnapshotStore.ChainLayer] = [],
        kvmPath: String = "/dev/kvm",
        console: @escaping @Sendable (UInt8) -> Void, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(MachineError) {
        // Everything the snapshot says about itself is cross-checked before anything is built from it.
        do { try state.validate() } catch { throw .badSnapshot(error) }
        let config = Self.config(for: state, kvmPath: kvmPath)
        try config.validate()
        // The same devices a fresh boot of this shape registers, each given its own saved state
        // before KVM is touched (a snapshot of a machine with other devices is refused here).
        let hub = try DeviceHub(MachineDevices.restored(state.devices, layout: config.layout, console: console))
        try hub.restoreStates(state.devices)
        let tags = try Self.loadTags(state, memoryFile: memoryFile, kvmPath: kvmPath)
        // PMU vCPUs get the snapshot's overflow interrupt and PMU_V3_INIT in bringUp, after the vGIC's
        // CTRL_INIT and before restoreRegisters writes the PMU registers (INIT resets the counters).
        let pmuIRQs = state.vcpus.map { vcpu in
            state.pmu.first { $0.vcpuIndex == vcpu.index }?.overflowIRQ ?? Self.pmuOverflowIRQ
        }
        // The counter offset is checked with the rest, up front: missing, restore would fail half-way.
        let parts = try Self.bringUp(
            config, features: state.vcpus.map(\.features), pmuIRQs: pmuIRQs,
            sveVectorLengths: state.vcpus.map { vcpu in
                vcpu.registers.first { $0.id == SVEFinalizeStep.vectorLengthsID }?.value
            }, also: [.counterOffset],
            memory: { try Self.restoredMemory(state, memoryFile: memoryFile, chain: chain, warn: warn) })
        try Self.checkRegisterLists(parts.vcpus, state.vcpus)
        if let tags, let tagState = state.tags { try Self.restoreTags(tags, tagState, vm: parts.vm) }
        let offset: UInt64
        do {
            offset = try Self.restoreCounter(parts, state.counter)
            for (vcpu, saved) in zip(parts.vcpus, state.vcpus) { try Self.restoreRegisters(vcpu, saved) }
            try parts.gic.restoreState(state.gic)
            // The ITS after the redistributors (their LPI tables' bases), with guest RAM mapped, before
            // any vCPU runs (GICv3ITS.restoreState).
            if let its = state.its { try parts.gic.its?.restoreState(its) }
            for (vcpu, saved) in zip(parts.vcpus, state.vcpus) {
                try vcpu.setMPState(MPState(rawValue: saved.mpState))
                try vcpu.setEvents(saved.events)
            }
        } catch {
            throw .kvm(error)
        }
        let pc = state.vcpus[0].value(of: SysReg.PC) ?? 0
        try self.init(
            config: config, parts: parts, devices: hub, warn: warn, deviceTreeBlob: nil, entryPoint: pc,
            expectedDemoOutput: nil)
        counterOffset.value = offset
    }

    /// Guest RAM for a restore. A plain guest maps the memory file privately (pages read on first
    /// touch, copied on first write). A nested guest must not take copy-on-write faults under KVM (they
    /// unmap every shadow stage 2 of its guest hypervisor; docs/snapshot-format.md), so its RAM is
    /// filled on demand through a userfaultfd, or, where the host offers none, copied up front.
    static func restoredMemory(
        _ state: MachineState, memoryFile: String, chain: [SnapshotStore.ChainLayer],
        warn: @escaping @Sendable (String) -> Void
    ) throws -> GuestMemory {
        guard state.base == nil || chain.count > 1 else {
            throw MachineError.badSnapshot(
                .inconsistent("an incremental snapshot needs its chain to be restored (SnapshotStore.readChain)"))
        }
        guard chain.count > 1 else { return try baseMemory(state, memoryFile: memoryFile, warn: warn) }
        let memory = try baseMemory(state, memoryFile: chain[0].memoryFile, warn: warn)
        for layer in chain.dropFirst() {
            try memory.applyOverlay(
                layer.memoryFile, guestAddress: state.memory.guestAddress, size: Int(state.memory.size),
                ranges: layer.state.base?.byteRanges ?? [])
        }
        return memory
    }

    /// Guest RAM from one full memory file (`restoredMemory`).
    static func baseMemory(
        _ state: MachineState, memoryFile: String, warn: @escaping @Sendable (String) -> Void
    ) throws -> GuestMemory {
        let address = state.memory.guestAddress
        let size = Int(state.memory.size)
        // MTE: KVM takes only anonymous (or memfd) memory for a VM with tags, so the file is copied in
        // up front (GuestMemory+Copy.swift), before the tags are written back.
        if state.tags != nil { return try GuestMemory(copyingFile: memoryFile, guestAddress: address, size: size) }
        guard state.config.nested else {
            return try GuestMemory(mappingFile: memoryFile, guestAddress: address, size: size)
        }
        do {
            return try GuestMemory(lazilyLoading: memoryFile, guestAddress: address, size: size, onFailure: warn)
        } catch GuestMemoryError.lazyLoadingUnavailable(let reason) {
            warn("\(reason); copying the nested guest's RAM up front instead (restore takes longer)")
            return try GuestMemory(mappingFile: memoryFile, guestAddress: address, size: size, copyingUpFront: true)
        }
    }

    static func config(for state: MachineState, kvmPath: String) -> RunConfig {
        var layout = MachineLayout.standard
        layout.ramBase = state.config.ramBase
        layout.uartBase = state.config.uartBase
        layout.gicDistributorBase = state.config.gicDistributorBase
        layout.gicRedistributorBase = state.config.gicRedistributorBase
        var config = RunConfig(
            payload: .restored, cmdline: state.config.cmdline, vcpuCount: state.config.vcpuCount,
            memorySize: state.config.memorySize, nested: state.config.nested, e2h0: state.config.e2h0,
            mte: state.tags != nil, kvmPath: kvmPath, layout: layout)
        config.pmu = state.vcpus.first?.features.pmu == true ? .on : .off
        config.sve = state.vcpus.first?.features.sve == true ? .on : .off
        if let its = state.its {
            config.its = .on
            config.layout.gicITSBase = its.base
        }
        return config
    }

    /// Refuses a host whose vCPUs list other registers than the snapshot's, naming exactly which.
    static func checkRegisterLists(_ vcpus: [VCPU], _ saved: [VCPUState]) throws(MachineError) {
        for (vcpu, state) in zip(vcpus, saved) {
            let host: Set<OneRegID>
            do { host = Set(try vcpu.regList()) } catch { throw .kvm(error) }
            let snap = Set(state.registers.map(\.id))
            let missing = state.registers.filter { !host.contains($0.id) }.map(\.name)
            let extra = host.subtracting(snap).sorted().map { RegisterTable.lookup($0).name }
            guard missing.isEmpty && extra.isEmpty else {
                var parts: [String] = []
                if !missing.isEmpty { parts.append("missing on this host: \(missing.joined(separator: ", "))") }
                if !extra.isEmpty { parts.append("not in the snapshot: \(extra.joined(separator: ", "))") }
                throw .hostUnsupported(
                    "vCPU \(state.index)'s registers differ from the snapshot's (\(parts.joined(separator: "; "))); "
                        + "restore on a host with the same kernel and CPU features, or boot afresh")
            }
        }
    }

    /// Sets the VM-wide counter offset so the guest's counters resume where they were paused: offset 0
    /// first, read the host counter through vCPU 0's CNTPCT_EL0, then offset = host - guest-at-pause.
    static func restoreCounter(_ parts: Parts, _ counter: CounterState) throws -> UInt64 {
        try parts.vm.setCounterOffset(0)
        let hostNow = try parts.vcpus[0].getOneReg(SysReg.CNTPCT_EL0)
        let offset = hostNow &- counter.guestCounterAtPause
        try parts.vm.setCounterOffset(offset)
        return offset
    }

    /// Writes every saved register except the two counters (owned by the VM-wide offset).
    /// Writes every saved register but the counters (the VM-wide offset restores them) and
    /// KVM_REG_ARM64_SVE_VLS, which `SVEFinalizeStep` wrote before FINALIZE (KVM refuses it after).
    static func restoreRegisters(_ vcpu: VCPU, _ saved: VCPUState) throws {
        let skipped: Set<OneRegID> = [SysReg.CNTVCT_EL0.id, SysReg.CNTPCT_EL0.id, SVEFinalizeStep.vectorLengthsID]
        for entry in saved.registers where !skipped.contains(entry.id) {
            try vcpu.setOneReg(entry.id, entry.value)
        }
    }
}

/// The VM-wide counter offset in force (KVM has no getter), shared across threads.
final class CounterOffsetBox: @unchecked Sendable {
    // @unchecked: written once during init/restore, before any other thread exists.
    var value: UInt64 = 0
}
