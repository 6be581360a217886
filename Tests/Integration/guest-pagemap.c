/* guest-pagemap.c - the Linux guest's half of t-translate-linux.sh (vmmctl.test=pagemap in guest-init.sh).
 *
 * Runs as root (PID 1's child) inside a vmmctl guest and prints what the guest kernel itself says about
 * two addresses, so the test can ask `vmmctl translate` about the same addresses on a snapshot:
 *   PAGEMAP VA=0x... PFN=0x...       a byte of a page this process wrote PATTERN to, and the page's
 *                                    physical frame from /proc/self/pagemap (PFNs are visible to
 *                                    CAP_SYS_ADMIN; Documentation/admin-guide/mm/pagemap.rst)
 *   KSYM NAME VA=0x... PA=0x...      kernel image symbols (/proc/kallsyms) and their physical address:
 *                                    the image is mapped at one fixed offset, and /proc/iomem's
 *                                    "Kernel code" resource starts at _text's physical address (the
 *                                    image start; arm64 setup.c's kernel_code.start = __pa_symbol(_text),
 *                                    64 KiB before _stext on this kernel)
 * Then it spins on the CPU forever (so it is the running process when the VM is paused: TTBR0_EL1 is
 * its page table), printing "SPIN n" once a second of CLOCK_MONOTONIC (read through the vDSO, so the
 * loop stays at EL0), which shows the guest running on after a pause or a snapshot.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PATTERN "VMMCTL-PAGEMAP-PATTERN-ABCDEFGHI" /* 32 bytes: two lines of `vmmctl mem read` */
#define OFFSET 0x5a0                                /* not page aligned: PA = PFN * 4096 + offset */

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* The address of kernel symbol NAME in /proc/kallsyms (0 when absent or hidden by kptr_restrict). */
static uint64_t kallsyms(const char *name) {
  FILE *f = fopen("/proc/kallsyms", "r");
  if (!f) die("/proc/kallsyms");
  char line[512], sym[256], type;
  uint64_t addr, found = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, sym) == 3 && strcmp(sym, name) == 0) {
      found = addr;
      break;
    }
  fclose(f);
  return found;
}

/* The start of /proc/iomem's "Kernel code" resource (0 when absent). */
static uint64_t kernel_code_start(void) {
  FILE *f = fopen("/proc/iomem", "r");
  if (!f) die("/proc/iomem");
  char line[512];
  uint64_t start = 0, end;
  while (fgets(line, sizeof line, f))
    if (strstr(line, ": Kernel code") && sscanf(line, " %" SCNx64 "-%" SCNx64, &start, &end) == 2) break;
  fclose(f);
  return start;
}

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) die("mmap");
  if (mlock(p, page) != 0) die("mlock"); /* the frame must not move before the snapshot */
  memcpy(p + OFFSET, PATTERN, sizeof PATTERN - 1);
  uint64_t va = (uint64_t)(uintptr_t)(p + OFFSET), entry;
  int fd = open("/proc/self/pagemap", O_RDONLY);
  if (fd < 0) die("/proc/self/pagemap");
  if (pread(fd, &entry, sizeof entry, (off_t)(va / (uint64_t)page) * 8) != sizeof entry) die("pread pagemap");
  close(fd);
  /* Bit 63: present; bits 54..0: the PFN (zero without CAP_SYS_ADMIN). */
  uint64_t pfn = entry & ((1ULL << 55) - 1);
  if (!(entry >> 63) || pfn == 0) {
    fprintf(stderr, "pagemap entry 0x%" PRIx64 ": not present or PFN hidden\n", entry);
    return 1;
  }
  printf("PAGEMAP VA=0x%" PRIx64 " PFN=0x%" PRIx64 " PAGESIZE=%ld\n", va, pfn, page);
  uint64_t text = kallsyms("_text"), code = kernel_code_start();
  if (!text || !code) {
    fprintf(stderr, "no _text in /proc/kallsyms (0x%" PRIx64 ") or Kernel code in /proc/iomem (0x%" PRIx64 ")\n",
            text, code);
    return 1;
  }
  const char *names[] = {"_text", "_stext", "init_task"};
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    uint64_t sym = kallsyms(names[i]);
    if (!sym) {
      fprintf(stderr, "no %s in /proc/kallsyms\n", names[i]);
      return 1;
    }
    printf("KSYM %s VA=0x%" PRIx64 " PA=0x%" PRIx64 "\n", names[i], sym, code + (sym - text));
  }
  fflush(stdout);
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  time_t next = t.tv_sec + 1;
  for (unsigned long n = 0;;) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec >= next) {
      printf("SPIN %lu\n", n++);
      fflush(stdout);
      next = t.tv_sec + 1;
    }
  }
}
