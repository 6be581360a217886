/* diskbench - the disk benchmark of scripts/bench-suite.sh, run both inside the guest (on /dev/vdb) and
 * directly in the lab host (on the image file behind it), so the two figures come from the same code.
 *
 *   diskbench PATH seqwrite|seqread|randread SIZE_MIB [READS]
 *
 * seqwrite: SIZE_MIB of 1 MiB writes from offset 0, then fsync (the write is not done until it is on
 * the backing file). seqread: the same range read back in 1 MiB reads. randread: READS 4 KiB reads at
 * pseudo-random 4 KiB-aligned offsets inside the range (a fixed xorshift seed: every run reads the same
 * offsets). All with O_DIRECT, so neither side measures its own page cache. Prints one line:
 *   DISKBENCH MODE MB/s VALUE | DISKBENCH randread IOPS VALUE
 * Timed with CLOCK_MONOTONIC around the I/O only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const char *what, const char *path) {
    perror(what);
    fprintf(stderr, "diskbench: %s failed on %s\n", what, path);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: diskbench PATH seqwrite|seqread|randread SIZE_MIB [READS]\n");
        return 2;
    }
    const char *path = argv[1], *mode = argv[2];
    long mib = atol(argv[3]), reads = argc > 4 ? atol(argv[4]) : 2000;
    int writing = strcmp(mode, "seqwrite") == 0;
    if (mib <= 0 || reads <= 0 || (!writing && strcmp(mode, "seqread") && strcmp(mode, "randread"))) {
        fprintf(stderr, "diskbench: bad mode or size\n");
        return 2;
    }
    int fd = open(path, (writing ? O_WRONLY : O_RDONLY) | O_DIRECT);
    if (fd < 0) return fail("open", path);
    const size_t big = 1 << 20;
    void *buf;
    if (posix_memalign(&buf, 4096, big)) return fail("posix_memalign", path);
    memset(buf, 0xa5, big);
    double t0 = now();
    if (strcmp(mode, "randread") == 0) {
        uint64_t x = 0x9e3779b97f4a7c15ull, blocks = (uint64_t)mib * 256;
        for (long i = 0; i < reads; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            if (pread(fd, buf, 4096, (off_t)((x % blocks) * 4096)) != 4096) return fail("pread", path);
        }
        printf("DISKBENCH randread IOPS %.0f\n", (double)reads / (now() - t0));
        return 0;
    }
    for (long i = 0; i < mib; i++) {
        ssize_t n = writing ? pwrite(fd, buf, big, (off_t)i * (off_t)big) : pread(fd, buf, big, (off_t)i * (off_t)big);
        if (n != (ssize_t)big) return fail(writing ? "pwrite" : "pread", path);
    }
    if (writing && fsync(fd)) return fail("fsync", path);
    printf("DISKBENCH %s MB/s %.1f\n", mode, (double)mib * 1.048576 / (now() - t0));
    return 0;
}
