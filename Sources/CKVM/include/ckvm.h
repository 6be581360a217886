/*
 * ckvm.h - our own declarations of the arm64 KVM userspace ABI that vmmctl uses.
 *
 * Why this exists: Swift cannot import the kernel's function-like macros (_IOW, ARM64_SYS_REG), and an
 * x86_64 host's <linux/kvm.h> lacks the arm64 structs and constants. So every struct, ioctl number and
 * constant we need is declared here, in our own words, from the ABI facts of
 * the kernel (Documentation/virt/kvm/api.rst, include/uapi/linux/kvm.h,
 * arch/arm64/include/uapi/asm/kvm.h). Everything is prefixed ckvm_/CKVM_ so it never clashes with a
 * system <linux/kvm.h>. Tests/CKVMCheck/ckvm-check.c proves, with _Static_assert against the pinned
 * kernel's headers, that every size, offset and number below matches.
 *
 * Only <stdint.h> is included: the header must import into Swift on x86_64 and arm64 hosts alike.
 */
#ifndef CKVM_H
#define CKVM_H

#include <stdint.h>

/* ---- API version (KVM_GET_API_VERSION must return this; it has been 12 since Linux 2.6.22) ---- */

static const int CKVM_API_VERSION = 12;

/* ---- ioctl numbers ----
 * _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr, with type KVMIO = 0xAE and
 * dir 0 none, 1 write (_IOW), 2 read (_IOR), 3 both (_IOWR). The direction is from userspace's view.
 */

/* /dev/kvm (system) */
static const unsigned long CKVM_GET_API_VERSION = 0xAE00;       /* _IO(0x00) */
static const unsigned long CKVM_CREATE_VM = 0xAE01;             /* _IO(0x01), arg: machine type */
static const unsigned long CKVM_CHECK_EXTENSION = 0xAE03;       /* _IO(0x03), arg: capability; also on a VM fd */
static const unsigned long CKVM_GET_VCPU_MMAP_SIZE = 0xAE04;    /* _IO(0x04) */

/* VM fd */
static const unsigned long CKVM_CREATE_VCPU = 0xAE41;           /* _IO(0x41), arg: vcpu id */
static const unsigned long CKVM_SET_USER_MEMORY_REGION = 0x4020AE46; /* _IOW(0x46, 32 bytes) */
static const unsigned long CKVM_IRQ_LINE = 0x4008AE61;          /* _IOW(0x61, struct ckvm_irq_level) */
static const unsigned long CKVM_ENABLE_CAP = 0x4068AEA3;        /* _IOW(0xa3, struct ckvm_enable_cap) */
static const unsigned long CKVM_ARM_PREFERRED_TARGET = 0x8020AEAF; /* _IOR(0xaf, struct ckvm_vcpu_init) */
static const unsigned long CKVM_ARM_SET_COUNTER_OFFSET = 0x4010AEB5; /* _IOW(0xb5, 16 bytes) */
static const unsigned long CKVM_ARM_MTE_COPY_TAGS = 0x8030AEB4;  /* _IOR(0xb4, struct ckvm_arm_copy_mte_tags: 48 bytes) */
static const unsigned long CKVM_CREATE_DEVICE = 0xC00CAEE0;     /* _IOWR(0xe0, struct ckvm_create_device) */
static const unsigned long CKVM_IRQFD = 0x4020AE76;             /* _IOW(0x76, struct ckvm_irqfd: 32 bytes) */
static const unsigned long CKVM_IOEVENTFD = 0x4040AE79;         /* _IOW(0x79, struct ckvm_ioeventfd: 64 bytes) */
static const unsigned long CKVM_GET_DIRTY_LOG = 0x4010AE42;     /* _IOW(0x42, struct ckvm_dirty_log: 16 bytes) */
static const unsigned long CKVM_CLEAR_DIRTY_LOG = 0xC018AEC0;   /* _IOWR(0xc0, struct ckvm_clear_dirty_log: 24 bytes) */

