import SysRegs

extension MachineState {
    /// The tags must cover exactly guest RAM, under another name than the memory file: KVM copies
    /// tags for whole memory slots' worth of pages, and restore writes back every one.
    func validateTags() throws(SnapshotError) {
        guard let tags else { return }
        guard tags.guestAddress == memory.guestAddress, tags.size == memory.size else {
            throw .inconsistent(
                "the MTE tags cover \(hex64(tags.guestAddress)) + \(hex64(tags.size)) but guest RAM is "
                    + "\(hex64(memory.guestAddress)) + \(hex64(memory.size))")
        }
        guard tags.fileName != memory.fileName else {
            throw .inconsistent("the MTE tag file and the memory file are both named \"\(tags.fileName)\"")
        }
    }
}
