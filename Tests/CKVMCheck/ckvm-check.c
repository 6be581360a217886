/*
 * ckvm-check.c - proves that Sources/CKVM/include/ckvm.h matches the kernel's arm64 KVM UAPI.
 *
 * Compiled against the pinned kernel's uapi headers; compiling is the proof (every check is a
 * _Static_assert), and the program returns 0 so it can also be run:
 *   bash lab/lab cc -Wall -Werror -I Sources/CKVM/include -o /tmp/ckvm-check \
 *       Tests/CKVMCheck/ckvm-check.c
 */
#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <stddef.h>

#include "ckvm.h"

/* Sizes and offsets are integer constant expressions, so they are checked with _Static_assert. Our
 * numbers are `static const` objects (that is what Swift imports with exact types), and C does not
 * accept those in _Static_assert. They are checked at compile time all the same: check_constants() is
 * compiled with optimisation, which folds each comparison of two known values, and a comparison that
 * is not provably equal leaves a call to ckvm_constant_mismatch(), whose `error` attribute makes the
 * compiler stop with the line of the offending SAME(). (If folding ever failed, the build would fail,
 * never pass falsely.) */
extern void ckvm_constant_mismatch(void) __attribute__((error("a CKVM constant differs from the kernel's")));
static int mismatches;
#define SAME(ours, kernel)                                                               \
	do {                                                                               \
		if ((unsigned long long)(ours) != (unsigned long long)(kernel)) {          \
			ckvm_constant_mismatch();                                          \
			mismatches++;                                                      \
		}                                                                          \
	} while (0)

