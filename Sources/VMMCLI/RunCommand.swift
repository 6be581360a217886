import Glibc
import Synchronization
import VMM

/// `vmmctl run`: boot a guest on KVM.
enum RunCommand: Subcommand {
    static let name = "run"
    static let summary = "boot an arm64 Linux Image (or the built-in demo guest) on KVM, plain or nested"
    static let help = """
        Usage: vmmctl run [IMAGE] [--initrd FILE] [--cmdline STR] [--cpus N] [--memory SIZE]
                          [--nested [--e2h0]] [--mte] [--dump-dtb FILE] [--device PATH]
                          [--disk PATH[,readonly][,serial=ID]]... [--no-rng]

        Boots IMAGE, an arm64 Linux kernel Image (uncompressed; booting.rst), on KVM with an in-kernel
        GICv3, the architected timer, PSCI and a PL011 console on this terminal. Without IMAGE it boots a
        built-in demo guest: a tiny EL1 program, or with --nested a tiny guest hypervisor at EL2 that
        builds its own stage 2, enters an EL1 guest with ERET and handles that guest's HVC.
        An IMAGE without the arm64 Image header is a raw payload (a flat binary, e.g. a bare-metal test):
        loaded at RAM base + 0x80000 and entered at its first byte with x0 = the device tree, at EL1 or
        with --nested at EL2 (docs/boot.md).

        --initrd FILE     initial ramdisk (any file), placed below the device tree (/chosen names it)
        --cmdline STR     kernel command line (default "console=ttyAMA0 earlycon")
        --cpus N          vCPUs (default 1); secondaries start with PSCI CPU_ON
        --memory SIZE     guest RAM: 512M, 1G, or a number of MiB (default 256M)
        --nested          boot the guest at EL2 (KVM_ARM_VCPU_HAS_EL2) so it can run its own KVM guests;
                          PSCI then uses SMC and the timer node lists the EL2 timers
        --e2h0            with --nested: a non-VHE guest hypervisor (HCR_EL2.E2H = 0)
        --mte             the Memory Tagging Extension for the guest (KVM_CAP_ARM_MTE; the host CPU needs
                          FEAT_MTE2): allocation tags, the MTE registers, and tags kept in snapshots
        --pmu, --no-pmu   PMUv3 for the guest (overflow interrupt PPI 7, an arm,armv8-pmuv3 node); on by
                          default where KVM offers it; --pmu on a host without it is an error
        --sve, --no-sve   SVE for the guest (KVM's default vector lengths); on by default where KVM offers it
        --its, --no-its   a GICv3 ITS (LPIs and MSIs; an arm,gic-v3-its msi-controller node) at 0x8080000;
                          on by default where KVM offers it; --its on a host without it is an error
        --dump-dtb FILE   write the generated device tree to FILE and exit without running
        --disk PATH[,readonly][,serial=ID]
                          a virtio-blk disk: a raw image file or block device (a whole number of
                          512-byte sectors), locked against a second vmmctl; repeat for more disks,
                          which the guest sees as vda, vdb, ... in order. readonly: the guest cannot
                          write it; serial=ID: what the guest reads as its serial (up to 20 bytes)
        --rng, --no-rng   a virtio-rng device feeding the guest's /dev/hwrng from getrandom (default on)
        --demo virtio-hostile
                          instead of a guest, a built-in malicious virtio driver: it posts looping,
                          out-of-RAM, overflowing and otherwise broken descriptor chains to the first
                          virtio device (the first --disk, else the rng), checks each one is refused
                          with DEVICE_NEEDS_RESET, prints a line and idles until stopped
        --bench-mmio N    instead of a guest, a built-in payload that makes N one-byte UART writes (MMIO
                          exits) and powers off; prints the timing to stderr (scripts/bench.sh)
        --bench-spin K    with --bench-mmio: a busy loop of K iterations before each write, so the vCPU
                          spends its time running guest code rather than in exits
        --bench-touch SIZE with --bench-mmio: first write one word to every page of SIZE of RAM (a guest
                          that has used that much memory: sparse snapshot tests and benchmarks)
        --bench-dirty SIZE with --bench-mmio: before each write, store to the next page of SIZE of RAM
                          (from 2 MiB, cycling): a guest that keeps dirtying memory (incremental snapshots)
        --at-probe        a built-in guest that runs AT instructions over pre-built page tables (at EL1 with
                          its MMU on, or with --nested as a guest hypervisor with its own stage 2) and
                          prints each PAR_EL1 (the proof of 'vmmctl translate': docs/translate.md)
        --device PATH     the KVM device (default /dev/kvm)
        --api-socket PATH serve the control socket here (mode 0600) for pause, resume, dump-regs,
                          snapshot and shutdown (default $XDG_RUNTIME_DIR/vmmctl/vmmctl.sock, else
                          /tmp/vmmctl-UID/vmmctl.sock, the directory 0700 and yours or refused);
                          docs/control-protocol.md

        Console: guest output goes to stdout; stdin goes to the guest (raw mode on a terminal, restored on
        exit). Press Ctrl-A x to stop the VM. SIGINT and SIGTERM stop it cleanly too.

        Exit status: 0 the guest powered off (PSCI SYSTEM_OFF) or a shutdown request came over the socket; 10 it requested a reset (SYSTEM_RESET);
        11 it crashed (SYSTEM_CRASH); 12 a guest fault vmmctl cannot continue from (reported with the vCPU,
        PC and ESR); 128+N stopped by signal N; 1 the VM could not be started (the message says why);
        2 bad command line; 74 vmmctl itself read guest RAM whose snapshot memory file was truncated
        under it (restore only; the message names the file).

        """

