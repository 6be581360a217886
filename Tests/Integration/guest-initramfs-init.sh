#!/bin/sh
# /init of the disk guests' initramfs (scripts/virtio-guest.sh builds it as guest/initrd-virtio): what a
# distribution's initramfs does, in miniature. It loads the virtio modules the cloud kernel does not
# build in (lib/modules/load-order, dependencies first), waits for the root disk, mounts it and
# switch_roots into it. Kernel command line: root=DEV (default /dev/vda), ro|rw (default rw),
# rootwait=SECONDS (default 30), init=PATH (default /sbin/init). A failure prints "INITRAMFS-FAIL why" and
# powers off, so the test sees the reason instead of a hang.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s 2>/dev/null
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() { echo "INITRAMFS-FAIL $*"; poweroff -f; }
root=/dev/vda mode=rw wait=30 init=/sbin/init
for a in $(cat /proc/cmdline); do
  case $a in
    root=*) root=${a#root=} ;;
    ro|rw) mode=$a ;;
    rootwait=*) wait=${a#rootwait=} ;;
    init=*) init=${a#init=} ;;
  esac
done
for m in $(cat /lib/modules/load-order); do
  insmod "/lib/modules/$m.ko" || fail "insmod $m"
done
# The device node appears once virtio_blk has probed the disk (asynchronously, from its own work).
i=0
while [ ! -b "$root" ]; do
  i=$((i + 1)); [ $i -gt $((wait * 10)) ] && fail "no $root after $wait s ($(ls /sys/block | tr '\n' ' '))"
  sleep 0.1
done
mkdir -p /newroot
mount -t ext4 -o "$mode" "$root" /newroot || fail "mount -o $mode $root"
[ -x "/newroot$init" ] || fail "no $init on $root"
echo "INITRAMFS-SWITCH root=$root mode=$mode modules=$(cat /lib/modules/load-order | tr '\n' ' ')"
for d in proc sys dev; do mkdir -p "/newroot/$d" && mount --move "/$d" "/newroot/$d"; done
exec switch_root /newroot "$init"