#define SIZE(ours, kernel) _Static_assert(sizeof(struct ours) == sizeof(struct kernel), "sizeof " #ours)
#define OFF(ours, kernel, field) \
	_Static_assert(offsetof(struct ours, field) == offsetof(struct kernel, field), #ours "." #field)
#define OFF2(ours, kernel, ofield, kfield) \
	_Static_assert(offsetof(struct ours, ofield) == offsetof(struct kernel, kfield), #ours "." #ofield)

/* ---- structs ---- */
SIZE(ckvm_uffdio_api, uffdio_api);
OFF(ckvm_uffdio_api, uffdio_api, ioctls);
SIZE(ckvm_uffdio_range, uffdio_range);
SIZE(ckvm_uffdio_register, uffdio_register);
OFF(ckvm_uffdio_register, uffdio_register, mode);
OFF(ckvm_uffdio_register, uffdio_register, ioctls);
SIZE(ckvm_uffdio_copy, uffdio_copy);
OFF(ckvm_uffdio_copy, uffdio_copy, copy);
SIZE(ckvm_uffd_msg, uffd_msg);
OFF2(ckvm_uffd_msg, uffd_msg, pagefault_flags, arg.pagefault.flags);
OFF2(ckvm_uffd_msg, uffd_msg, pagefault_address, arg.pagefault.address);
SIZE(ckvm_one_reg, kvm_one_reg);
OFF(ckvm_one_reg, kvm_one_reg, id);
OFF(ckvm_one_reg, kvm_one_reg, addr);

SIZE(ckvm_vcpu_init, kvm_vcpu_init);
OFF(ckvm_vcpu_init, kvm_vcpu_init, target);
OFF(ckvm_vcpu_init, kvm_vcpu_init, features);
_Static_assert(sizeof(((struct ckvm_vcpu_init *)0)->features) == sizeof(((struct kvm_vcpu_init *)0)->features), "features[]");

SIZE(ckvm_reg_list, kvm_reg_list);
OFF(ckvm_reg_list, kvm_reg_list, n);
_Static_assert(offsetof(struct kvm_reg_list, reg) == sizeof(struct ckvm_reg_list), "reg[] follows the header");

SIZE(ckvm_userspace_memory_region, kvm_userspace_memory_region);
OFF(ckvm_userspace_memory_region, kvm_userspace_memory_region, slot);
OFF(ckvm_userspace_memory_region, kvm_userspace_memory_region, flags);
OFF(ckvm_userspace_memory_region, kvm_userspace_memory_region, guest_phys_addr);
OFF(ckvm_userspace_memory_region, kvm_userspace_memory_region, memory_size);
OFF(ckvm_userspace_memory_region, kvm_userspace_memory_region, userspace_addr);

SIZE(ckvm_dirty_log, kvm_dirty_log);
OFF(ckvm_dirty_log, kvm_dirty_log, slot);
OFF(ckvm_dirty_log, kvm_dirty_log, dirty_bitmap);

SIZE(ckvm_clear_dirty_log, kvm_clear_dirty_log);
OFF(ckvm_clear_dirty_log, kvm_clear_dirty_log, slot);
OFF(ckvm_clear_dirty_log, kvm_clear_dirty_log, num_pages);
OFF(ckvm_clear_dirty_log, kvm_clear_dirty_log, first_page);
OFF(ckvm_clear_dirty_log, kvm_clear_dirty_log, dirty_bitmap);

SIZE(ckvm_device_attr, kvm_device_attr);
OFF(ckvm_device_attr, kvm_device_attr, flags);
OFF(ckvm_device_attr, kvm_device_attr, group);
OFF(ckvm_device_attr, kvm_device_attr, attr);
OFF(ckvm_device_attr, kvm_device_attr, addr);

SIZE(ckvm_create_device, kvm_create_device);
OFF(ckvm_create_device, kvm_create_device, type);
OFF(ckvm_create_device, kvm_create_device, fd);
OFF(ckvm_create_device, kvm_create_device, flags);

SIZE(ckvm_enable_cap, kvm_enable_cap);
OFF(ckvm_enable_cap, kvm_enable_cap, cap);
OFF(ckvm_enable_cap, kvm_enable_cap, flags);
OFF(ckvm_enable_cap, kvm_enable_cap, args);
OFF(ckvm_enable_cap, kvm_enable_cap, pad);

SIZE(ckvm_vcpu_events, kvm_vcpu_events);
OFF(ckvm_vcpu_events, kvm_vcpu_events, exception.serror_pending);
OFF(ckvm_vcpu_events, kvm_vcpu_events, exception.serror_has_esr);
OFF(ckvm_vcpu_events, kvm_vcpu_events, exception.ext_dabt_pending);
OFF(ckvm_vcpu_events, kvm_vcpu_events, exception.serror_esr);
OFF(ckvm_vcpu_events, kvm_vcpu_events, reserved);

SIZE(ckvm_arm_counter_offset, kvm_arm_counter_offset);
OFF(ckvm_arm_counter_offset, kvm_arm_counter_offset, counter_offset);
OFF(ckvm_arm_counter_offset, kvm_arm_counter_offset, reserved);

SIZE(ckvm_arm_copy_mte_tags, kvm_arm_copy_mte_tags);
OFF(ckvm_arm_copy_mte_tags, kvm_arm_copy_mte_tags, guest_ipa);
OFF(ckvm_arm_copy_mte_tags, kvm_arm_copy_mte_tags, length);
OFF(ckvm_arm_copy_mte_tags, kvm_arm_copy_mte_tags, addr);
OFF(ckvm_arm_copy_mte_tags, kvm_arm_copy_mte_tags, flags);
OFF(ckvm_arm_copy_mte_tags, kvm_arm_copy_mte_tags, reserved);
_Static_assert(sizeof(struct kvm_arm_copy_mte_tags) == 48, "kvm_arm_copy_mte_tags is 48 bytes");

SIZE(ckvm_mp_state, kvm_mp_state);
SIZE(ckvm_irq_level, kvm_irq_level);
OFF(ckvm_irq_level, kvm_irq_level, irq);
OFF(ckvm_irq_level, kvm_irq_level, level);

SIZE(ckvm_ioeventfd, kvm_ioeventfd);
OFF(ckvm_ioeventfd, kvm_ioeventfd, datamatch);
OFF(ckvm_ioeventfd, kvm_ioeventfd, addr);
OFF(ckvm_ioeventfd, kvm_ioeventfd, len);
OFF(ckvm_ioeventfd, kvm_ioeventfd, fd);
OFF(ckvm_ioeventfd, kvm_ioeventfd, flags);
OFF(ckvm_ioeventfd, kvm_ioeventfd, pad);
_Static_assert(sizeof(((struct ckvm_ioeventfd *)0)->pad) == sizeof(((struct kvm_ioeventfd *)0)->pad), "ioeventfd pad");

SIZE(ckvm_irqfd, kvm_irqfd);
OFF(ckvm_irqfd, kvm_irqfd, fd);
OFF(ckvm_irqfd, kvm_irqfd, gsi);
OFF(ckvm_irqfd, kvm_irqfd, flags);
OFF(ckvm_irqfd, kvm_irqfd, resamplefd);
OFF(ckvm_irqfd, kvm_irqfd, pad);
_Static_assert(sizeof(((struct ckvm_irqfd *)0)->pad) == sizeof(((struct kvm_irqfd *)0)->pad), "irqfd pad");

/* kvm_run: header, the 256-byte union at 32, the sync-register tail */
SIZE(ckvm_run, kvm_run);
OFF(ckvm_run, kvm_run, request_interrupt_window);
OFF(ckvm_run, kvm_run, immediate_exit);
OFF(ckvm_run, kvm_run, exit_reason);
OFF(ckvm_run, kvm_run, ready_for_interrupt_injection);
OFF(ckvm_run, kvm_run, if_flag);
OFF(ckvm_run, kvm_run, flags);
OFF(ckvm_run, kvm_run, cr8);
OFF(ckvm_run, kvm_run, apic_base);
_Static_assert(offsetof(struct ckvm_run, hw) == 32, "the exit union starts at 32");
_Static_assert(sizeof(((struct ckvm_run *)0)->exit_padding) == 256, "the exit union is 256 bytes");
_Static_assert(sizeof(((struct kvm_run *)0)->padding) == 256, "kernel exit union is 256 bytes");
OFF(ckvm_run, kvm_run, hw.hardware_exit_reason);
OFF(ckvm_run, kvm_run, fail_entry.hardware_entry_failure_reason);
OFF(ckvm_run, kvm_run, fail_entry.cpu);
OFF2(ckvm_run, kvm_run, debug.hsr, debug.arch.hsr);
OFF2(ckvm_run, kvm_run, debug.hsr_high, debug.arch.hsr_high);
OFF2(ckvm_run, kvm_run, debug.far, debug.arch.far);
OFF(ckvm_run, kvm_run, mmio.phys_addr);
OFF(ckvm_run, kvm_run, mmio.data);
OFF(ckvm_run, kvm_run, mmio.len);
OFF(ckvm_run, kvm_run, mmio.is_write);
#define FSIZE(ours, kernel, field) \
	_Static_assert(sizeof(((struct ours *)0)->field) == sizeof(((struct kernel *)0)->field), #ours "." #field " size")
FSIZE(ckvm_run, kvm_run, mmio.data);
FSIZE(ckvm_run, kvm_run, mmio.len);
FSIZE(ckvm_run, kvm_run, mmio.is_write);
FSIZE(ckvm_run, kvm_run, fail_entry.cpu);
FSIZE(ckvm_run, kvm_run, internal.data);
FSIZE(ckvm_run, kvm_run, system_event.data);
FSIZE(ckvm_run, kvm_run, exit_reason);
FSIZE(ckvm_run, kvm_run, immediate_exit);
OFF(ckvm_run, kvm_run, hypercall.nr);
OFF(ckvm_run, kvm_run, hypercall.args);
OFF(ckvm_run, kvm_run, hypercall.ret);
OFF(ckvm_run, kvm_run, hypercall.flags);
OFF(ckvm_run, kvm_run, internal.suberror);
OFF(ckvm_run, kvm_run, internal.ndata);
OFF(ckvm_run, kvm_run, internal.data);
OFF(ckvm_run, kvm_run, system_event.type);
OFF(ckvm_run, kvm_run, system_event.ndata);
OFF(ckvm_run, kvm_run, system_event.data);
OFF2(ckvm_run, kvm_run, system_event.data, system_event.flags);
OFF(ckvm_run, kvm_run, arm_nisv.esr_iss);
OFF(ckvm_run, kvm_run, arm_nisv.fault_ipa);
OFF(ckvm_run, kvm_run, arm_sea.flags);
OFF(ckvm_run, kvm_run, arm_sea.esr);
OFF(ckvm_run, kvm_run, arm_sea.gva);
OFF(ckvm_run, kvm_run, arm_sea.gpa);
OFF(ckvm_run, kvm_run, kvm_valid_regs);
OFF(ckvm_run, kvm_run, kvm_dirty_regs);
OFF2(ckvm_run, kvm_run, sync_regs, s);
_Static_assert(sizeof(((struct ckvm_run *)0)->sync_regs) == sizeof(((struct kvm_run *)0)->s), "sync regs");

/* ---- constants ---- */
__attribute__((optimize("O2"))) static void check_constants(void)
{
	SAME(CKVM_API_VERSION, KVM_API_VERSION);
	SAME(CKVM_RUN_EXIT_OFFSET, offsetof(struct kvm_run, mmio));

	/* ioctl numbers */
	SAME(CKVM_GET_API_VERSION, KVM_GET_API_VERSION);
	SAME(CKVM_CREATE_VM, KVM_CREATE_VM);
	SAME(CKVM_CHECK_EXTENSION, KVM_CHECK_EXTENSION);
	SAME(CKVM_GET_VCPU_MMAP_SIZE, KVM_GET_VCPU_MMAP_SIZE);
	SAME(CKVM_CREATE_VCPU, KVM_CREATE_VCPU);
	SAME(CKVM_SET_USER_MEMORY_REGION, KVM_SET_USER_MEMORY_REGION);
	SAME(CKVM_IRQ_LINE, KVM_IRQ_LINE);
	SAME(CKVM_ENABLE_CAP, KVM_ENABLE_CAP);
	SAME(CKVM_ARM_PREFERRED_TARGET, KVM_ARM_PREFERRED_TARGET);
	SAME(CKVM_ARM_SET_COUNTER_OFFSET, KVM_ARM_SET_COUNTER_OFFSET);
	SAME(CKVM_ARM_MTE_COPY_TAGS, KVM_ARM_MTE_COPY_TAGS);
	SAME(CKVM_ARM_TAGS_TO_GUEST, KVM_ARM_TAGS_TO_GUEST);
	SAME(CKVM_ARM_TAGS_FROM_GUEST, KVM_ARM_TAGS_FROM_GUEST);
	SAME(CKVM_CREATE_DEVICE, KVM_CREATE_DEVICE);
	SAME(CKVM_IRQFD, KVM_IRQFD);
	SAME(CKVM_IOEVENTFD, KVM_IOEVENTFD);
	SAME(CKVM_GET_DIRTY_LOG, KVM_GET_DIRTY_LOG);
	SAME(CKVM_CLEAR_DIRTY_LOG, KVM_CLEAR_DIRTY_LOG);
	SAME(CKVM_SET_DEVICE_ATTR, KVM_SET_DEVICE_ATTR);
	SAME(CKVM_GET_DEVICE_ATTR, KVM_GET_DEVICE_ATTR);
	SAME(CKVM_HAS_DEVICE_ATTR, KVM_HAS_DEVICE_ATTR);
	SAME(CKVM_RUN, KVM_RUN);
	SAME(CKVM_GET_MP_STATE, KVM_GET_MP_STATE);
	SAME(CKVM_SET_MP_STATE, KVM_SET_MP_STATE);
	SAME(CKVM_GET_VCPU_EVENTS, KVM_GET_VCPU_EVENTS);
	SAME(CKVM_SET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS);
	SAME(CKVM_GET_ONE_REG, KVM_GET_ONE_REG);
	SAME(CKVM_SET_ONE_REG, KVM_SET_ONE_REG);
	SAME(CKVM_ARM_VCPU_INIT, KVM_ARM_VCPU_INIT);
	SAME(CKVM_GET_REG_LIST, KVM_GET_REG_LIST);
	SAME(CKVM_ARM_VCPU_FINALIZE, KVM_ARM_VCPU_FINALIZE);

	/* capabilities */
	SAME(CKVM_CAP_IRQCHIP, KVM_CAP_IRQCHIP);
	SAME(CKVM_CAP_USER_MEMORY, KVM_CAP_USER_MEMORY);
	SAME(CKVM_CAP_NR_VCPUS, KVM_CAP_NR_VCPUS);
	SAME(CKVM_CAP_IRQFD, KVM_CAP_IRQFD);
	SAME(CKVM_CAP_IOEVENTFD, KVM_CAP_IOEVENTFD);
	SAME(CKVM_CAP_IRQFD_RESAMPLE, KVM_CAP_IRQFD_RESAMPLE);
	SAME(CKVM_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPUS);
	SAME(CKVM_CAP_ONE_REG, KVM_CAP_ONE_REG);
	SAME(CKVM_CAP_DEVICE_CTRL, KVM_CAP_DEVICE_CTRL);
	SAME(CKVM_CAP_ARM_PSCI_0_2, KVM_CAP_ARM_PSCI_0_2);
	SAME(CKVM_CAP_ARM_PMU_V3, KVM_CAP_ARM_PMU_V3);
	SAME(CKVM_CAP_VCPU_ATTRIBUTES, KVM_CAP_VCPU_ATTRIBUTES);
	SAME(CKVM_CAP_ARM_VM_IPA_SIZE, KVM_CAP_ARM_VM_IPA_SIZE);
	SAME(CKVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	SAME(CKVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
	SAME(CKVM_DIRTY_LOG_INITIALLY_SET, KVM_DIRTY_LOG_INITIALLY_SET);
	SAME(CKVM_CAP_ARM_SVE, KVM_CAP_ARM_SVE);
	SAME(CKVM_CAP_ARM_PTRAUTH_ADDRESS, KVM_CAP_ARM_PTRAUTH_ADDRESS);
	SAME(CKVM_CAP_ARM_PTRAUTH_GENERIC, KVM_CAP_ARM_PTRAUTH_GENERIC);
	SAME(CKVM_CAP_ARM_NISV_TO_USER, KVM_CAP_ARM_NISV_TO_USER);
	SAME(CKVM_CAP_ARM_INJECT_EXT_DABT, KVM_CAP_ARM_INJECT_EXT_DABT);
	SAME(CKVM_CAP_ARM_MTE, KVM_CAP_ARM_MTE);
	SAME(CKVM_CAP_ARM_SYSTEM_SUSPEND, KVM_CAP_ARM_SYSTEM_SUSPEND);
	SAME(CKVM_CAP_COUNTER_OFFSET, KVM_CAP_COUNTER_OFFSET);
	SAME(CKVM_CAP_ARM_WRITABLE_IMP_ID_REGS, KVM_CAP_ARM_WRITABLE_IMP_ID_REGS);
	SAME(CKVM_CAP_ARM_EL2, KVM_CAP_ARM_EL2);
	SAME(CKVM_CAP_ARM_EL2_E2H0, KVM_CAP_ARM_EL2_E2H0);
	SAME(CKVM_VM_TYPE_ARM_IPA_SIZE_MASK, KVM_VM_TYPE_ARM_IPA_SIZE_MASK);

	/* vCPU features */
	SAME(CKVM_ARM_VCPU_POWER_OFF, KVM_ARM_VCPU_POWER_OFF);
	SAME(CKVM_ARM_VCPU_EL1_32BIT, KVM_ARM_VCPU_EL1_32BIT);
	SAME(CKVM_ARM_VCPU_PSCI_0_2, KVM_ARM_VCPU_PSCI_0_2);
	SAME(CKVM_ARM_VCPU_PMU_V3, KVM_ARM_VCPU_PMU_V3);
	SAME(CKVM_ARM_VCPU_SVE, KVM_ARM_VCPU_SVE);
	SAME(CKVM_ARM_VCPU_PTRAUTH_ADDRESS, KVM_ARM_VCPU_PTRAUTH_ADDRESS);
	SAME(CKVM_ARM_VCPU_PTRAUTH_GENERIC, KVM_ARM_VCPU_PTRAUTH_GENERIC);
	SAME(CKVM_ARM_VCPU_HAS_EL2, KVM_ARM_VCPU_HAS_EL2);
	SAME(CKVM_ARM_VCPU_HAS_EL2_E2H0, KVM_ARM_VCPU_HAS_EL2_E2H0);

	/* exit reasons and system events */
	SAME(CKVM_EXIT_UNKNOWN, KVM_EXIT_UNKNOWN);
	SAME(CKVM_EXIT_HYPERCALL, KVM_EXIT_HYPERCALL);
	SAME(CKVM_EXIT_DEBUG, KVM_EXIT_DEBUG);
	SAME(CKVM_EXIT_MMIO, KVM_EXIT_MMIO);
	SAME(CKVM_EXIT_FAIL_ENTRY, KVM_EXIT_FAIL_ENTRY);
	SAME(CKVM_EXIT_INTR, KVM_EXIT_INTR);
	SAME(CKVM_EXIT_INTERNAL_ERROR, KVM_EXIT_INTERNAL_ERROR);
	SAME(CKVM_EXIT_SYSTEM_EVENT, KVM_EXIT_SYSTEM_EVENT);
	SAME(CKVM_EXIT_ARM_NISV, KVM_EXIT_ARM_NISV);
	SAME(CKVM_EXIT_ARM_SEA, KVM_EXIT_ARM_SEA);
	SAME(CKVM_HYPERCALL_EXIT_SMC, KVM_HYPERCALL_EXIT_SMC);
	SAME(CKVM_HYPERCALL_EXIT_16BIT, KVM_HYPERCALL_EXIT_16BIT);
	SAME(CKVM_EXIT_ARM_SEA_FLAG_GPA_VALID, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID);
	SAME(CKVM_SYSTEM_EVENT_SHUTDOWN, KVM_SYSTEM_EVENT_SHUTDOWN);
	SAME(CKVM_SYSTEM_EVENT_RESET, KVM_SYSTEM_EVENT_RESET);
	SAME(CKVM_SYSTEM_EVENT_CRASH, KVM_SYSTEM_EVENT_CRASH);
	SAME(CKVM_SYSTEM_EVENT_WAKEUP, KVM_SYSTEM_EVENT_WAKEUP);
	SAME(CKVM_SYSTEM_EVENT_SUSPEND, KVM_SYSTEM_EVENT_SUSPEND);

	/* MP states, memory flags */
	SAME(CKVM_MP_STATE_RUNNABLE, KVM_MP_STATE_RUNNABLE);
	SAME(CKVM_MP_STATE_STOPPED, KVM_MP_STATE_STOPPED);
	SAME(CKVM_MP_STATE_SUSPENDED, KVM_MP_STATE_SUSPENDED);
	SAME(CKVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_LOG_DIRTY_PAGES);
	SAME(CKVM_MEM_READONLY, KVM_MEM_READONLY);

	/* devices and the vGICv3 */
	SAME(CKVM_DEV_TYPE_ARM_VGIC_V3, KVM_DEV_TYPE_ARM_VGIC_V3);
	SAME(CKVM_DEV_TYPE_ARM_VGIC_ITS, KVM_DEV_TYPE_ARM_VGIC_ITS);
	SAME(CKVM_CREATE_DEVICE_TEST, KVM_CREATE_DEVICE_TEST);
	SAME(CKVM_DEV_ARM_VGIC_GRP_ADDR, KVM_DEV_ARM_VGIC_GRP_ADDR);
	SAME(CKVM_DEV_ARM_VGIC_GRP_DIST_REGS, KVM_DEV_ARM_VGIC_GRP_DIST_REGS);
	SAME(CKVM_DEV_ARM_VGIC_GRP_NR_IRQS, KVM_DEV_ARM_VGIC_GRP_NR_IRQS);
	SAME(CKVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_GRP_CTRL);
	SAME(CKVM_DEV_ARM_VGIC_GRP_REDIST_REGS, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS);
	SAME(CKVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS);
	SAME(CKVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO);
	SAME(CKVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ);
	SAME(CKVM_DEV_ARM_VGIC_GRP_ITS_REGS, KVM_DEV_ARM_VGIC_GRP_ITS_REGS);
	SAME(CKVM_VGIC_ITS_ADDR_TYPE, KVM_VGIC_ITS_ADDR_TYPE);
	SAME(CKVM_DEV_ARM_ITS_SAVE_TABLES, KVM_DEV_ARM_ITS_SAVE_TABLES);
	SAME(CKVM_DEV_ARM_ITS_RESTORE_TABLES, KVM_DEV_ARM_ITS_RESTORE_TABLES);
	SAME(CKVM_VGIC_V3_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_DIST);
	SAME(CKVM_VGIC_V3_ADDR_TYPE_REDIST, KVM_VGIC_V3_ADDR_TYPE_REDIST);
	SAME(CKVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION);
	SAME(CKVM_DEV_ARM_VGIC_CTRL_INIT, KVM_DEV_ARM_VGIC_CTRL_INIT);
	SAME(CKVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES);
	SAME(CKVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT, KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT);
	SAME(CKVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK, KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK);

	/* vCPU attributes */
	SAME(CKVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_CTRL);
	SAME(CKVM_ARM_VCPU_PMU_V3_IRQ, KVM_ARM_VCPU_PMU_V3_IRQ);
	SAME(CKVM_ARM_VCPU_PMU_V3_INIT, KVM_ARM_VCPU_PMU_V3_INIT);
	SAME(CKVM_ARM_VCPU_TIMER_CTRL, KVM_ARM_VCPU_TIMER_CTRL);
	SAME(CKVM_ARM_VCPU_TIMER_IRQ_VTIMER, KVM_ARM_VCPU_TIMER_IRQ_VTIMER);
	SAME(CKVM_ARM_VCPU_TIMER_IRQ_PTIMER, KVM_ARM_VCPU_TIMER_IRQ_PTIMER);
	SAME(CKVM_ARM_VCPU_TIMER_IRQ_HVTIMER, KVM_ARM_VCPU_TIMER_IRQ_HVTIMER);
	SAME(CKVM_ARM_VCPU_TIMER_IRQ_HPTIMER, KVM_ARM_VCPU_TIMER_IRQ_HPTIMER);

	/* KVM_IRQ_LINE encoding */
	SAME(CKVM_ARM_IRQ_VCPU2_SHIFT, KVM_ARM_IRQ_VCPU2_SHIFT);
	SAME(CKVM_ARM_IRQ_TYPE_SHIFT, KVM_ARM_IRQ_TYPE_SHIFT);
	SAME(CKVM_ARM_IRQ_VCPU_SHIFT, KVM_ARM_IRQ_VCPU_SHIFT);
	SAME(CKVM_ARM_IRQ_TYPE_CPU, KVM_ARM_IRQ_TYPE_CPU);
	SAME(CKVM_ARM_IRQ_TYPE_SPI, KVM_ARM_IRQ_TYPE_SPI);
	SAME(CKVM_ARM_IRQ_TYPE_PPI, KVM_ARM_IRQ_TYPE_PPI);

	/* ioeventfd and irqfd flags */
	SAME(CKVM_IOEVENTFD_FLAG_DATAMATCH, KVM_IOEVENTFD_FLAG_DATAMATCH);
	SAME(CKVM_IOEVENTFD_FLAG_PIO, KVM_IOEVENTFD_FLAG_PIO);
	SAME(CKVM_IOEVENTFD_FLAG_DEASSIGN, KVM_IOEVENTFD_FLAG_DEASSIGN);
	SAME(CKVM_IRQFD_FLAG_DEASSIGN, KVM_IRQFD_FLAG_DEASSIGN);
	SAME(CKVM_IRQFD_FLAG_RESAMPLE, KVM_IRQFD_FLAG_RESAMPLE);

	/* userfaultfd */
	SAME(CKVM_USERFAULTFD_IOC_NEW, USERFAULTFD_IOC_NEW);
	SAME(CKVM_UFFD_API, UFFD_API);
	SAME(CKVM_UFFDIO_API, UFFDIO_API);
	SAME(CKVM_UFFDIO_REGISTER, UFFDIO_REGISTER);
	SAME(CKVM_UFFDIO_UNREGISTER, UFFDIO_UNREGISTER);
	SAME(CKVM_UFFDIO_WAKE, UFFDIO_WAKE);
	SAME(CKVM_UFFDIO_COPY, UFFDIO_COPY);
	SAME(CKVM_UFFDIO_REGISTER_MODE_MISSING, UFFDIO_REGISTER_MODE_MISSING);
	SAME(CKVM_UFFD_EVENT_PAGEFAULT, UFFD_EVENT_PAGEFAULT);
}

int main(void)
{
	check_constants();
	return mismatches != 0;
}
