import CKVM
import SysRegs

/// MTE allocation tags of guest memory (FEAT_MTE2, api.rst 4.130 "KVM_ARM_MTE_COPY_TAGS").
extension VirtualMachine {
    /// The size of one tag granule: every 16 bytes of Normal Tagged memory carry one 4-bit allocation
    /// tag (Arm ARM D10.1 "Memory Tagging Extension").
    public static let tagGranule = 16
    /// The most guest bytes one KVM_ARM_MTE_COPY_TAGS call covers: the kernel caps `length` below
    /// 2^31, and 64 MiB keeps the buffer of one call at 4 MiB.
    static let tagCopyChunk = 64 << 20

    /// Enables MTE for this VM. Must precede vCPU creation (a VM capability; api.rst 7.23
    /// "KVM_CAP_ARM_MTE"): KVM then sets HCR_EL2.ATA for the guest, exposes FEAT_MTE2 in
    /// ID_AA64PFR1_EL1 and lists RGSR_EL1, GCR_EL1, TFSR_EL1 and TFSRE0_EL1.
    /// The corresponding ioctl is `KVM_ENABLE_CAP`.
    public func enableMTE() throws { try enableCap(.mte) }

    /// Reads the allocation tags of guest `[address, address + length)`: one byte per 16-byte granule,
    /// the tag in bits 3:0. `address` and `length` must be multiples of the host page size.
    /// The corresponding ioctl is `KVM_ARM_MTE_COPY_TAGS` (KVM_ARM_TAGS_FROM_GUEST).
    public func readTags(at address: UInt64, length: Int) throws -> [UInt8] {
        var tags = [UInt8](repeating: 0, count: length / Self.tagGranule)
        try tags.withUnsafeMutableBytes { buffer in
            try copyTags(at: address, length: length, buffer: buffer, flags: CKVM_ARM_TAGS_FROM_GUEST)
        }
        return tags
    }

    /// Writes allocation tags (one byte per 16-byte granule, as `readTags` returns them) to guest
    /// `[address, address + tags.count * 16)`. The corresponding ioctl is `KVM_ARM_MTE_COPY_TAGS`
    /// (KVM_ARM_TAGS_TO_GUEST).
    public func writeTags(_ tags: [UInt8], at address: UInt64) throws {
        var copy = tags
        try copy.withUnsafeMutableBytes { buffer in
            try copyTags(
                at: address, length: tags.count * Self.tagGranule, buffer: buffer, flags: CKVM_ARM_TAGS_TO_GUEST)
        }
    }

    /// Copies in chunks of `tagCopyChunk` guest bytes. KVM returns how many bytes of *guest memory* it
    /// covered (lab finding, Linux 7.2: `length` on success, not the tag byte count); a short count means
    /// it stopped at a page it could not reach, which is an error here (every page of guest RAM is mapped).
    private func copyTags(
        at address: UInt64, length: Int, buffer: UnsafeMutableRawBufferPointer, flags: UInt64
    ) throws {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < length {
            let count = min(Self.tagCopyChunk, length - done)
            let ipa = address + UInt64(done)
            // SAFETY: base + done / 16 has count / 16 bytes left in `buffer`, which the caller keeps
            // alive across this call; the kernel reads or writes exactly that many.
            var request = ckvm_arm_copy_mte_tags(
                guest_ipa: ipa, length: UInt64(count), addr: UInt64(UInt(bitPattern: base + done / Self.tagGranule)),
                flags: flags, reserved: (0, 0))
            let target =
                "\(flags == CKVM_ARM_TAGS_FROM_GUEST ? "from" : "to") guest @\(hexShort(ipa))+\(hexShort(count))"
            let copied = try KVMCall.perform(
                KVMIoctl.armMTECopyTags.on(target), fd: fd, pointingTo: &request)
            guard copied == count else {
                throw KVMError.invalidConfiguration(
                    "KVM_ARM_MTE_COPY_TAGS(\(target)) covered \(copied) of \(count) bytes of guest memory")
            }
            done += count
        }
    }
}
