import Dispatch
import Glibc
import Synchronization
import SysRegs

/// Running: one thread per vCPU, exits handled on the thread that took them.
extension Machine {
    /// Runs every vCPU until the guest powers off, resets, crashes or faults, or `requestStop` is
    /// called (signals, console escape). Returns how it ended.
    public func run() throws(MachineError) -> MachineExit {
        Threads.installKickHandler()
        var threads: [pthread_t] = []
        // The threads wait for `start` until the gate knows them all: before that a vCPU that already ran
        // guest code could not be kicked, and an early exit recorded by `threadExited` would be lost.
        let start = DispatchSemaphore(value: 0)
        do {
            for (index, vcpu) in vcpus.enumerated() {
                let worker = VCPUWorker(machine: self, vcpu: vcpu)
                let gate = gate
                threads.append(
                    try Threads.spawn(
                        {
                            start.wait()
                            worker.loop()
                            gate.threadExited(index)
                        }, what: "vCPU thread", stackSize: Threads.vcpuStackSize))
            }
        } catch {
            requestStop(.guestFault(GuestFault(vcpu: threads.count, what: "\(error)", pc: nil, esr: nil)))
        }
        gate.setThreads(threads)
        for _ in threads { start.signal() }
        // A stop or pause requested before the threads existed found nobody to kick.
        if gate.stopReason != nil || gate.isPaused { kickAll() }
        for t in threads { Threads.join(t) }
        // A shutdown or SIGTERM that comes after this must find no thread to signal.
        gate.clearThreads()
        return gate.stopReason ?? .poweredOff
    }

    /// Asks every vCPU to stop; the first reason given wins. Safe from any thread.
    public func requestStop(_ exit: MachineExit) {
        gate.stop(exit)
        kickAll()
    }

    /// Stops every vCPU at an instruction boundary with any pending MMIO completed, so the state KVM
    /// reports is consistent (api.rst: KVM_RUN with immediate_exit completes pending I/O). Returns
    /// when all vCPUs are parked. Throws if the run has ended.
    public func pause() throws(MachineError) {
        guard requestPause() else { throw .notRunning }
        try waitUntilPaused()
    }

    /// Waits until every vCPU is parked after a `requestPause()`. Throws if the run ends first.
    public func waitUntilPaused() throws(MachineError) {
        guard gate.waitParked(vcpus.count) else { throw .stoppedWhilePausing }
    }

    /// Asks the vCPUs to park without waiting for them (safe from a vCPU thread, e.g. a device
    /// callback); `pause()` later waits. Returns false if the run has ended.
    @discardableResult
    public func requestPause() -> Bool {
        guard gate.requestPause() else { return false }
        kickAll()
        return true
    }

    /// Lets paused vCPUs run again, and rings every device doorbell once: a kick that came while paused
    /// was held off (`DeviceContext.holdDoorbells`) and is served now (a device finding nothing new
    /// does nothing).
    public func resume() {
        gate.resume()
        for event in doorbells.events { try? event.signal() }
    }

    /// Whether a pause is in force.
    public var isPaused: Bool { gate.isPaused }

    /// Blocks `signals` in the calling thread before any of the machine's threads exist, so that all of
    /// them inherit the block and the signals wait for `stopOnSignals` (a signal that arrives meanwhile
    /// stays pending and stops the machine then). Call it before building the machine and its console:
    /// the lab found a SIGTERM killing vmmctl, socket left behind, through the console writer's thread.
    public static func holdStopSignals(_ signals: [Int32]) { Threads.blockSignals(signals) }

    /// Makes `signals` (SIGINT, SIGTERM, ...) stop the machine cleanly: they are blocked in this thread
    /// and the vCPU threads it starts, and a helper thread turns each into `requestStop(.stopped)`.
    /// Call before `run()`, and `holdStopSignals` before the machine is built.
    public func stopOnSignals(_ signals: [Int32]) throws(MachineError) {
        do {
            try Threads.handleSignals(signals) { [self] signal in requestStop(.stopped(signal: signal)) }
        } catch {
            throw .kvm(error)
        }
    }

    /// Bytes from the host console for the guest's UART; returns how many the FIFO took.
    public func consoleInput(_ bytes: [UInt8]) -> Int { devices.consoleInput(bytes) }

    /// Free space in the UART receive FIFO (so a reader can wait rather than drop input).
    public var consoleInputSpace: Int { devices.consoleInputSpace }

    var isStopping: Bool { gate.stopReason != nil }

    /// Interrupts every vCPU: immediate_exit covers one between KVM_RUN calls, the signal one inside.
    private func kickAll() {
        guard gate.hasLiveThreads else { return }
        for vcpu in vcpus { vcpu.setImmediateExit(true) }
        gate.kickLiveThreads(Threads.kick)
    }
}

