import CKVM
import Glibc

/// The process's malloc policy for a long-running VMM: `vmmctl`'s entry point applies it first thing
/// (not the command library's `main`, which tests call in-process).
public enum MallocPolicy {
    /// - One arena (M_ARENA_MAX 1): glibc otherwise gives each thread that allocates an arena of its
    ///   own (up to 8 per core), each keeping its own free memory resident. The VMM's threads allocate
    ///   little and rarely at the same time, so one lock costs nothing measurable.
    /// - A fixed mmap threshold of 128 KiB (M_MMAP_THRESHOLD): any larger buffer (a snapshot chunk, a
    ///   state file) is its own mapping and goes back to the kernel when freed. glibc's default raises
    ///   the threshold to the largest block freed so far (up to 32 MiB), after which such buffers come
    ///   from the heap and stay resident after they are freed.
    /// - Trim the top of the heap once 128 KiB of it is free (M_TRIM_THRESHOLD).
    ///
    /// glibc's mallopt(3); a libc without it (musl) would not build this file, and has none of these
    /// behaviours to tune.
    public static func applyForVMM() {
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_THRESHOLD, 128 << 10)
        _ = mallopt(M_TRIM_THRESHOLD, 128 << 10)
    }

    /// Gives the kernel back every whole free page of the heap, not only its top (malloc_trim(3) with
    /// 0: glibc also releases free pages in the middle of the heap, with MADV_DONTNEED). For the moment
    /// the start-up is over: probing the host, building the device tree and the machine's tables leave
    /// free blocks below blocks that live as long as the VM, which M_TRIM_THRESHOLD cannot release.
    ///
    /// Two more steps for a host whose transparent huge pages are "always"
    /// (/sys/kernel/mm/transparent_hugepage/enabled), where glibc (2.43 in the static build) grows the
    /// heap in 2 MiB aligned steps, asks for huge pages there, and shrinks it only by whole 2 MiB:
    /// - MADV_NOHUGEPAGE on the heap: the VMM's heap is a few hundred kB, and the first touch of a page
    ///   in an empty aligned 2 MiB range of it would otherwise make all 2 MiB resident.
    /// - The free top is borrowed and given back page by page: malloc_trim releases the free chunks in
    ///   its bins, but not the top, which is not in a bin. One block of the top's size is allocated
    ///   (M_MMAP_MAX 0 for the moment, so that it comes from the heap rather than from a mapping of its
    ///   own), its whole pages get MADV_DONTNEED (memory malloc handed us, which no other thread can be
    ///   using) and it is freed back into the top. mallinfo2's `keepcost` is the top's size.
    /// - Parameter heap: the heap's mappings (`heapMappings()`), read by the caller before whatever
    ///   else it releases.
    public static func releaseFreeMemory(heap: [Range<UInt>]) {
        _ = malloc_trim(0)
        for range in heap {
            // SAFETY: advice on the heap's own mappings, as /proc/self/maps lists them; it changes how
            // later faults are served, never the contents.
            _ = madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), range.count, MADV_NOHUGEPAGE)
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let top = Int(mallinfo2().keepcost)
        guard top >= 4 * page else { return }
        _ = mallopt(M_MMAP_MAX, 0)
        let block = malloc(top - 2 * page)
        _ = mallopt(M_MMAP_MAX, defaultMmapMax)
        guard let block else { return }
        let start = (Int(bitPattern: block) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: block) + top - 2 * page) & ~(page - 1)
        if end > start {
            // SAFETY: [start, end) lies inside the block malloc just returned, which nothing else uses;
            // its contents do not matter, and its pages read as zero if touched again.
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED)
        }
        free(block)
    }

    /// The `[heap]` mappings of `all` (read from /proc/self/maps if nil): the main arena's sbrk heap,
    /// which glibc may have split where it asked for huge pages; none if maps cannot be read.
    public static func heapMappings(in all: [ExecutableText.Mapping]? = nil) -> [Range<UInt>] {
        (all ?? ExecutableText.mappings() ?? []).filter { $0.path == "[heap]" }.map { $0.start..<$0.end }
    }

    /// glibc's default M_MMAP_MAX (malloc.c, DEFAULT_MMAP_MAX), restored after the top is borrowed.
    static let defaultMmapMax: Int32 = 65536
}