/* device, vCPU (and VM) fds */
static const unsigned long CKVM_SET_DEVICE_ATTR = 0x4018AEE1;   /* _IOW(0xe1, struct ckvm_device_attr) */
static const unsigned long CKVM_GET_DEVICE_ATTR = 0x4018AEE2;   /* _IOW(0xe2, ...): value goes through addr */
static const unsigned long CKVM_HAS_DEVICE_ATTR = 0x4018AEE3;   /* _IOW(0xe3, ...) */

/* vCPU fd */
static const unsigned long CKVM_RUN = 0xAE80;                   /* _IO(0x80) */
static const unsigned long CKVM_GET_MP_STATE = 0x8004AE98;      /* _IOR(0x98, struct ckvm_mp_state) */
static const unsigned long CKVM_SET_MP_STATE = 0x4004AE99;      /* _IOW(0x99, struct ckvm_mp_state) */
static const unsigned long CKVM_GET_VCPU_EVENTS = 0x8040AE9F;   /* _IOR(0x9f, struct ckvm_vcpu_events) */
static const unsigned long CKVM_SET_VCPU_EVENTS = 0x4040AEA0;   /* _IOW(0xa0, struct ckvm_vcpu_events) */
static const unsigned long CKVM_GET_ONE_REG = 0x4010AEAB;       /* _IOW(0xab, struct ckvm_one_reg) */
static const unsigned long CKVM_SET_ONE_REG = 0x4010AEAC;       /* _IOW(0xac, struct ckvm_one_reg) */
static const unsigned long CKVM_ARM_VCPU_INIT = 0x4020AEAE;     /* _IOW(0xae, struct ckvm_vcpu_init) */
static const unsigned long CKVM_GET_REG_LIST = 0xC008AEB0;      /* _IOWR(0xb0, struct ckvm_reg_list header) */
static const unsigned long CKVM_ARM_VCPU_FINALIZE = 0x4004AEC2; /* _IOW(0xc2, int) */

/* ---- capabilities (KVM_CHECK_EXTENSION / KVM_ENABLE_CAP) ---- */

static const int CKVM_CAP_IRQCHIP = 0;
static const int CKVM_CAP_USER_MEMORY = 3;
static const int CKVM_CAP_NR_VCPUS = 9;
static const int CKVM_CAP_IRQFD = 32;            /* KVM_IRQFD (arm64: needs an in-kernel vGIC) */
static const int CKVM_CAP_IOEVENTFD = 36;        /* KVM_IOEVENTFD */          /* recommended maximum vCPUs per VM */
static const int CKVM_CAP_MAX_VCPUS = 66;        /* hard maximum vCPUs per VM */
static const int CKVM_CAP_ONE_REG = 70;
static const int CKVM_CAP_IRQFD_RESAMPLE = 82;   /* KVM_IRQFD_FLAG_RESAMPLE (level-triggered lines) */
static const int CKVM_CAP_DEVICE_CTRL = 89;
static const int CKVM_CAP_ARM_PSCI_0_2 = 102;
static const int CKVM_CAP_ARM_PMU_V3 = 126;
static const int CKVM_CAP_VCPU_ATTRIBUTES = 127;
static const int CKVM_CAP_ARM_VM_IPA_SIZE = 165; /* returns the maximum IPA size in bits */
static const int CKVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168; /* returns the KVM_DIRTY_LOG_* flags it accepts */
static const int CKVM_CAP_ARM_SVE = 170;
static const int CKVM_CAP_ARM_PTRAUTH_ADDRESS = 171;
static const int CKVM_CAP_ARM_PTRAUTH_GENERIC = 172;
static const int CKVM_CAP_ARM_NISV_TO_USER = 177;
static const int CKVM_CAP_ARM_INJECT_EXT_DABT = 178;
static const int CKVM_CAP_ARM_MTE = 205;
static const int CKVM_CAP_ARM_SYSTEM_SUSPEND = 216;
static const int CKVM_CAP_COUNTER_OFFSET = 227;
static const int CKVM_CAP_ARM_WRITABLE_IMP_ID_REGS = 239;
static const int CKVM_CAP_ARM_EL2 = 240;         /* nested virtualisation: vCPUs may boot at EL2 */
static const int CKVM_CAP_ARM_EL2_E2H0 = 241;    /* ... and may be restricted to HCR_EL2.E2H == 0 */

