#!/bin/sh
# Snapshot a Linux guest mid-run, stop the VM, restore it, and the guest's tick counter carries on from
# where it stopped, with no gap and no clock jump beyond the pause. Also: dump-regs of the snapshot, an
# existing snapshot directory is never overwritten, and a corrupted snapshot is refused.
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/snaptest; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >$S/run1.log 2>$S/run1.err &
pid1=$!
wait_for $S/run1.log "TICK 3 " 120 || { echo "the guest never ticked"; tail -n 20 $S/run1.log $S/run1.err; kill $pid1; exit 1; }
"$VMMCTL" dump-regs --api-socket $A --filter PSTATE | head -n 8 || exit 1
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A || { kill $pid1; exit 1; }
wait $pid1; st=$?
[ "$st" = 0 ] || { echo "run exited $st after snapshot --then stop"; exit 1; }
last=$(grep -a "^TICK" $S/run1.log | tail -n 1)
echo "before the snapshot: $last"
n=$(echo "$last" | cut -d' ' -f2)
ls -l $S/snap
# An existing snapshot is never overwritten.
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >$S/run3.log 2>&1 &
pid3=$!
wait_for $S/run3.log "TICK 0 " 120
before=$(md5sum $S/snap/state.vmmsnap; stat -c '%n %s %Y' $S/snap/*)
if "$VMMCTL" snapshot $S/snap --api-socket $A 2>$S/err.txt; then echo "overwrote an existing snapshot"; exit 1; fi
cat $S/err.txt
grep -q "already exists" $S/err.txt || { echo "no 'already exists' error"; exit 1; }
[ "$(md5sum $S/snap/state.vmmsnap; stat -c '%n %s %Y' $S/snap/*)" = "$before" ] || { echo "the existing snapshot changed"; exit 1; }
"$VMMCTL" shutdown --api-socket $A; wait $pid3
# dump-regs of the snapshot.
"$VMMCTL" dump-regs --snapshot $S/snap --filter el2-special >/dev/null 2>&1 || true
"$VMMCTL" dump-regs --snapshot $S/snap --vcpu 0 | head -n 12 || exit 1
# Restore: the ticks carry on.
restore_and_check_ticks $S/snap $S/run1.log $B $S/run2.log || exit 1
# restore --paused: the VM waits before its first instruction with exactly the snapshot's registers,
# and runs on `vmmctl resume`.
"$VMMCTL" restore $S/snap --paused --api-socket $B </dev/null >$S/run4.log 2>&1 &
pid4=$!
_w=0; while [ "$("$VMMCTL" status --api-socket $B 2>/dev/null)" != paused ]; do
  _w=$((_w+1)); [ $_w -gt 60 ] && { echo "restore --paused never reported paused"; cat $S/run4.log; kill $pid4; exit 1; }; sleep 1
done
pc() { grep -E "^  PC " | awk '{print $3}'; }
want=$("$VMMCTL" dump-regs --snapshot $S/snap --filter PC | pc)
got=$("$VMMCTL" dump-regs --api-socket $B --filter PC | pc)
echo "restore --paused: PC $got (snapshot: $want)"
[ -n "$want" ] && [ "$got" = "$want" ] || { echo "the paused VM is not at the snapshot's PC"; kill $pid4; exit 1; }
grep -q "^TICK" $S/run4.log && { echo "the guest ran while paused"; kill $pid4; exit 1; }
"$VMMCTL" resume --api-socket $B
wait_for $S/run4.log "TICK $((n + 1)) " 120 || { echo "no tick after resume"; kill $pid4; exit 1; }
"$VMMCTL" shutdown --api-socket $B; wait $pid4
# A corrupted snapshot is refused, and nothing starts.
cp -r $S/snap $S/bad
printf 'X' | dd of=$S/bad/state.vmmsnap bs=1 seek=100 conv=notrunc 2>/dev/null
if "$VMMCTL" restore $S/bad --api-socket $B </dev/null >$S/bad.log 2>&1; then echo "restored a corrupted snapshot"; exit 1; fi
cat $S/bad.log
grep -qi "checksum\|corrupt" $S/bad.log || { echo "no checksum error"; exit 1; }
rm -rf $S
