#!/bin/sh
# A snapshot's memory.bin truncated under the VM restored from it: the VMM reports it by name and never
# dies of SIGBUS. `vmmctl snapshot` of the restored VM (which reads all guest RAM) is refused with an
# error naming memory.bin and the sizes, the VMM keeps serving; resumed, the guest's first access to its
# lost RAM makes KVM_RUN fail (EFAULT), reported as a guest fault (status 12) naming memory.bin.
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/snaptrunc; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >$S/run1.log 2>&1 &
pid1=$!
wait_for $S/run1.log "TICK 2 " 120 || { echo "the guest never ticked"; tail -n 20 $S/run1.log; kill $pid1; exit 1; }
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A || { kill $pid1; exit 1; }
wait $pid1 || { echo "run exited $? after snapshot --then stop"; exit 1; }
# Restore paused, so that nothing touches guest RAM before the truncation.
"$VMMCTL" restore $S/snap --paused --api-socket $B </dev/null >$S/run2.log 2>&1 &
pid2=$!
_w=0; while [ "$("$VMMCTL" status --api-socket $B 2>/dev/null)" != paused ]; do
  _w=$((_w+1)); [ $_w -gt 60 ] && { echo "restore --paused never reported paused"; cat $S/run2.log; kill $pid2; exit 1; }; sleep 1
done
size=$(wc -c < $S/snap/memory.bin)
: > $S/snap/memory.bin   # truncated to 0 bytes, in place (same inode)
echo "memory.bin truncated from $size to $(wc -c < $S/snap/memory.bin) bytes under the restored VM"
# 1. The snapshot writer checks the file before reading guest RAM: an error naming it, no SIGBUS.
if "$VMMCTL" snapshot $S/snap2 --api-socket $B 2>$S/err.txt; then echo "snapshotted RAM that is gone"; kill $pid2; exit 1; fi
cat $S/err.txt
grep -q "memory.bin was truncated from $size to 0 bytes while the VM ran" $S/err.txt \
  || { echo "the error does not name memory.bin and the sizes"; kill $pid2; exit 1; }
[ -e $S/snap2 ] && { echo "a snapshot directory was left behind"; kill $pid2; exit 1; }
[ "$("$VMMCTL" status --api-socket $B 2>/dev/null)" = paused ] \
  || { echo "the VMM stopped serving after the refused snapshot"; cat $S/run2.log; exit 1; }
# 2. Resumed, the guest touches RAM that no longer exists: KVM_RUN fails, and the fault names the file.
"$VMMCTL" resume --api-socket $B
wait $pid2; st=$?
cat $S/run2.log | tail -n 5
[ "$st" = 135 ] && { echo "the VMM died of SIGBUS"; exit 1; }
[ "$st" = 12 ] || { echo "restore exited $st, not 12 (guest fault)"; exit 1; }
grep -q "KVM_RUN failed: .*memory.bin was truncated from $size to 0 bytes" $S/run2.log \
  || { echo "the guest fault does not name memory.bin"; exit 1; }
rm -rf $S