/* ---- KVM_CREATE_VM machine type on arm64: the IPA size in bits 7:0 (0 means the default, 40) ---- */

static const unsigned long CKVM_VM_TYPE_ARM_IPA_SIZE_MASK = 0xff;

/* ---- vCPU features: bit numbers in ckvm_vcpu_init.features[0] ---- */

static const uint32_t CKVM_ARM_VCPU_POWER_OFF = 0;
static const uint32_t CKVM_ARM_VCPU_EL1_32BIT = 1;
static const uint32_t CKVM_ARM_VCPU_PSCI_0_2 = 2;
static const uint32_t CKVM_ARM_VCPU_PMU_V3 = 3;
static const uint32_t CKVM_ARM_VCPU_SVE = 4;               /* also the KVM_ARM_VCPU_FINALIZE argument */
static const uint32_t CKVM_ARM_VCPU_PTRAUTH_ADDRESS = 5;
static const uint32_t CKVM_ARM_VCPU_PTRAUTH_GENERIC = 6;
static const uint32_t CKVM_ARM_VCPU_HAS_EL2 = 7;
static const uint32_t CKVM_ARM_VCPU_HAS_EL2_E2H0 = 8;      /* only meaningful together with HAS_EL2 */

/* ---- exit reasons (ckvm_run.exit_reason) ---- */

static const uint32_t CKVM_EXIT_UNKNOWN = 0;
static const uint32_t CKVM_EXIT_HYPERCALL = 3;
static const uint32_t CKVM_EXIT_DEBUG = 4;
static const uint32_t CKVM_EXIT_MMIO = 6;
static const uint32_t CKVM_EXIT_FAIL_ENTRY = 9;
static const uint32_t CKVM_EXIT_INTR = 10;
static const uint32_t CKVM_EXIT_INTERNAL_ERROR = 17;
static const uint32_t CKVM_EXIT_SYSTEM_EVENT = 24;
static const uint32_t CKVM_EXIT_ARM_NISV = 28;
static const uint32_t CKVM_EXIT_ARM_SEA = 41;

/* hypercall.flags (arm64) and arm_sea.flags bits */
static const uint64_t CKVM_HYPERCALL_EXIT_SMC = 1u << 0;   /* the conduit was SMC, not HVC */
static const uint64_t CKVM_HYPERCALL_EXIT_16BIT = 1u << 1; /* the SMC/HVC immediate was not 0 */
static const uint64_t CKVM_EXIT_ARM_SEA_FLAG_GPA_VALID = 1u << 0;

/* ---- system event types (ckvm_run.system_event.type) ---- */

static const uint32_t CKVM_SYSTEM_EVENT_SHUTDOWN = 1;
static const uint32_t CKVM_SYSTEM_EVENT_RESET = 2;
static const uint32_t CKVM_SYSTEM_EVENT_CRASH = 3;
static const uint32_t CKVM_SYSTEM_EVENT_WAKEUP = 4;
static const uint32_t CKVM_SYSTEM_EVENT_SUSPEND = 5;

/* ---- MP states used on arm64 (ckvm_mp_state.mp_state) ---- */

static const uint32_t CKVM_MP_STATE_RUNNABLE = 0;
static const uint32_t CKVM_MP_STATE_STOPPED = 5;
static const uint32_t CKVM_MP_STATE_SUSPENDED = 10;

/* ---- memory region flags ---- */

static const uint32_t CKVM_MEM_LOG_DIRTY_PAGES = 1u << 0;
static const uint32_t CKVM_MEM_READONLY = 1u << 1;

/* KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) argument bits (api.rst 7.18) */
static const uint64_t CKVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1u << 0; /* GET_DIRTY_LOG no longer re-protects */
static const uint64_t CKVM_DIRTY_LOG_INITIALLY_SET = 1u << 1;         /* a new log starts all ones */

/* ---- devices (KVM_CREATE_DEVICE) ---- */

static const uint32_t CKVM_DEV_TYPE_ARM_VGIC_V3 = 7;
static const uint32_t CKVM_DEV_TYPE_ARM_VGIC_ITS = 8;
static const uint32_t CKVM_CREATE_DEVICE_TEST = 1;  /* only ask whether the type could be created */

/* vGICv3 attribute groups (Documentation/virt/kvm/devices/arm-vgic-v3.rst) */
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_ADDR = 0;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_DIST_REGS = 1;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_NR_IRQS = 3;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_CTRL = 4;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_REDIST_REGS = 5;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS = 6;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_LEVEL_INFO = 7;
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_ITS_REGS = 8;  /* ITS device: GITS_* at their frame offset */
static const uint32_t CKVM_DEV_ARM_VGIC_GRP_MAINT_IRQ = 9;
/* GRP_ADDR attributes */
static const uint64_t CKVM_VGIC_V3_ADDR_TYPE_DIST = 2;
static const uint64_t CKVM_VGIC_V3_ADDR_TYPE_REDIST = 3;
static const uint64_t CKVM_VGIC_V3_ADDR_TYPE_REDIST_REGION = 5;
static const uint64_t CKVM_VGIC_ITS_ADDR_TYPE = 4;  /* ITS device: its 128 KiB frame */
/* GRP_CTRL attributes */
static const uint64_t CKVM_DEV_ARM_VGIC_CTRL_INIT = 0;
static const uint64_t CKVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES = 3;
/* GRP_CTRL attributes of the ITS device (Documentation/virt/kvm/devices/arm-vgic-its.rst) */
static const uint64_t CKVM_DEV_ARM_ITS_SAVE_TABLES = 1;
static const uint64_t CKVM_DEV_ARM_ITS_RESTORE_TABLES = 2;
/* GRP_DIST/REDIST/CPU_SYSREGS attributes carry the target MPIDR affinity in bits 63:32 */
static const unsigned CKVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT = 32;
static const uint64_t CKVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK = 0xffff;

/* vCPU attribute groups (KVM_{SET,GET,HAS}_DEVICE_ATTR on a vCPU fd) */
static const uint32_t CKVM_ARM_VCPU_PMU_V3_CTRL = 0;
static const uint64_t CKVM_ARM_VCPU_PMU_V3_IRQ = 0;
static const uint64_t CKVM_ARM_VCPU_PMU_V3_INIT = 1;
static const uint32_t CKVM_ARM_VCPU_TIMER_CTRL = 1;
static const uint64_t CKVM_ARM_VCPU_TIMER_IRQ_VTIMER = 0;
static const uint64_t CKVM_ARM_VCPU_TIMER_IRQ_PTIMER = 1;
static const uint64_t CKVM_ARM_VCPU_TIMER_IRQ_HVTIMER = 2;  /* EL2 vCPUs only */
static const uint64_t CKVM_ARM_VCPU_TIMER_IRQ_HPTIMER = 3;  /* EL2 vCPUs only */

/* KVM_IRQ_LINE irq field on arm64: vcpu2[31:28] type[27:24] vcpu[23:16] num[15:0] */
static const unsigned CKVM_ARM_IRQ_VCPU2_SHIFT = 28;
static const unsigned CKVM_ARM_IRQ_TYPE_SHIFT = 24;
static const unsigned CKVM_ARM_IRQ_VCPU_SHIFT = 16;
static const uint32_t CKVM_ARM_IRQ_TYPE_CPU = 0;
static const uint32_t CKVM_ARM_IRQ_TYPE_SPI = 1;
static const uint32_t CKVM_ARM_IRQ_TYPE_PPI = 2;

