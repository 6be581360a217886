/*
 * ckvm_host.h - the plain Linux system calls vmmctl needs that Swift's Glibc module does not import.
 *
 * Glibc's Swift module map (SwiftGlibc.h) leaves out <sys/eventfd.h> and <sys/epoll.h>, so `eventfd`,
 * `epoll_create1`, `epoll_ctl`, `epoll_wait` and `struct epoll_event` are invisible to Swift without
 * this header. Unlike <linux/kvm.h> (see ckvm.h for why that one is never included), these are glibc's
 * own headers and exist, with the right layout, on every Linux architecture: struct epoll_event is
 * packed on x86_64 and naturally aligned on arm64, which is exactly why we include the real header
 * rather than declaring it ourselves.
 *
 * Used by Sources/VMM/IO (EventFD, IOThread): devices notified by ioeventfd and interrupts injected
 * by irqfd (docs/architecture.md, "I/O off the vCPU thread").
 *
 * <malloc.h> (mallopt and its M_* parameters), also left out of the Glibc module, is for
 * Sources/VMM/Memory/MallocPolicy.swift: the VMM's own memory footprint (docs/performance.md).
 */
#ifndef CKVM_HOST_H
#define CKVM_HOST_H

#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <malloc.h>
#include <sys/types.h>

/*
 * fallocate(2) and getrandom(2) are declared by glibc only under _GNU_SOURCE (<fcntl.h>) or in
 * <sys/random.h>, neither of which Swift's Glibc module exposes. These are glibc's own prototypes
 * (fallocate since glibc 2.10, getrandom since 2.25), used by the virtio block and entropy devices
 * (Sources/VMM/Devices/Virtio): discard and write-zeroes, and the guest's entropy.
 */
extern int fallocate(int fd, int mode, off_t offset, off_t len);
extern ssize_t getrandom(void *buf, size_t buflen, unsigned int flags);

#endif /* CKVM_HOST_H */
