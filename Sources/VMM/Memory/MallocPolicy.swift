import CKVM

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
    public static func releaseFreeMemory() {
        _ = malloc_trim(0)
    }
}