/* ---- ioeventfd and irqfd flags (api.rst sections "KVM_IOEVENTFD" and "KVM_IRQFD") ----
 * ioeventfd flags are bits numbered by the kernel's kvm_ioeventfd_flag_nr_* enum: datamatch 0, pio 1,
 * deassign 2 (bit 3, virtio-ccw notify, is s390 only). */
static const uint32_t CKVM_IOEVENTFD_FLAG_DATAMATCH = 1u << 0; /* signal only when the written value equals datamatch */
static const uint32_t CKVM_IOEVENTFD_FLAG_PIO = 1u << 1;       /* an x86 port, not MMIO: never set on arm64 */
static const uint32_t CKVM_IOEVENTFD_FLAG_DEASSIGN = 1u << 2;  /* remove the matching registration */
static const uint32_t CKVM_IRQFD_FLAG_DEASSIGN = 1u << 0;
static const uint32_t CKVM_IRQFD_FLAG_RESAMPLE = 1u << 1;      /* resamplefd is valid: level-triggered mode */

/* ---- structs ---- */

/* KVM_GET_ONE_REG / KVM_SET_ONE_REG: addr points at a buffer as wide as the id's size field says. */
struct ckvm_one_reg {
	uint64_t id;
	uint64_t addr;
};

/* KVM_ARM_VCPU_INIT / KVM_ARM_PREFERRED_TARGET */
struct ckvm_vcpu_init {
	uint32_t target;
	uint32_t features[7];
};

/* KVM_GET_REG_LIST: the header; the kernel reads n, then writes up to n ids right after it. */
struct ckvm_reg_list {
	uint64_t n;
};

struct ckvm_userspace_memory_region {
	uint32_t slot;
	uint32_t flags;
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
};

struct ckvm_device_attr {
	uint32_t flags;
	uint32_t group;
	uint64_t attr;
	uint64_t addr;   /* userspace address of the value */
};

struct ckvm_create_device {
	uint32_t type;   /* in */
	uint32_t fd;     /* out */
	uint32_t flags;  /* in: CKVM_CREATE_DEVICE_TEST or 0 */
};

struct ckvm_enable_cap {
	uint32_t cap;
	uint32_t flags;
	uint64_t args[4];
	uint8_t pad[64];
};

/* arm64 layout: SError and external-abort injection state. */
struct ckvm_vcpu_events_exception {
	uint8_t serror_pending;
	uint8_t serror_has_esr;
	uint8_t ext_dabt_pending;
	uint8_t pad[5];
	uint64_t serror_esr;
};

struct ckvm_vcpu_events {
	struct ckvm_vcpu_events_exception exception;
	uint32_t reserved[12];
};

/* KVM_GET_DIRTY_LOG (api.rst 4.8): one bit per page of the slot, bit n of 64-bit word n / 64 for page
 * n, into a buffer of ALIGN(pages, 64) / 8 bytes. The kernel's field is a union of a pointer and a u64. */
struct ckvm_dirty_log {
	uint32_t slot;
	uint32_t padding1;
	uint64_t dirty_bitmap;
};

/* KVM_CLEAR_DIRTY_LOG (api.rst 4.117): re-protect the pages whose bits are set, for pages
 * [first_page, first_page + num_pages); first_page a multiple of 64, num_pages too unless it ends the slot. */
struct ckvm_clear_dirty_log {
	uint32_t slot;
	uint32_t num_pages;
	uint64_t first_page;
	uint64_t dirty_bitmap;
};

struct ckvm_arm_counter_offset {
	uint64_t counter_offset;
	uint64_t reserved;   /* must be 0 */
};

/* KVM_ARM_MTE_COPY_TAGS (api.rst 4.130): copy allocation tags between guest memory and a buffer of one
 * byte per 16-byte granule (the tag in bits 3:0). guest_ipa and length are page-aligned. */
