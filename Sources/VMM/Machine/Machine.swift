import Synchronization
import SysRegs

/// A booted-but-not-yet-running virtual machine: KVM VM, guest RAM, in-kernel vGICv3, vCPUs, the PL011
/// on the MMIO bus, and the guest loaded into RAM with vCPU 0 pointing at it.
///
/// Bring-up order (lab-proven; docs/testing.md, "Gotchas"): VM, memory slot, vGICv3 and its addresses, vCPUs,
/// VCPU_INIT on each, the maintenance interrupt (PPI 9) for EL2 vCPUs, vGIC CTRL_INIT, then registers.
/// An EL2 vCPU does not run without an initialised in-kernel vGICv3 (KVM_RUN fails EAGAIN/EBUSY).
///
/// `@unchecked Sendable`: after `init`, the shared mutable state (run state, devices) is behind locks,
/// and each VCPU is driven by exactly one thread.
public final class Machine: @unchecked Sendable {
    /// The configuration it was built from, without the guest image bytes (`RunConfig.withoutImageBytes`).
    public let config: RunConfig
    let vm: VirtualMachine
    let memory: GuestMemory
    let gic: GICv3
    let vcpus: [VCPU]
    let devices: DeviceHub
    /// The device tree given to the guest (Linux boots only).
    public let deviceTreeBlob: [UInt8]?
    /// Where vCPU 0 starts.
    public let entryPoint: UInt64
    /// For the demo guest, the text it is expected to print.
    public let expectedDemoOutput: String?
    /// The VM-wide counter offset we set (0 for a fresh boot; computed on restore).
    let counterOffset = CounterOffsetBox()
    /// How the run is going; shared by the vCPU threads and their controllers.
    let gate = RunGate()
    /// Called once on vCPU 0's thread just before its first KVM_RUN (`VMMCTL_TIMING` start-up reports).
    /// Set before `run()`: the vCPU threads it starts see it.
    public var beforeFirstRun: (@Sendable () -> Void)?
    /// Where non-fatal guest problems (unhandled MMIO) are reported.
    let warn: @Sendable (String) -> Void
    /// Where device work runs off the vCPU threads (doorbell handlers); started when a device first
    /// asks for a doorbell, stopped when the machine goes away.
    let ioThread: IOThread
    /// The eventfds behind the doorbells devices registered, kept alive with the machine.
    let doorbells = DoorbellBox()
    /// Guest RAM's dirty log: its memory slot and the tracker (Machine+DirtyLog.swift).
    let dirtyLog: DirtyLogSlot
    /// The snapshot the dirty tracker's current generation starts at (Machine+DirtyLog.swift).
    let latestSnapshot = LatestSnapshotBox()

    /// The KVM side of a machine, built in the lab-proven order.
    struct Parts {
        var vm: VirtualMachine
        var memory: GuestMemory
        var gic: GICv3
        var vcpus: [VCPU]
        var dirtyLog: DirtyLogSlot
    }

