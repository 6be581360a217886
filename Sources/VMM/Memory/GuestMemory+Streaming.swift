import Glibc

extension GuestMemory {
    /// Streams `count` bytes of `file` into guest RAM at `address` instead of reading them now: the
    /// pages are registered with a `UserfaultPager` that copies them in on its own thread, in order,
    /// and serves any page a vCPU (or the VMM) touches first as soon as it is touched. So the first
    /// KVM_RUN waits for no copy, however large the kernel or initrd; once the sweep is through
    /// (`finishLoading()` waits for it) the pager lets go of the range and the file, so the guest
    /// depends on the file only as long as a `load(from:...)` would have read it.
    ///
    /// Guest RAM must be the fresh anonymous mapping (nothing written in the file's pages yet). The last
    /// page past the file's end reads as zero, as it would have stayed.
    /// - Throws: `GuestMemoryError.lazyLoadingUnavailable` when streaming is not possible here: no
    ///   usable userfaultfd, or `address` not page-aligned. The caller then uses `load(from:...)`.
    ///   `.outOfRange` if the range is not inside one region.
    public func stream(
        from file: HostFile, count: Int, at address: UInt64, what: String,
        onFailure: @escaping @Sendable (String) -> Void
    ) throws(GuestMemoryError) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard count > 0, address % UInt64(page) == 0 else {
            throw .lazyLoadingUnavailable("\(what) at 0x\(String(address, radix: 16)) is not page-aligned")
        }
        let length = (count + page - 1) / page * page
        let region: Region
        do { region = try self.region(containing: address, length: length) } catch {
            throw .outOfRange(address: address, length: count)
        }
        let host = region.hostAddress + UInt(address - region.guestAddress)
        if Self.hugePagesAlways {
            // UFFDIO_COPY installs small pages where pread's faults would have had huge ones, and
            // khugepaged would later collapse them: each collapse changes the host mapping under KVM,
            // which for a guest hypervisor unmaps every shadow stage 2 whole. Measured in the lab, a
            // nested guest's L2 ran 11 times slower for minutes (and collapsing them at once with
            // MADV_COLLAPSE made its boot 6 times slower). With dirty logging on, KVM maps guest RAM
            // in small pages at stage 2 anyway, so the range is simply kept out of huge pages.
            // SAFETY: advice on guest RAM's own mapping (the range checked above); no contents change.
            _ = madvise(UnsafeMutableRawPointer(bitPattern: host), length, MADV_NOHUGEPAGE)
        }
        let stream = try UserfaultPager(
            base: host, size: length, page: page, file: file,
            contentLength: count, sweeping: true, what: what,
            remedy: "keep the boot files unchanged while a VM starts from them", onFailure: onFailure)
        markWritten(address, length: count)
        streams.append(stream)
    }

    /// Whether the host's transparent huge pages are "always"
    /// (/sys/kernel/mm/transparent_hugepage/enabled reads "[always] madvise never"): then a read into
    /// guest RAM would have faulted in huge pages, and khugepaged collapses small ones.
    static let hugePagesAlways: Bool = {
        guard let file = try? HostFile.openForReading("/sys/kernel/mm/transparent_hugepage/enabled"),
            let text = try? file.read(64)
        else { return false }
        return String(decoding: text, as: UTF8.self).hasPrefix("[always]")
    }()

    /// Waits until every streamed boot file is wholly in guest RAM. A snapshot calls it first: it reads
    /// which pages are present, and a page still to be streamed is not.
    public func finishLoading() {
        for stream in streams { stream.finish() }
    }
}