struct ckvm_arm_copy_mte_tags {
	uint64_t guest_ipa;
	uint64_t length;      /* bytes of guest memory; the buffer holds length / 16 bytes */
	uint64_t addr;        /* userspace buffer */
	uint64_t flags;       /* CKVM_ARM_TAGS_TO_GUEST or CKVM_ARM_TAGS_FROM_GUEST */
	uint64_t reserved[2]; /* must be 0 */
};

static const uint64_t CKVM_ARM_TAGS_TO_GUEST = 0;
static const uint64_t CKVM_ARM_TAGS_FROM_GUEST = 1;

struct ckvm_mp_state {
	uint32_t mp_state;
};

struct ckvm_irq_level {
	uint32_t irq;
	uint32_t level;
};

/* KVM_IOEVENTFD: a guest write of len bytes (1, 2, 4, 8; 0 = any length) at addr signals fd instead of
 * exiting to userspace. With CKVM_IOEVENTFD_FLAG_DATAMATCH only a write of exactly datamatch does. */
struct ckvm_ioeventfd {
	uint64_t datamatch;
	uint64_t addr;
	uint32_t len;
	int32_t fd;
	uint32_t flags;
	uint8_t pad[36];
};

/* KVM_IRQFD: a write to fd injects interrupt gsi (arm64: SPI INTID gsi + 32 under the default routing).
 * resamplefd is signalled when the guest completes a level-triggered interrupt (RESAMPLE mode only). */
struct ckvm_irqfd {
	uint32_t fd;
	uint32_t gsi;
	uint32_t flags;
	uint32_t resamplefd;
	uint8_t pad[16];
};

/* ---- kvm_run: the page(s) shared with the kernel, mmap'd from the vCPU fd ---- */

/* KVM_EXIT_UNKNOWN */
struct ckvm_run_hw {
	uint64_t hardware_exit_reason;
};

/* KVM_EXIT_FAIL_ENTRY */
struct ckvm_run_fail_entry {
	uint64_t hardware_entry_failure_reason;
	uint32_t cpu;
};

/* KVM_EXIT_DEBUG (arm64 struct kvm_debug_exit_arch) */
struct ckvm_run_debug {
	uint32_t hsr;
	uint32_t hsr_high;   /* ESR_EL2[61:32] */
	uint64_t far;
};

/* KVM_EXIT_MMIO: for a read, userspace fills data[0..len) before the next KVM_RUN. */
struct ckvm_run_mmio {
	uint64_t phys_addr;
	uint8_t data[8];
	uint32_t len;
	uint8_t is_write;
};

/* KVM_EXIT_HYPERCALL: on arm64, SMCCC calls routed to userspace (nr = function id). */
struct ckvm_run_hypercall {
	uint64_t nr;
	uint64_t args[6];
	uint64_t ret;
	uint64_t flags;      /* shares its storage with the x86 u32 longmode */
};

/* KVM_EXIT_INTERNAL_ERROR */
struct ckvm_run_internal {
	uint32_t suberror;
	uint32_t ndata;
	uint64_t data[16];
};

/* KVM_EXIT_SYSTEM_EVENT: data[0] is also the historical flags field. */
struct ckvm_run_system_event {
	uint32_t type;
	uint32_t ndata;
	uint64_t data[16];
};

/* KVM_EXIT_ARM_NISV: a data abort without valid syndrome (ISV == 0) */
struct ckvm_run_arm_nisv {
	uint64_t esr_iss;
	uint64_t fault_ipa;
};

/* KVM_EXIT_ARM_SEA: a synchronous external abort routed to userspace */
struct ckvm_run_arm_sea {
	uint64_t flags;
	uint64_t esr;
	uint64_t gva;
	uint64_t gpa;
};

/* Byte offset of the exit union inside ckvm_run (for writing mmio.data back into the shared page). */
static const unsigned long CKVM_RUN_EXIT_OFFSET = 32;