    /// Builds the machine and loads the guest. `console` receives the guest's UART output, `warn`
    /// non-fatal problems such as an access to an address where no device is.
    public convenience init(
        _ config: RunConfig, console: @escaping @Sendable (UInt8) -> Void,
        warn: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(MachineError) {
        try self.init(config, console: console, warn: warn, adding: [])
    }

    /// The machine with `extra` devices registered after the standard ones (tests register devices
    /// of their own this way).
    convenience init(
        _ config: RunConfig, console: @escaping @Sendable (UInt8) -> Void, warn: @escaping @Sendable (String) -> Void,
        adding extra: [any MachineDevice]
    ) throws(MachineError) {
        try config.validate()
        PhaseTrace.mark("validate config")
        let config = try config.resolvingFeatures(on: HostCapabilities.probe(path: config.kvmPath))
        PhaseTrace.mark("probe host capabilities")
        let hub = try DeviceHub(MachineDevices.standard(config: config, console: console) + extra)
        PhaseTrace.mark("devices")
        // Everything about the guest images is checked before KVM is touched.
        let prepared = try Self.prepare(config, devices: hub.deviceTree)
        PhaseTrace.mark("prepare guest (header, placement, device tree)")
        let parts = try Self.bringUp(
            config, features: (0..<config.vcpuCount).map(config.features(forVCPU:)),
            memory: { try GuestMemory(guestAddress: config.layout.ramBase, size: Int(config.memorySize)) })
        // MTE guests get their files read now, as an MTE restore copies its RAM eagerly: vmmctl does
        // not rely on UFFDIO_COPY into memory mapped with PROT_MTE.
        _ = try Self.load(prepared, into: parts.memory, streaming: !config.mte, warn: warn)
        do {
            // Own the VM-wide counter offset from the start (0: the guest's virtual and physical counters
            // both read the host counter). KVM's default gives the virtual counter an offset but not the
            // physical one; a restore can only set one offset for both, so a guest hypervisor at EL2,
            // which runs on the physical counter and the EL2 timers, would see its time jump backwards.
            if try parts.vm.checkExtension(.counterOffset) > 0 { try parts.vm.setCounterOffset(0) }
            try Self.setBootRegisters(parts.vcpus[0], entry: prepared.entry, pstate: prepared.pstate, x0: prepared.x0)
        } catch {
            throw .kvm(error)
        }
        PhaseTrace.mark("counter offset, boot registers")
        try self.init(
            config: config.withoutImageBytes, parts: parts, devices: hub, warn: warn, deviceTreeBlob: prepared.dtb,
            entryPoint: prepared.entry, expectedDemoOutput: prepared.expectedOutput)
        PhaseTrace.mark("attach devices")
    }

    /// Takes over the KVM parts and the devices, and attaches the devices (their interrupt lines
    /// become resampling irqfds on the vGIC, or KVM_IRQ_LINE without them: `interruptLine`; a
    /// restored device re-drives its line here).
    init(
        config: RunConfig, parts: Parts, devices: DeviceHub, warn: @escaping @Sendable (String) -> Void,
        deviceTreeBlob: [UInt8]?, entryPoint: UInt64, expectedDemoOutput: String?
    ) throws(MachineError) {
        self.config = config
        self.warn = warn
        vm = parts.vm
        memory = parts.memory
        gic = parts.gic
        vcpus = parts.vcpus
        dirtyLog = parts.dirtyLog
        self.devices = devices
        self.deviceTreeBlob = deviceTreeBlob
        self.entryPoint = entryPoint
        self.expectedDemoOutput = expectedDemoOutput
        do { ioThread = try IOThread(name: "vmmctl I/O") } catch { throw .kvm(error) }
        let vm = parts.vm
        let (ioThread, doorbells, gate) = (ioThread, doorbells, gate)
        var context = DeviceContext(
            memory: parts.memory, warn: warn,
            interrupt: { spi in Self.interruptLine(spi: spi, vm: vm, ioThread: ioThread, warn: warn) },
            doorbell: { (doorbell, handler) throws(MachineError) in
                try Self.ring(doorbell, handler, vm: vm, ioThread: ioThread, keep: doorbells)
            })
        context.holdDoorbells = { gate.isPaused }
        try devices.attach(context)
    }

    deinit { ioThread.stop() }

    /// A doorbell: an eventfd KVM signals on the guest's write (KVM_IOEVENTFD), watched by the I/O thread.
    static func ring(
        _ doorbell: Doorbell, _ handler: @escaping @Sendable () -> Void, vm: VirtualMachine, ioThread: IOThread,
        keep: DoorbellBox
    ) throws(MachineError) {
        do {
            let event = try EventFD(name: doorbell.name)
            try ioThread.register(event, name: doorbell.name, handler: handler)
            do {
                try vm.registerIOEventFD(
                    event, address: doorbell.address, length: doorbell.length, datamatch: doorbell.datamatch)
            } catch {
                try? ioThread.unregister(event)  // nothing will signal it; the registration error is the news
                throw error
            }
            try ioThread.start()
            keep.events.append(event)
        } catch {
            throw .kvm(error)
        }
    }

    /// VM, memory slot, vGICv3 and its addresses, vCPUs with VCPU_INIT and their setup steps, the
    /// maintenance interrupt for EL2 vCPUs, vGIC CTRL_INIT, the steps that need the vGIC. `memory`
    /// makes the guest RAM (fresh, or a snapshot's file mapped). A restore runs exactly this too.
    static func bringUp(
        _ config: RunConfig, features: [VCPUInitFeatures], pmuIRQs: [UInt32]? = nil,
        sveVectorLengths: [RegisterValue?]? = nil, also extra: [KVMCapability] = [],
        memory makeMemory: () throws -> GuestMemory
    ) throws(MachineError) -> Parts {
        let layout = config.layout
        do {
            let system = try KVMSystem(path: config.kvmPath)
            try system.require((features.first?.requiredCapabilities ?? []) + extra)
            try Self.checkVCPUCount(system, features.count)
            let vm = try system.createVM(ipaBits: try Self.ipaBits(config, system))
            if config.mte { try Self.enableMTE(system, vm) }
            try Self.reportAbortsWithoutSyndrome(system, vm)
            PhaseTrace.mark("open /dev/kvm, create VM")
            let memory = try makeMemory()
            PhaseTrace.mark("guest RAM mapping")
            // Dirty logging from the start, so that any snapshot can be the base of an incremental one.
            let dirtyLog = try Self.mapLoggingDirtyPages(memory, vm: vm, mte: config.mte)
            PhaseTrace.mark("memory slot with dirty logging")
            let gic = try GICv3(
                vm: vm,
                layout: GICv3.Layout(
                    distributorBase: layout.gicDistributorBase, redistributorBase: layout.gicRedistributorBase))
            if config.its == .on { try Self.addITS(to: gic, vm: vm, base: layout.gicITSBase) }
            PhaseTrace.mark("vGICv3 and ITS devices")
            var vcpus: [VCPU] = []
            let steps = features.indices.map { index in
                Self.setupSteps(
                    for: features[index], pmuIRQ: pmuIRQs?[index] ?? Self.pmuOverflowIRQ,
                    sveVectorLengths: sveVectorLengths?[index] ?? nil)
            }
            for (index, f) in features.enumerated() {
                let vcpu = try vm.createVCPU(id: index)
                PhaseTrace.mark("vCPU \(index): KVM_CREATE_VCPU")
                try vcpu.initialize(features: f)
                PhaseTrace.mark("vCPU \(index): KVM_ARM_VCPU_INIT")
                if config.mte && f.el2 && index == 0 { try Self.checkMTEVisible(vcpu) }
                for step in steps[index] { try step.afterInit(vcpu) }
                PhaseTrace.mark("vCPU \(index): setup steps")
                vcpus.append(vcpu)
            }
            if features.contains(where: \.el2) { try gic.setMaintenanceInterrupt() }
            try gic.initialize()
            PhaseTrace.mark("vGIC CTRL_INIT")
            for (vcpu, vcpuSteps) in zip(vcpus, steps) {
                for step in vcpuSteps { try step.afterGICInit(vcpu) }
            }
            PhaseTrace.mark("vCPU steps after the vGIC")
            return Parts(vm: vm, memory: memory, gic: gic, vcpus: vcpus, dirtyLog: dirtyLog)
        } catch let error as MachineError {
            throw error
        } catch {
            throw .kvm(error)
        }
    }

    /// Gives `gic` its ITS, refusing a host without one in the machine's terms (a fresh boot was already
    /// refused by `resolvingFeatures`; this is a snapshot's ITS on a host that lacks it).
    static func addITS(to gic: GICv3, vm: VirtualMachine, base: UInt64) throws {
        guard try GICv3ITS.available(on: vm) else {
            throw MachineError.hostUnsupported(
                "the machine has a GICv3 ITS, which this host's KVM cannot create (KVM_DEV_TYPE_ARM_VGIC_ITS); "
                    + "restore it on a host whose KVM offers one (vmmctl check), or boot afresh")
        }
        try gic.addITS(base: base)
    }

    /// The IPA size to ask KVM_CREATE_VM for: nil (KVM's default 40 bits) when that suffices, else what
    /// the RAM needs, refused up front if the host's KVM_CAP_ARM_VM_IPA_SIZE is smaller (api.rst,
    /// KVM_CREATE_VM: "the IPA size"; without it the failure would be a raw memory-slot error).
    static func ipaBits(_ config: RunConfig, _ system: KVMSystem) throws -> Int? {
        let needed = config.ipaBitsNeeded
        guard needed > 40 else { return nil }
        let hostBits = Int((try? system.checkExtension(.vmIPASize)) ?? 0)
        guard needed <= max(hostBits, 40) else {
            throw MachineError.invalidConfig(
                .beyondIPALimit(end: config.layout.ramBase &+ config.memorySize, bits: max(hostBits, 40), host: true))
        }
        return needed
    }

    static func checkVCPUCount(_ system: KVMSystem, _ count: Int) throws {
        let max = Int(try system.checkExtension(.maxVCPUs))
        if max > 0 && count > max {
            throw MachineError.invalidConfig(.hostVCPULimit(requested: count, maximum: max))
        }
    }

    /// Sets PC, PSTATE and X0..X3 of the boot vCPU (arm64 boot protocol: x0 = DTB, x1..x3 = 0).
    static func setBootRegisters(_ vcpu: VCPU, entry: UInt64, pstate: UInt64?, x0: UInt64) throws {
        try vcpu.setOneReg(SysReg.PC, entry)
        try vcpu.setOneReg(SysReg.X0, x0)
        for x in [SysReg.X1, .X2, .X3] { try vcpu.setOneReg(x, 0) }
        if let pstate { try vcpu.setOneReg(SysReg.PSTATE, pstate) }
    }
}

extension Machine {
    struct Loaded {
        var entry: UInt64
        var pstate: UInt64?
        var x0: UInt64
        var dtb: [UInt8]?
        var expectedOutput: String?
        /// What goes where in guest RAM.
        var pieces: [(what: String, bytes: [UInt8], address: UInt64)]
        /// Files read straight into guest RAM (`RunConfig.Payload.linuxFiles`).
        var files: [BootFile] = []
    }