    static let resetStatus: Int32 = 10
    static let crashStatus: Int32 = 11
    static let faultStatus: Int32 = 12

    static func run(_ args: [String], _ io: Terminal) throws(CLIError) -> Int32 {
        let a = try Arguments(
            args, command: name,
            flags: [
                "nested", "e2h0", "rng", "no-rng", "at-probe", "mte", "pmu", "no-pmu", "sve", "no-sve", "its", "no-its",
            ],
            options: [
                "initrd", "cmdline", "cpus", "memory", "dump-dtb", "device", "api-socket", "bench-mmio", "bench-spin",
                "bench-touch", "bench-dirty", "disk", "demo",
            ])
        if let path = a.options["dump-dtb"] {
            let config = try makeConfig(a)
            let blob: [UInt8]
            do { blob = try Machine.deviceTree(for: config) } catch { throw CLIError(error.description) }
            try HostFiles.writeAtomically(blob, to: path, what: "device tree")
            return 0
        }
        // Handed over once: after the Machine has loaded the kernel and initrd into guest RAM nothing
        // here holds their bytes (tens of MiB for a distribution kernel) for the rest of the run.
        let pending = Handover(try makeConfig(a))
        let socket = try socketPath(a.options["api-socket"])
        return try serve(socket: socket, io, describe: { CLIError(runFlagsFor: $0, status: CLIError.failureStatus) }) {
            console, warn throws(MachineError) in
            guard let config = pending.take() else {
                throw .badGuest("the guest images were already handed to a machine")
            }
            return try Machine(config, console: console, warn: warn)
        }
    }

    /// A value that can be taken once, after which the box no longer references it.
    final class Handover<Value>: @unchecked Sendable {
        // @unchecked: taken once, on the thread that builds the machine.
        private var value: Value?
        init(_ value: Value) { self.value = value }
        func take() -> Value? {
            defer { value = nil }
            return value
        }
    }

    /// The control socket used when --api-socket is not given.
    /// The control socket: `--api-socket` if given, else the default one.
    static func socketPath(_ option: String?) throws(CLIError) -> String {
        if let option { return option }
        return try defaultSocketPath()
    }

    static func defaultSocketPath() throws(CLIError) -> String {
        var environment: [String: String] = [:]
        if let dir = getenv("XDG_RUNTIME_DIR") { environment["XDG_RUNTIME_DIR"] = String(cString: dir) }
        do { return try ControlClient.defaultPath(environment: environment, uid: getuid()) } catch {
            throw CLIError(error.description)
        }
    }