struct ckvm_run {
	/* in */
	uint8_t request_interrupt_window;
	uint8_t immediate_exit;
	uint8_t padding1[6];
	/* out */
	uint32_t exit_reason;
	uint8_t ready_for_interrupt_injection;
	uint8_t if_flag;
	uint16_t flags;
	uint64_t cr8;
	uint64_t apic_base;
	/* offset 32: the exit-specific union, 256 bytes */
	union {
		struct ckvm_run_hw hw;
		struct ckvm_run_fail_entry fail_entry;
		struct ckvm_run_debug debug;
		struct ckvm_run_mmio mmio;
		struct ckvm_run_hypercall hypercall;
		struct ckvm_run_internal internal;
		struct ckvm_run_system_event system_event;
		struct ckvm_run_arm_nisv arm_nisv;
		struct ckvm_run_arm_sea arm_sea;
		uint64_t exit_padding[32];
	};
	uint64_t kvm_valid_regs;
	uint64_t kvm_dirty_regs;
	uint64_t sync_regs[256];   /* 2048 bytes; arm64 defines no sync registers */
};

/* ---- userfaultfd (linux/userfaultfd.h, Documentation/admin-guide/mm/userfaultfd.rst) ----
 * Restore of a nested guest fills its RAM on demand from the snapshot file, and a fresh boot streams
 * the kernel and initrd in while the guest starts: vmmctl registers the anonymous RAM (or the
 * files' part of it) with a userfaultfd and answers each missing-page fault with UFFDIO_COPY. A
 * userfaultfd comes from /dev/userfaultfd with USERFAULTFD_IOC_NEW (Linux 6.1+). Not arm64-specific. */
static const unsigned long CKVM_USERFAULTFD_IOC_NEW = 0xAA00;     /* _IO(0xAA, 0x00), arg: O_* flags */
static const uint64_t CKVM_UFFD_API = 0xAA;
static const unsigned long CKVM_UFFDIO_API = 0xC018AA3F;          /* _IOWR(0xAA, 0x3F, uffdio_api) */
static const unsigned long CKVM_UFFDIO_REGISTER = 0xC020AA00;     /* _IOWR(0xAA, 0x00, uffdio_register) */
static const unsigned long CKVM_UFFDIO_UNREGISTER = 0x8010AA01;   /* _IOR(0xAA, 0x01, uffdio_range) */
static const unsigned long CKVM_UFFDIO_WAKE = 0x8010AA02;         /* _IOR(0xAA, 0x02, uffdio_range) */
static const unsigned long CKVM_UFFDIO_COPY = 0xC028AA03;         /* _IOWR(0xAA, 0x03, uffdio_copy) */
static const uint64_t CKVM_UFFDIO_REGISTER_MODE_MISSING = 1;
static const uint8_t CKVM_UFFD_EVENT_PAGEFAULT = 0x12;

struct ckvm_uffdio_api {
	uint64_t api;        /* in: CKVM_UFFD_API */
	uint64_t features;   /* in: requested, out: supported */
	uint64_t ioctls;     /* out: bit per supported ioctl */
};

struct ckvm_uffdio_range {
	uint64_t start;
	uint64_t len;
};

struct ckvm_uffdio_register {
	struct ckvm_uffdio_range range;
	uint64_t mode;       /* CKVM_UFFDIO_REGISTER_MODE_* */
	uint64_t ioctls;     /* out: ioctls usable on the range */
};

struct ckvm_uffdio_copy {
	uint64_t dst;        /* page-aligned destination in the registered range */
	uint64_t src;        /* source buffer in this process */
	uint64_t len;
	uint64_t mode;
	int64_t copy;        /* out: bytes copied, or a negative errno */
};

/* One event read from the userfaultfd (32 bytes, packed in the kernel's header; naturally aligned
 * here). Only the page-fault event's fields are named. */
struct ckvm_uffd_msg {
	uint8_t event;       /* CKVM_UFFD_EVENT_* */
	uint8_t reserved1;
	uint16_t reserved2;
	uint32_t reserved3;
	uint64_t pagefault_flags;
	uint64_t pagefault_address;
	uint64_t arg_rest;   /* the rest of the kernel's 24-byte union */
};

#endif /* CKVM_H */