    /// Checks and places the guest without touching KVM: a Linux Image with its DTB and initrd per the
    /// arm64 boot protocol, or the built-in demo program.
    static func prepare(_ config: RunConfig, devices: [DeviceTreeContribution]) throws(MachineError) -> Loaded {
        let layout = config.layout
        switch config.payload {
        case .demo, .uartFlood, .smpCounters, .virtioScript, .atProbe, .mteTags:
            let program: GuestProgram
            do {
                if case .virtioScript(let script) = config.payload {
                    program = try DemoGuest.virtioScript(
                        script, uartBase: layout.uartBase, loadAddress: layout.ramBase, hasEL2: config.nested)
                } else if case .atProbe = config.payload {
                    program = try DemoGuest.atProbe(
                        uartBase: layout.uartBase, loadAddress: layout.ramBase, ramBase: layout.ramBase,
                        ramSize: config.memorySize, level: config.nested ? .el2(e2h: !config.e2h0) : .el1)
                } else if case .mteTags = config.payload {
                    program = try DemoGuest.mte(uartBase: layout.uartBase, loadAddress: layout.ramBase)
                } else if case .smpCounters(let started, let spin) = config.payload {
                    program = try DemoGuest.smpCounters(
                        loadAddress: layout.ramBase, vcpuCount: config.vcpuCount, startedVCPUs: started, spin: spin,
                        hasEL2: config.nested)
                } else if case .uartFlood(let count, let spin, let touch, let dirty) = config.payload {
                    for bytes in [touch, dirty]
                    where bytes > config.memorySize - DemoGuest.touchOffset || bytes % 4096 != 0 {
                        throw DemoGuestError.touchOutsideRAM(touch: bytes, memorySize: config.memorySize)
                    }
                    program = try DemoGuest.uartFlood(
                        uartBase: layout.uartBase, loadAddress: layout.ramBase, count: count, spin: spin,
                        hasEL2: config.nested, touch: touch, dirty: dirty)
                } else {
                    program =
                        config.nested
                        ? try DemoGuest.nested(
                            uartBase: layout.uartBase, loadAddress: layout.ramBase, ramBase: layout.ramBase,
                            ramSize: config.memorySize)
                        : try DemoGuest.el1(uartBase: layout.uartBase, loadAddress: layout.ramBase)
                }
            } catch {
                throw .badGuest("\(error)")
            }
            return Loaded(
                entry: program.entryPoint, pstate: program.entryPSTATE, x0: 0, dtb: nil,
                expectedOutput: program.expectedOutput,
                pieces: [("demo guest", program.bytes, program.loadAddress)])
        case .restored:
            throw .badGuest("nothing to load: a snapshot's machine is built with Machine(restoring:)")
        case .linux(let image, let initrd):
            let (placement, dtb) = try prepareLinux(
                config, image: image, initrdSize: initrd.map(\.count), devices: devices)
            let what = (try? KernelFile(image))?.what ?? "kernel image"
            var pieces = [(what, image, placement.kernelAddress), ("device tree", dtb, placement.dtbAddress)]
            if let initrd, let range = placement.initrd { pieces.append(("initrd", initrd, range.lowerBound)) }
            return Loaded(
                entry: placement.kernelAddress, pstate: nil, x0: placement.dtbAddress, dtb: dtb, pieces: pieces)
        case .linuxFiles(let kernel, let initrd):
            return try prepareLinuxFiles(config, kernel: kernel, initrd: initrd, devices: devices)
        }
    }

