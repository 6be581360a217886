import CKVM

/// KVM's dirty page log (api.rst 4.8 "KVM_GET_DIRTY_LOG", 4.117 "KVM_CLEAR_DIRTY_LOG", 7.18
/// "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2"): which pages of a slot registered with
/// KVM_MEM_LOG_DIRTY_PAGES the guest wrote since the log was last read.
extension VirtualMachine {
    /// Turns on manual re-protection where the host offers it: KVM_GET_DIRTY_LOG then only reads the
    /// log, and KVM_CLEAR_DIRTY_LOG re-protects just the pages reported, so reading the log does not
    /// write-protect the whole slot at once (the cost the kernel documentation gives as the reason for
    /// the capability: a large slot's log read stalls the vCPUs). Initially-set is not asked for: the
    /// tracker starts clean, and the first snapshot of a VM is a full one anyway.
    /// - Returns: whether manual protection is on (false: the host lacks the capability).
    public func enableManualDirtyLogProtect() throws -> Bool {
        let offered = (try? checkExtension(.manualDirtyLogProtect2)) ?? 0
        guard UInt64(offered) & CKVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE != 0 else { return false }
        try enableCap(.manualDirtyLogProtect2, args: [CKVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE])
        return true
    }

    /// Reads (and, with manual protection, clears) the dirty log of `slot`, `words` 64-bit words long
    /// (one bit per page: bit n of word n / 64 for page n), and returns it. Without manual protection
    /// the read itself resets the log and write-protects the slot again.
    /// The corresponding ioctls are `KVM_GET_DIRTY_LOG` and `KVM_CLEAR_DIRTY_LOG`.
    public func collectDirtyLog(slot: UInt32, words: Int, pages: Int, manualProtect: Bool) throws -> [UInt64] {
        var bitmap = [UInt64](repeating: 0, count: max(words, 1))
        try bitmap.withUnsafeMutableBytes { buffer in
            // SAFETY: the bitmap buffer is `words` 64-bit words, ALIGN(pages, 64) / 8 bytes, as the kernel
            // writes for a slot of `pages` pages; it outlives both calls.
            let address = UInt64(UInt(bitPattern: buffer.baseAddress))
            var log = ckvm_dirty_log(slot: slot, padding1: 0, dirty_bitmap: address)
            try KVMCall.perform(KVMIoctl.getDirtyLog.on("slot \(slot)"), fd: fd, pointingTo: &log)
            guard manualProtect, pages > 0 else { return }
            var clear = ckvm_clear_dirty_log(
                slot: slot, num_pages: UInt32(pages), first_page: 0, dirty_bitmap: address)
            try KVMCall.perform(KVMIoctl.clearDirtyLog.on("slot \(slot)"), fd: fd, pointingTo: &clear)
        }
        return bitmap
    }
}
