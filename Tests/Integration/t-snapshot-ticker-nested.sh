#!/bin/sh
# The tick-counter test of t-snapshot-restore.sh on a --nested guest (its kernel at EL2, its own KVM up):
# after restore the ticks continue from where they stopped and the guest's clock carries on from the
# pause, not from the time the VM was stopped (30 s). The EL2 timers (CNTHV/CNTHP) are what tick here.
. "$(dirname "$0")/lib.sh"
need_nested
need_guest initrd
S=/tmp/snaptick; rm -rf $S; mkdir -p $S
# The VM stays stopped this long between snapshot and restore, so that a clock jump (the guest's counter
# running on while it was stopped) stands out (lib.sh's check_ticks: $ahead1, $tpause). A restored
# nested guest's RAM is filled on demand: under TCG its first tick can take many seconds (8.6 s seen in
# the lab, failing the old 5 s step limit), hence the wide step allowed.
STOPPED_FOR=30 TICK_STEP_MAX=60
export TICK_STEP_MAX
A=$S/a.sock B=$S/b.sock
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M --nested --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >$S/run1.log 2>$S/run1.err &
pid1=$!
wait_for $S/run1.log "TICK 3 " 180 || { echo "the guest never ticked"; tail -n 20 $S/run1.log $S/run1.err; kill $pid1; exit 1; }
ahead1=$(guest_ahead $S/run1.log TICK); tpause=$(date +%s)
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A >/dev/null || { kill $pid1; exit 1; }
wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; exit 1; }
echo "the VM stays stopped for $STOPPED_FOR s"; sleep $STOPPED_FOR
restore_and_check_ticks $S/snap $S/run1.log $B $S/run2.log || exit 1
rm -rf $S