    /// Copies the prepared pieces into guest RAM, and streams the files in (`GuestMemory.stream`),
    /// or reads them now where they cannot be streamed or `streaming` is false.
    static func load(
        _ prepared: Loaded, into memory: GuestMemory, streaming: Bool, warn: @escaping @Sendable (String) -> Void
    ) throws(MachineError) -> Loaded {
        for piece in prepared.pieces {
            try write(piece.bytes, at: piece.address, memory, what: piece.what)
        }
        PhaseTrace.mark("load built pieces (demo program or device tree)")
        for file in prepared.files {
            let streamed = try file.load(into: memory, streaming: streaming, onFailure: warn)
            PhaseTrace.mark("load \(file.what) (\(file.size) bytes\(streamed ? ", streamed in" : ""))")
        }
        return prepared
    }

    /// Validates the kernel file (an Image, or a raw payload: `KernelFile`), places it, the DTB and the
    /// initrd in RAM and generates the device tree. Both are entered at their load address with x0 = the
    /// DTB and KVM's reset PSTATE (EL1h, or EL2h for a `--nested` vCPU, with D, A, I and F masked), which is
    /// what booting.rst asks for and what a bare-metal payload expects on QEMU's `virt`.
    static func prepareLinux(
        _ config: RunConfig, image: [UInt8], initrdSize: Int?, devices: [DeviceTreeContribution]
    ) throws(MachineError)
        -> (BootPlacement, [UInt8])
    {
        let kernel: KernelFile
        do { kernel = try KernelFile(image) } catch { throw .badGuest("\(error)") }
        return try prepareLinux(config, kernel: kernel, initrdSize: initrdSize, devices: devices)
    }