    static func makeConfig(_ a: Arguments) throws(CLIError) -> RunConfig {
        guard a.positionals.count <= 1 else {
            throw .usage("unexpected argument '\(a.positionals[1])' (one IMAGE at most)", command: name)
        }
        let payload: RunConfig.Payload
        if a.options["bench-touch"] != nil && a.options["bench-mmio"] == nil {
            throw .usage("--bench-touch only applies to the --bench-mmio payload", command: name)
        }
        if a.options["bench-dirty"] != nil && a.options["bench-mmio"] == nil {
            throw .usage("--bench-dirty only applies to the --bench-mmio payload", command: name)
        }
        if a.options["bench-spin"] != nil && a.options["bench-mmio"] == nil {
            throw .usage("--bench-spin only applies to the --bench-mmio payload", command: name)
        }
        if let image = a.positionals.first {
            // Checked here so the message names the argument; the machine reads both files straight into
            // guest RAM (no copy of them in the VMM's heap).
            try HostFiles.checkReadable(image, what: "kernel image")
            if let initrd = a.options["initrd"] { try HostFiles.checkReadable(initrd, what: "initrd") }
            payload = .linuxFiles(kernel: image, initrd: a.options["initrd"])
        } else if let n = a.options["bench-mmio"] {
            guard let count = UInt64(n) else { throw .usage("--bench-mmio '\(n)' is not a count", command: name) }
            var spin: UInt64 = 0
            if let s = a.options["bench-spin"] {
                guard let k = UInt64(s) else { throw .usage("--bench-spin '\(s)' is not a count", command: name) }
                spin = k
            }
            var touch: UInt64 = 0
            if let t = a.options["bench-touch"] {
                guard let bytes = parseSize(t) else {
                    throw .usage("--bench-touch '\(t)' is not a size (examples: 64M, 1G)", command: name)
                }
                touch = bytes
            }
            var dirty: UInt64 = 0
            if let t = a.options["bench-dirty"] {
                guard let bytes = parseSize(t) else {
                    throw .usage("--bench-dirty '\(t)' is not a size (examples: 16M, 64M)", command: name)
                }
                dirty = bytes
            }
            payload = .uartFlood(count: count, spin: spin, touch: touch, dirty: dirty)
        } else if a.has("at-probe") {
            payload = .atProbe
        } else {
            if a.options["initrd"] != nil {
                throw .usage("--initrd needs a kernel IMAGE", command: name)
            }
            payload = .demo
        }
        var config = RunConfig(
            payload: payload, cmdline: a.options["cmdline"] ?? "console=ttyAMA0 earlycon",
            nested: a.has("nested"), e2h0: a.has("e2h0"), mte: a.has("mte"), kvmPath: a.options["device"] ?? "/dev/kvm")
        config.pmu = try featureChoice(a, "pmu")
        config.sve = try featureChoice(a, "sve")
        config.its = try featureChoice(a, "its")
        if let cpus = a.options["cpus"] {
            guard let n = Int(cpus), n >= 1 else {
                throw .usage("--cpus '\(cpus)' is not a positive number", command: name)
            }
            config.vcpuCount = n
        }
        if let memory = a.options["memory"] {
            guard let bytes = parseSize(memory) else {
                throw .usage("--memory '\(memory)' is not a size (examples: 512M, 1G, 256)", command: name)
            }
            config.memorySize = bytes
        }
        try addVirtioDevices(a, to: &config)
        do { try config.validate() } catch { throw CLIError(runFlagsFor: error) }
        return config
    }

    /// `--NAME` on, `--no-NAME` off, neither: on where the host offers it.
    static func featureChoice(_ a: Arguments, _ flag: String) throws(CLIError) -> CPUFeatureChoice {
        switch (a.has(flag), a.has("no-" + flag)) {
        case (true, true): throw .usage("--\(flag) and --no-\(flag) contradict each other", command: name)
        case (true, false): return .on
        case (false, true): return .off
        case (false, false): return .auto
        }
    }

    /// `512M`, `1G`, `2048K`, `256` (MiB), with an optional `iB`/`B`.
    static func parseSize(_ text: String) -> UInt64? {
        var s = text.uppercased()
        for suffix in ["IB", "B"] where s.hasSuffix(suffix) && s.count > suffix.count { s.removeLast(suffix.count) }
        var shift: UInt64 = 20
        if let last = s.last, let unit = ["K": 10, "M": 20, "G": 30, "T": 40][String(last)] {
            shift = UInt64(unit)
            s.removeLast()
        }
        guard let n = UInt64(s), n > 0, n <= (UInt64.max >> shift) else { return nil }
        return n << shift
    }

