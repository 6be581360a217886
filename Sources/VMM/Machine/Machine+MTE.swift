import SysRegs

/// MTE (FEAT_MTE2) machines: the VM capability, the EL2 check, and the allocation tags a snapshot
/// keeps (docs/snapshot-format.md, "MTE tags").
extension Machine {
    /// Enables KVM_CAP_ARM_MTE on a VM that has no vCPU yet (a VM capability must precede them; api.rst
    /// 7.23). Refused with `MTEProblem.hostLacksMTE` where KVM does not offer it.
    static func enableMTE(_ system: KVMSystem, _ vm: VirtualMachine) throws {
        guard try system.checkExtension(.mte) > 0 else { throw MachineError.mte(.hostLacksMTE) }
        try vm.enableMTE()
    }

    /// An EL2 vCPU of an MTE VM must see FEAT_MTE2 (ID_AA64PFR1_EL1.MTE >= 0b0010, Arm ARM D19.2.65).
    ///
    /// Lab finding (Linux 7.2, kvm-arm.mode=nested): KVM_ENABLE_CAP(MTE) and HAS_EL2 are both accepted,
    /// but the EL2 vCPU's ID_AA64PFR1_EL1.MTE reads 0, so the guest hypervisor has no MTE while KVM
    /// still keeps tags for its memory. vmmctl refuses that shape rather than boot it.
    static func checkMTEVisible(_ vcpu: VCPU) throws {
        let field = (try vcpu.getOneReg(SysReg.ID_AA64PFR1_EL1) >> 8) & 0xF
        guard field >= 2 else { throw MachineError.mte(.hiddenFromEL2(field: field)) }
    }

    /// The tag state a snapshot of this machine records (checksum filled by the writer), or nil
    /// without MTE.
    var tagState: TagState? {
        guard config.mte else { return nil }
        return TagState(guestAddress: config.layout.ramBase, size: config.memorySize, checksum: 0)
    }

    /// Every allocation tag of guest RAM, packed (`TagPacking`), or nil for a machine without MTE.
    /// Call while paused, like `captureState()`: a running guest could retag memory under the copy.
    public func captureTags() throws(MachineError) -> [UInt8]? {
        guard config.mte else { return nil }
        let base = config.layout.ramBase
        let size = Int(config.memorySize)
        var packed: [UInt8] = []
        packed.reserveCapacity(Int(TagPacking.packedSize(guestBytes: UInt64(size))))
        let chunk = 64 << 20
        var done = 0
        do {
            while done < size {
                let count = min(chunk, size - done)
                packed += TagPacking.pack(try vm.readTags(at: base + UInt64(done), length: count))
                done += count
            }
        } catch {
            throw .kvm(error)
        }
        return packed
    }

    /// Writes a snapshot's packed tags back into guest RAM, chunk by chunk. Runs after the RAM is
    /// filled and registered and before any vCPU runs: a guest that ran first would see tag 0 on every
    /// granule and fault on its own tagged pointers.
    static func restoreTags(_ packed: [UInt8], _ tags: TagState, vm: VirtualMachine) throws(MachineError) {
        let chunk = 64 << 20
        let packedChunk = Int(TagPacking.packedSize(guestBytes: UInt64(chunk)))
        var offset = 0
        do {
            while offset < packed.count {
                let end = min(offset + packedChunk, packed.count)
                let address = tags.guestAddress + UInt64(offset) * 2 * TagPacking.granule
                try vm.writeTags(TagPacking.unpack(packed[offset..<end]), at: address)
                offset = end
            }
        } catch {
            throw .kvm(error)
        }
    }

    /// Reads and checks a snapshot's tag file before anything is built, and refuses it on a host
    /// without MTE (the tags could not be put back). Returns nil for a snapshot without tags.
    static func loadTags(_ state: MachineState, memoryFile: String, kvmPath: String) throws(MachineError) -> [UInt8]? {
        guard let tags = state.tags else { return nil }
        do {
            let system = try KVMSystem(path: kvmPath)
            guard try system.checkExtension(.mte) > 0 else { throw MachineError.mte(.snapshotNeedsMTE) }
        } catch let error as MachineError {
            throw error
        } catch {
            throw .kvm(error)
        }
        do {
            return try SnapshotStore.readTags(tags, file: SnapshotStore.tagFilePath(tags, besideMemoryFile: memoryFile))
        } catch {
            throw .badSnapshot(error)
        }
    }
}