    /// Places a validated kernel (Image or raw payload), DTB and initrd in RAM and generates the device tree.
    static func prepareLinux(
        _ config: RunConfig, kernel: KernelFile, initrdSize: Int?, devices: [DeviceTreeContribution]
    ) throws(MachineError) -> (BootPlacement, [UInt8]) {
        do {
            let ram = config.layout.ram(size: config.memorySize)
            let initrdBytes = initrdSize.map(UInt64.init)
            let placement: BootPlacement
            switch kernel {
            case .image(let kernel):
                placement = try BootPlacement.plan(kernel: kernel, ram: ram, initrdSize: initrdBytes)
            case .raw(let payload): placement = try BootPlacement.plan(raw: payload, ram: ram, initrdSize: initrdBytes)
            }
            return (
                placement, try DeviceTree.blob(for: machineConfig(config, initrd: placement.initrd, devices: devices))
            )
        } catch {
            throw .badGuest("\(error)")
        }
    }

    static func machineConfig(
        _ config: RunConfig, initrd: Range<UInt64>?, devices: [DeviceTreeContribution]
    ) -> MachineConfig {
        var machine = MachineConfig(
            vcpuCount: config.vcpuCount, memorySize: config.memorySize, nested: config.nested, e2h0: config.e2h0,
            cmdline: config.cmdline, initrd: initrd, devices: devices, layout: config.layout)
        machine.pmu = config.pmu == .on
        machine.its = config.its == .on
        return machine
    }

    /// The device tree a Linux guest of `config` is given, without touching KVM (`--dump-dtb`).
    public static func deviceTree(for config: RunConfig) throws(MachineError) -> [UInt8] {
        try config.validate()
        let config = try config.resolvingFeatures(on: HostCapabilities.probe(path: config.kvmPath))
        let devices = try DeviceHub(MachineDevices.standard(config: config, console: { _ in })).deviceTree
        switch config.payload {
        case .linux(let image, let initrd):
            return try prepareLinux(config, image: image, initrdSize: initrd.map(\.count), devices: devices).1
        case .linuxFiles(let kernel, let initrd):
            return try prepareLinuxFiles(config, kernel: kernel, initrd: initrd, devices: devices).dtb ?? []
        case .demo, .uartFlood, .smpCounters, .virtioScript, .atProbe, .mteTags, .restored:
            do {
                return try DeviceTree.blob(for: machineConfig(config, initrd: nil, devices: devices))
            } catch {
                throw .badGuest("\(error)")
            }
        }
    }

    static func write(
        _ bytes: [UInt8], at address: UInt64, _ memory: GuestMemory, what: String
    )
        throws(MachineError)
    {
        do {
            try memory.write(bytes, at: address)
        } catch {
            throw .badGuest("\(what) (\(bytes.count) bytes at 0x\(String(address, radix: 16))): \(error)")
        }
    }
}

/// The eventfds of a machine's doorbells (attach runs before any vCPU thread exists).
final class DoorbellBox: @unchecked Sendable {
    // @unchecked: appended to only while devices attach, during the machine's init.
    var events: [EventFD] = []
}

/// Drives one interrupt line from device callbacks on any thread.
struct IRQSender: @unchecked Sendable {
    // @unchecked: KVM_IRQ_LINE is a VM ioctl KVM allows from any thread; the VM outlives the devices.
    let vm: VirtualMachine
    let line: IRQLine

    func set(_ level: Bool) { try? vm.setIRQLine(line, high: level) }
}