    /// Builds a machine with `make` (a fresh boot, or a restore), serves its control socket at
    /// `socket`, connects the console and runs it to the end. Shared by `run` and `restore`.
    static func serve(
        socket: String, startPaused: Bool = false, _ io: Terminal, describe: (MachineError) -> CLIError,
        make: (@escaping @Sendable (UInt8) -> Void, @escaping @Sendable (String) -> Void) throws(MachineError) ->
            Machine
    ) throws(CLIError) -> Int32 {
        let started = VMMCTL.startTime
        let timing = getenv("VMMCTL_TIMING") != nil
        if timing {
            let err = io.err
            PhaseTrace.enable { err.write($0) }
        }
        // Diagnostics for docs/performance.md (virtio-blk): a per-request timeline of the virtio devices
        // on stderr, and device interrupts through KVM_IRQ_LINE instead of resampling irqfds (to compare).
        if getenv("VMMCTL_TRACE_VIRTIO") != nil { VirtioTrace.start(fd: 2) }
        if getenv("VMMCTL_IRQ_LINE") != nil { Machine.interruptsThroughIRQLine = true }
        let running = Mutex<Machine?>(nil)
        // Before the first thread (the console queues start theirs): see Machine.holdStopSignals.
        let stopSignals = [SIGINT, SIGTERM, SIGHUP]
        Machine.holdStopSignals(stopSignals)
        let (console, warnings) = try ConsoleQueues.make(io) {
            running.withLock { $0 }?.requestStop(.stopped(signal: SIGPIPE))
        }
        defer { ConsoleQueues.flush(console, warnings) }
        PhaseTrace.mark("arguments, signals, console queues")
        let machine: Machine
        do {
            machine = try make(
                { byte in console.push(byte: byte) },
                { text in warnings.push(Array("vmmctl: warning: \(text)\n".utf8)) })
            running.withLock { $0 = machine }
            try machine.stopOnSignals(stopSignals)
        } catch {
            throw describe(error)
        }
        let server: ControlServer
        do { server = try ControlServer.start(machine: machine, path: socket) } catch {
            throw CLIError(error.description)
        }
        defer { unlink(server.path) }
        let terminal = ConsoleTerminal()
        terminal.enterRawMode()
        defer { terminal.restore() }
        terminal.startReader(
            deliver: { machine.consoleInput($0) }, quit: { machine.requestStop(.stopped(signal: SIGINT)) })
        if startPaused {
            // The vCPUs park before their first KVM_RUN: the state stays exactly as restored until
            // `vmmctl resume` (dump-regs and snapshot work meanwhile).
            machine.requestPause()
            io.err.write("vmmctl: paused before the first instruction; 'vmmctl resume' runs the guest\n")
        }
        PhaseTrace.mark("control server, terminal")
        let ready = Clock.nanoseconds()
        if timing {
            PhaseTrace.flush("start", since: started)
            io.err.write("vmmctl: timing: ready to run \((ready - started) / 1000) us after vmmctl started\n")
            let err = io.err
            machine.beforeFirstRun = {
                let now = Clock.nanoseconds()
                err.write("vmmctl: timing: first KVM_RUN \((now - started) / 1000) us after vmmctl started\n")
            }
        }
        releaseStartupMemory(of: machine)
        let exit: MachineExit
        do { exit = try machine.run() } catch { throw CLIError(error.description) }
        terminal.restore()
        ConsoleQueues.finish(console, warnings, io)
        // Only a payload that ran to its SYSTEM_OFF made `count` exits; a stopped one made fewer.
        if case .uartFlood(let count, _, _, _) = machine.config.payload, count > 0, case .poweredOff = exit {
            let ns = Clock.nanoseconds() - ready
            io.err.write(
                "vmmctl: bench-mmio: \(count) MMIO exits in \(ns / 1_000_000) ms: \(ns / count) ns per exit round trip\n"
            )
        }
        return report(exit, io)
    }

    /// Gives back what only the start-up used, on a thread of its own so that the first KVM_RUN does
    /// not wait for it: once the boot files are streamed in (the sweep's code and buffers are then done
    /// with too), the executable's pages (`ExecutableText`) and the heap's free memory (`MallocPolicy`).
    /// /proc/self/maps is read once, before the text is released (reading it after would fault the
    /// string code back in), and the heap goes last, after that read's buffer is freed. Without a
    /// thread (none can be started) it runs here.
    private static func releaseStartupMemory(of machine: Machine) {
        let release: @Sendable () -> Void = {
            machine.finishLoading()
            let maps = ExecutableText.mappings() ?? []
            let heap = MallocPolicy.heapMappings(in: maps)  // before the release: its code would fault back
            ExecutableText.releaseStartupPages(in: maps)
            MallocPolicy.releaseFreeMemory(heap: heap)
        }
        do { try Threads.spawnDetached("start-up release", release) } catch { release() }
    }

    static func report(_ exit: MachineExit, _ io: Terminal) -> Int32 {
        switch exit {
        case .poweredOff:
            return 0
        case .reset:
            io.err.write("vmmctl: \(exit) (vmmctl does not reboot guests)\n")
            return resetStatus
        case .crashed:
            io.err.write("vmmctl: \(exit)\n")
            return crashStatus
        case .guestFault(let fault):
            io.err.write("vmmctl: guest fault: \(fault)\n")
            return faultStatus
        case .stopped(let signal):
            io.err.write("vmmctl: \(exit)\n")
            return 128 + signal
        case .shutdownRequested:
            return 0
        }
    }
}

/// A monotonic clock for the timings vmmctl reports.
enum Clock {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
