#!/bin/sh
# The disk boot of t-virtio-disk.sh on the other VM shapes `vmmctl run` makes: 2 vCPUs at EL1, and
# 2 vCPUs at EL2 with --nested (VHE) and --nested --e2h0 (nVHE), with --no-rng (no hwrng in the guest);
# the first from a block device (a loop device over the image) where the host can make one.
# Each writes its files on a fresh image, which must read back exactly and check clean.
. "$(dirname "$0")/lib.sh"
need_disk_guest
S=/tmp/t-virtio-matrix; rm -rf $S; mkdir -p $S
seq 1 20000 > $S/numbers.want
fail=0
nested_flags "--cpus 2" "--cpus 2 --nested" "--cpus 2 --nested --e2h0" > $S/shapes
# The first shape boots from a block device (a loop device over the image: its size comes from the
# device, not a file's length), where the host can make one; the others from the image file.
loopdev=
if [ ! -e /dev/loop-control ] && [ -f "$G/host-modules/loop.ko" ]; then insmod "$G/host-modules/loop.ko" 2>/dev/null; fi
[ -e /dev/loop-control ] && command -v losetup >/dev/null || echo "no loop devices here: every shape boots from the image file"
while read -r flags; do
  fresh_disk $S/root.ext4
  disk=$S/root.ext4
  if [ -z "$loopdev" ] && [ -e /dev/loop-control ] && loopdev=$(losetup -f) && losetup "$loopdev" $S/root.ext4; then
    disk=$loopdev
  fi
  echo "== vmmctl run $flags --disk $disk --no-rng"
  # shellcheck disable=SC2086
  disk_run $S/run.log --memory 512M $flags --no-rng --disk $disk,serial=m \
    --cmdline "$DISK_CMDLINE vmmctl.test=disk"; st=$?
  if [ "$disk" != $S/root.ext4 ]; then
    losetup -d "$disk" || { echo "losetup -d $disk failed"; fail=1; }
    grep -aq "^ROOTFS-UP" $S/run.log && echo "booted from the block device $disk" || { echo "no boot from the block device $disk"; fail=1; }
  fi
  grep -a -E "^(ROOTFS-UP|WROTE|SERIAL|HWRNG-CURRENT|DISK-DONE|ROOT-REMOUNT)" $S/run.log
  [ "$st" = 0 ] || { echo "vmmctl exited $st, expected 0"; tail -n 30 $S/run.log; fail=1; continue; }
  expect_line $S/run.log "^ROOTFS-UP mode=disk cpus=2 root=/dev/vda rw" "2 CPUs on the read-write disk root" || fail=1
  expect_line $S/run.log "^ROOT-REMOUNT-RO rc=0" "the root remounted read-only before power-off" || fail=1
  grep -aq "^HWRNG-CURRENT virtio_rng" $S/run.log && { echo "a virtio hwrng with --no-rng"; fail=1; }
  disk_file $S/root.ext4 /numbers.txt | cmp - $S/numbers.want || { echo "/numbers.txt differs"; fail=1; }
  fsck_clean $S/root.ext4 || fail=1
done < $S/shapes
[ $fail = 0 ] && rm -rf $S
exit $fail
