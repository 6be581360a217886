#!/bin/sh
# The lab's Debian kernel boots from an ext4 root filesystem on a virtio-blk disk: initrd-virtio loads
# virtio_mmio, virtio_blk and virtio-rng and switch_roots to /dev/vda. The guest writes files, syncs and
# powers off; the files are read back from the image (debugfs) and `e2fsck -fn` is clean. Also: the
# disk's serial= shows as /sys/block/vda/serial, a readonly second disk (vdb) refuses writes and is left
# byte for byte unchanged, and /dev/hwrng (virtio-rng, on by default) gives bytes.
. "$(dirname "$0")/lib.sh"
need_disk_guest
S=/tmp/t-virtio-disk; rm -rf $S; mkdir -p $S
fresh_disk $S/root.ext4; fresh_disk $S/ro.ext4
ro_sum=$(md5sum < $S/ro.ext4)
disk_run $S/run.log --memory 512M --disk $S/root.ext4,serial=vmmctl-vda --disk $S/ro.ext4,readonly \
  --cmdline "$DISK_CMDLINE vmmctl.test=disk"; st=$?
grep -a -E "INITRAMFS|ROOTFS|DISK|WROTE|SERIAL|RO |HWRNG|VDB|REMOUNT|rror|arn" $S/run.log | head -n 40
fail=0
[ "$st" = 0 ] || { echo "vmmctl exited $st, expected 0"; tail -n 30 $S/run.log; fail=1; }
ok() { expect_line $S/run.log "$@" || fail=1; }
ok "^INITRAMFS-SWITCH root=/dev/vda mode=rw" "the initramfs switching to /dev/vda"
ok "^ROOTFS-UP mode=disk .* root=/dev/vda rw" "the root filesystem mounted read-write"
ok "^WROTE-SYNCED rc=0" "sync after the writes"
ok "^SERIAL vda=vmmctl-vda$" "serial=vmmctl-vda as /sys/block/vda/serial"
ok "^RO vda=0$" "vda writable"
ok "^HWRNG-CURRENT virtio_rng" "virtio-rng as the current hwrng"
ok "^HWRNG-BYTES 256 " "256 bytes from /dev/hwrng"
# 256 random bytes have about 160 distinct values; a stuck or constant source has a handful.
d=$(sed -n 's/^HWRNG-BYTES 256 distinct=\([0-9]*\).*/\1/p' $S/run.log)
[ "${d:-0}" -gt 64 ] || { echo "/dev/hwrng gave only ${d:-0} distinct byte values in 256"; fail=1; }
ok "^RO vdb=1$" "vdb (readonly) read-only in the guest"
ok "^VDB-RAW-WRITE rc=[1-9]" "a raw write to the readonly vdb refused"
ok "^VDB-MOUNT-RO rc=0" "vdb mounted read-only"
ok "^VDB-READ vmmctl-rootfs$" "a file read from vdb"
ok "^VDB-TOUCH rc=[1-9]" "creating a file on the read-only vdb refused"
ok "^DISK-DONE" "the end of the guest's checks"
ok "^ROOT-REMOUNT-RO rc=0" "the root filesystem remounted read-only before power-off"
# Back on the host: what the guest wrote is on the disk, and the filesystem is clean.
[ "$(disk_file $S/root.ext4 /hello.txt)" = "hello from the vmmctl guest" ] \
  || { echo "/hello.txt on the image: '$(disk_file $S/root.ext4 /hello.txt)'"; fail=1; }
seq 1 20000 > $S/numbers.want
disk_file $S/root.ext4 /numbers.txt > $S/numbers.got
cmp $S/numbers.want $S/numbers.got && echo "/numbers.txt: $(wc -c < $S/numbers.got) bytes, exact" \
  || { echo "/numbers.txt differs from seq 1 20000"; fail=1; }
fsck_clean $S/root.ext4 || fail=1
[ "$(md5sum < $S/ro.ext4)" = "$ro_sum" ] && echo "the readonly image is unchanged" \
  || { echo "the readonly disk's image changed"; fail=1; }
fsck_clean $S/ro.ext4 || fail=1
[ $fail = 0 ] && rm -rf $S
exit $fail
