import SysRegs
import VMM

/// Where `translate` and `mem read` get a VM from: a snapshot directory (its state file and memory file)
/// or a running VM's control socket (the VM must be paused, so registers and memory agree).
struct TranslationSource {
    let state: MachineState
    let memory: GuestRAMReader

    /// Loads from `--snapshot DIR` or `--api-socket PATH` (the default socket when neither is given).
    static func load(_ a: Arguments, command: String) throws(CLIError) -> TranslationSource {
        if let dir = a.options["snapshot"] {
            guard a.options["api-socket"] == nil else {
                throw .usage("give --snapshot or --api-socket, not both", command: command)
            }
            return try snapshot(dir)
        }
        return try running(socket: a.options["api-socket"])
    }

    static func snapshot(_ dir: String) throws(CLIError) -> TranslationSource {
        let state: MachineState
        let file: String
        do { (state, file) = try SnapshotStore.read(from: dir, verifyMemory: false) } catch {
            throw CLIError("\(error)")
        }
        let ram: GuestMemory
        do {
            ram = try GuestMemory(
                mappingFile: file, guestAddress: state.memory.guestAddress, size: Int(state.memory.size))
        } catch {
            throw CLIError("cannot map the snapshot's memory file \(file): \(error)")
        }
        let reader = GuestRAMReader(base: state.memory.guestAddress, size: state.memory.size) {
            (address, count) throws(CLIError) -> [UInt8] in
            do { return try ram.read(at: address, count: count) } catch {
                throw CLIError("reading \(file) at guest address 0x\(String(address, radix: 16)): \(error)")
            }
        }
        return TranslationSource(state: state, memory: reader)
    }

    /// A running VM: its registers through `dump-regs`, its memory through `read-memory` (which the VM only
    /// serves while paused: a walk must not see tables the guest is rewriting).
    static func running(socket: String?) throws(CLIError) -> TranslationSource {
        let status = String(decoding: try ControlCommand.send(.status, socket: socket), as: UTF8.self)
        guard status == "paused" else {
            throw CLIError("the VM is \(status): pause it first ('vmmctl pause'), then 'vmmctl resume' after")
        }
        let body = try ControlCommand.send(.dumpRegs, socket: socket)
        let state: MachineState
        do { state = try SnapshotCodec.decode(body) } catch {
            throw CLIError("the VM sent an unreadable state: \(error)")
        }
        let reader = GuestRAMReader(base: state.memory.guestAddress, size: state.memory.size) {
            (address, count) throws(CLIError) -> [UInt8] in
            try ControlCommand.send(.readMemory(address: address, count: UInt32(count)), socket: socket)
        }
        return TranslationSource(state: state, memory: reader)
    }

    /// The vCPU `--vcpu` names (default 0).
    func vcpu(_ a: Arguments, command: String) throws(CLIError) -> VCPUState {
        let index: Int
        if let v = a.options["vcpu"] {
            guard let n = Int(v), n >= 0 else { throw .usage("--vcpu '\(v)' is not a vCPU index", command: command) }
            index = n
        } else {
            index = 0
        }
        guard let vcpu = state.vcpus.first(where: { $0.index == index }) else {
            throw CLIError("no vCPU \(index): this VM has vCPUs 0...\(state.vcpus.count - 1)")
        }
        return vcpu
    }
}
