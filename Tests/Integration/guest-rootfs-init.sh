#!/bin/sh
# /sbin/init of the disk guests' ext4 root filesystem (scripts/virtio-guest.sh builds guest/rootfs.ext4
# with it; guest-initramfs-init.sh switches root to it). The root filesystem itself is only written by
# the test modes below: busybox's applet links go to a tmpfs, not to the disk. Powers off through PSCI
# SYSTEM_OFF when done, so vmmctl exits 0. Modes (kernel command line vmmctl.test=...):
#   disk        the checks of t-virtio-disk.sh: files written and synced, serial, /dev/hwrng, a read-only vdb
#   write-loop  vmmctl.loop=N files written and synced one by one (a snapshot is taken in the middle);
#               with vmmctl.loop.gate=K it prints LOOP-GATE and waits for a console line before file K
#   readback    /etc/disk-id read back, /l2-was-here written (the L2 guest of t-virtio-nested.sh)
#   l1-disk     this (nested) guest's own vmmctl boots the L2 guest from /l2/rootfs.ext4
#   bench       scripts/bench-suite.sh's disk benchmark: /bin/diskbench on /dev/vdb (vmmctl.bench.mb MiB)
/bin/busybox mount -t proc proc /proc 2>/dev/null
/bin/busybox mount -t tmpfs tmp /tmp
/bin/busybox mkdir -p /tmp/bin
/bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin:/bin:/sbin HOME=/ TERM=dumb
grep -q " /sys " /proc/mounts || mount -t sysfs sys /sys
grep -q " /dev " /proc/mounts || mount -t devtmpfs dev /dev
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
mode=$(arg vmmctl.test)
echo "ROOTFS-UP mode=$mode cpus=$(grep -c ^processor /proc/cpuinfo) root=$(awk '$2 == "/" { print $1, $4 }' /proc/mounts | tail -n 1)"
echo "DISK-ID $(cat /etc/disk-id)"

# /numbers.txt, /hello.txt and /loop/fN hold what the host recomputes: `seq` output, a fixed line.
case $mode in
disk)
  echo "hello from the vmmctl guest" > /hello.txt
  seq 1 20000 > /numbers.txt
  sync; echo "WROTE-SYNCED rc=$?"
  echo "SERIAL vda=$(cat /sys/block/vda/serial 2>/dev/null)"
  echo "RO vda=$(cat /sys/block/vda/ro)"
  echo "HWRNG-CURRENT $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
  n=$(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c)
  echo "HWRNG-BYTES $n distinct=$(dd if=/dev/hwrng bs=256 count=1 2>/dev/null | od -An -v -tx1 | tr ' ' '\n' | sort -u | grep -c .)"
  if [ -b /dev/vdb ]; then
    echo "RO vdb=$(cat /sys/block/vdb/ro)"
    dd if=/dev/zero of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null; echo "VDB-RAW-WRITE rc=$?"
    mkdir -p /mnt && mount -t ext4 -o ro /dev/vdb /mnt; echo "VDB-MOUNT-RO rc=$?"
    echo "VDB-READ $(cat /mnt/etc/disk-id)"
    touch /mnt/should-not-exist 2>/dev/null; echo "VDB-TOUCH rc=$?"
    umount /mnt
  fi
  echo "DISK-DONE" ;;
write-loop)
  n=$(arg vmmctl.loop); gate=$(arg vmmctl.loop.gate); mkdir -p /loop
  i=0
  while [ $i -lt "${n:-30}" ]; do
    if [ "$i" = "$gate" ]; then echo "LOOP-GATE $i"; read -r line; fi
    seq $((i * 1000)) $((i * 1000 + 1999)) > /loop/f$i
    sync; echo "WROTE $i"
    i=$((i + 1))
  done
  echo "LOOP-DONE $i" ;;
readback)
  echo "L2-READ $(cat /etc/disk-id) serial=$(cat /sys/block/vda/serial 2>/dev/null)"
  echo "written by the L2 guest" > /l2-was-here
  sync; echo "L2-WROTE rc=$?" ;;
l1-disk)
  echo "== L2: vmmctl run --disk inside the guest"
  /l2/vmmctl run /l2/Image --initrd /l2/initrd-virtio --memory 256M --disk /l2/rootfs.ext4,serial=l2disk \
    --cmdline "console=ttyAMA0 panic=-1 quiet root=/dev/vda rw vmmctl.test=readback" </dev/null
  echo "L2-EXIT=$?"
  sync ;;
bench)
  mb=$(arg vmmctl.bench.mb)
  for m in seqwrite seqread randread; do /bin/diskbench /dev/vdb $m "${mb:-64}" 2000; done ;;
esac
# Read-only before power-off, as a distribution's shutdown does: ext4 checkpoints its journal and clears
# needs_recovery, so the host's `e2fsck -n` sees a clean filesystem, not one to replay.
sync
mount -o remount,ro / 2>/dev/null; echo "ROOT-REMOUNT-RO rc=$?"
poweroff -f
