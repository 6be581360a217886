#!/usr/bin/env bash
# scripts/virtio-guest.sh OUT [FILE...] - builds the disk guests of the integration tests and benchmarks into
# OUT/guest, on this (x86_64 or any) host, from the lab's disk guest kit (lab setup step 8,
# $LAB_DIR/vm/guest-kit) and the lab's base initramfs:
#   initrd-virtio   the base busybox initramfs plus Tests/Integration/guest-initramfs-init.sh as /init and
#                   the virtio modules: it loads them and switch_roots to the ext4 disk (root=/dev/vda)
#   rootfs.ext4     a 32 MiB ext4 image made with `mke2fs -d`: busybox, guest-rootfs-init.sh as /sbin/init,
#                   /etc/disk-id, and the FILEs in /bin (the benchmark's diskbench); the pristine copy
#                   that every test copies before it boots from it
#   host-modules/   kernel modules the lab host loads for a test (loop.ko: a disk on a block device)
#   e2fs/           arm64 debugfs, e2fsck and mke2fs (with their libraries): the tests run them inside the
#                   lab, on the image files the guest wrote, after vmmctl exits
# Takes well under a second; the images are rebuilt on every call.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:?usage: virtio-guest.sh OUT [FILE...]}; shift
lab_dir=${LAB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm-lab}
KIT=$lab_dir/vm/guest-kit
[ -s "$KIT/modules/load-order" ] && [ -x "$KIT/busybox" ] \
  || { echo "virtio-guest.sh: no disk guest kit in $KIT; run: bash lab/lab setup" >&2; exit 1; }
command -v mke2fs >/dev/null || { echo "virtio-guest.sh: no mke2fs; install e2fsprogs (lab setup does)" >&2; exit 1; }
G=$OUT/guest
mkdir -p "$G"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The module-loading initramfs.
mkdir -p "$tmp/ir/lib/modules" "$tmp/ir/newroot"
install -m 755 "$ROOT/Tests/Integration/guest-initramfs-init.sh" "$tmp/ir/init"
cp "$KIT"/modules/*.ko "$KIT/modules/load-order" "$tmp/ir/lib/modules/"
{ cat "$lab_dir/vm/initramfs-base.cpio.gz"; python3 "$ROOT/lab/mkcpio.py" "$tmp/ir"; } > "$G/initrd-virtio"

# The root filesystem. A fixed UUID and hash seed keep the image the same from run to run.
R=$tmp/rootfs
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,run,mnt,root,etc}
cp "$KIT/busybox" "$R/bin/busybox"; ln -s busybox "$R/bin/sh"
install -m 755 "$ROOT/Tests/Integration/guest-rootfs-init.sh" "$R/sbin/init"
echo "vmmctl-rootfs" > "$R/etc/disk-id"
for f in "$@"; do install -m 755 "$f" "$R/bin/"; done
rm -f "$G/rootfs.ext4"; truncate -s 32M "$G/rootfs.ext4"
mke2fs -q -F -t ext4 -b 4096 -L vmmctl-root -U 6d6d6374-6c00-4000-8000-000000000009 \
  -E root_owner=0:0,hash_seed=6d6d6374-6c00-4000-8000-000000000009 -d "$R" "$G/rootfs.ext4"
rm -rf "$G/e2fs"; cp -a "$KIT/e2fs" "$G/e2fs"
# The lab host's own modules (loop, for a disk backed by a block device); absent from an older kit.
rm -rf "$G/host-modules"; [ -d "$KIT/host-modules" ] && cp -a "$KIT/host-modules" "$G/host-modules"
echo "disk guests in $G: initrd-virtio ($(stat -c %s "$G/initrd-virtio") bytes), rootfs.ext4 (32 MiB), e2fs/"