/// One vCPU's run loop. Exit handling is one small function per kind of exit.
struct VCPUWorker: @unchecked Sendable {
    // @unchecked: the VCPU is used only by this worker's thread while running (plus immediate_exit,
    // which KVM documents as settable from another thread); the Machine's shared parts are locked.
    let machine: Machine
    let vcpu: VCPU

    /// Runs until the machine stops. After every interruption the worker passes the gate, where it
    /// parks while a pause is in force. Because the interruption comes from a KVM_RUN with
    /// immediate_exit set, any MMIO read completed before it has reached the guest's registers.
    func loop() {
        Threads.unblockKickSignal()
        if vcpu.id == 0 { machine.beforeFirstRun?() }
        while true {
            // Re-arm immediate_exit if a pause or stop is pending: its kick may have come while this
            // thread was outside KVM_RUN and been undone by the clear below.
            if machine.gate.needsAttention { vcpu.setImmediateExit(true) }
            let exit: VCPUExit
            do {
                exit = try vcpu.run()
            } catch {
                // A truncated memory file shows as EFAULT; say so, naming the file (GuestMemory+Backing).
                let cause = machine.memory.backingProblem(explainingRunFailure: error).map { ": \($0)" } ?? ""
                machine.requestStop(.guestFault(fault("KVM_RUN failed: \(error)\(cause)")))
                return
            }
            if case .interrupted = exit {
                if machine.gate.checkpoint() { return }
                vcpu.setImmediateExit(false)
                continue
            }
            handle(exit)
        }
    }
    func handle(_ exit: VCPUExit) {
        switch exit {
        case .mmio(let address, let data, let isWrite, let length):
            mmio(address: address, data: data, isWrite: isWrite, length: length)
        case .systemEvent(let event, _):
            systemEvent(event)
        case .interrupted:
            break  // a kick: the loop condition decides
        case .hypercall(let function, let isSMC):
            machine.requestStop(
                .guestFault(fault("unhandled \(isSMC ? "SMC" : "HVC") function 0x\(String(function, radix: 16))")))
        case .internalError(let suberror, let data):
            machine.requestStop(
                .guestFault(fault("KVM internal error \(suberror) \(data.map { "0x" + String($0, radix: 16) })")))
        case .failEntry(let reason, let cpu):
            machine.requestStop(
                .guestFault(fault("KVM could not enter the guest (reason 0x\(String(reason, radix: 16)), CPU \(cpu))")))
        case .dataAbortWithoutSyndrome(let iss, let ipa):
            machine.requestStop(
                .guestFault(
                    fault(
                        "data abort without a valid syndrome at IPA 0x\(String(ipa, radix: 16)) "
                            + "(ISS 0x\(String(iss, radix: 16)); a load/store pair or writeback to MMIO?)")))
        case .externalAbort(let esr, _, let gpa):
            machine.requestStop(
                .guestFault(
                    fault(
                        "synchronous external abort (ESR 0x\(String(esr, radix: 16))\(gpa.map { ", IPA 0x" + String($0, radix: 16) } ?? ""))"
                    )))
        case .debug, .unknown, .unsupported:
            machine.requestStop(.guestFault(fault("unexpected exit \(exit)")))
        }
    }

    func mmio(address: UInt64, data: UInt64, isWrite: Bool, length: Int) {
        let result = machine.devices.access(address: address, size: length, isWrite: isWrite, value: data)
        if !isWrite { vcpu.completeMMIORead(result.value) }
        guard !result.handled, result.report != .none else { return }
        // Like real hardware with nothing decoded there: reads as zero, writes ignored; said once per
        // address, for the first few addresses only (a guest sweeping MMIO cannot flood stderr).
        let access = UnmappedAccess(
            vcpu: vcpu.id, address: address, size: length, isWrite: isWrite, value: isWrite ? data : nil,
            pc: try? vcpu.getOneReg(SysReg.PC), lastReported: result.report == .lastBeforeSilence)
        machine.warn(access.description)
    }

    func systemEvent(_ event: SystemEvent) {
        switch event {
        case .shutdown: machine.requestStop(.poweredOff)
        case .reset: machine.requestStop(.reset)
        case .crash: machine.requestStop(.crashed)
        case .wakeup, .suspend, .other: break
        }
    }

    /// A fault at this vCPU's current PC, with the ESR of the EL it is at.
    func fault(_ what: String) -> GuestFault {
        let pc = try? vcpu.getOneReg(SysReg.PC)
        let pstate = try? vcpu.getOneReg(SysReg.PSTATE)
        // PSTATE.M[3:2] is the exception level.
        let el = pstate.map { ($0 >> 2) & 3 } ?? 1
        let esrReg = el == 2 ? SysReg.ESR_EL2 : SysReg.ESR_EL1
        let esr = (try? vcpu.getOneReg(esrReg)).map { (esrReg.name, $0) }
        return GuestFault(vcpu: vcpu.id, what: what, pc: pc, esr: esr)
    }
}
