#!/bin/sh
# vmmctl inside a nested guest gives its L2 guest a disk. The L1 guest (--nested) boots from its own
# virtio disk, whose ext4 filesystem holds vmmctl, the kernel, initrd-virtio and the L2's root image;
# its vmmctl boots the L2 guest from that image, the L2 reads its disk (and serial) and writes a file.
# Afterwards the L2's image is taken out of the L1's (debugfs) and both check clean, with the L2's file.
. "$(dirname "$0")/lib.sh"
need_nested
need_disk_guest
S=/tmp/t-virtio-nested; rm -rf $S; mkdir -p $S
T=$S/l1tree
mkdir -p $T/bin $T/sbin $T/etc $T/l2 $T/dev $T/proc $T/sys $T/tmp $T/mnt $T/run $T/root
# The L1 filesystem: the same busybox and init as the rootfs image, plus what the L2 needs.
e2fs debugfs -R "dump /bin/busybox $T/bin/busybox" "$G/rootfs.ext4" 2>/dev/null
e2fs debugfs -R "dump /sbin/init $T/sbin/init" "$G/rootfs.ext4" 2>/dev/null
chmod 755 $T/bin/busybox $T/sbin/init; ln -s busybox $T/bin/sh
echo vmmctl-l1 > $T/etc/disk-id
cp "$VMMCTL" $T/l2/vmmctl; cp "$G/Image" "$G/initrd-virtio" $T/l2/; fresh_disk $T/l2/rootfs.ext4
mb=$(($(du -sm $T | cut -f1) + 32))
truncate -s ${mb}M $S/l1.ext4
e2fs mke2fs -q -F -t ext4 -b 4096 -L vmmctl-l1 -E root_owner=0:0 -d $T $S/l1.ext4 || { echo "mke2fs -d failed"; exit 1; }
rm -rf $T
echo "L1 disk: ${mb} MiB"
fail=0
disk_run $S/l1.log --memory 1G --nested --disk $S/l1.ext4,serial=l1disk \
  --cmdline "$DISK_CMDLINE vmmctl.test=l1-disk"; st=$?
grep -a -E "^(INITRAMFS|ROOTFS-UP|DISK-ID|== L2|L2-|ROOT-REMOUNT)" $S/l1.log
[ "$st" = 0 ] || { echo "vmmctl exited $st, expected 0"; tail -n 30 $S/l1.log; fail=1; }
expect_line $S/l1.log "^DISK-ID vmmctl-l1$" "the L1 guest on its own disk" || fail=1
expect_line $S/l1.log "^L2-READ vmmctl-rootfs serial=l2disk$" "the L2 guest reading its disk and serial" || fail=1
expect_line $S/l1.log "^L2-WROTE rc=0$" "the L2 guest's synced write" || fail=1
expect_line $S/l1.log "^L2-EXIT=0$" "the L1's vmmctl exiting 0" || fail=1
e2fs debugfs -R "dump /l2/rootfs.ext4 $S/l2.ext4" $S/l1.ext4 2>/dev/null
fsck_clean $S/l1.ext4 || fail=1
fsck_clean $S/l2.ext4 || fail=1
[ "$(disk_file $S/l2.ext4 /l2-was-here)" = "written by the L2 guest" ] \
  || { echo "the L2's /l2-was-here: '$(disk_file $S/l2.ext4 /l2-was-here)'"; fail=1; }
[ $fail = 0 ] && rm -rf $S
exit $fail
