#!/bin/sh
# The tick-counter test of t-snapshot-restore.sh on a --nested guest (its kernel at EL2, its own KVM up):
# after restore the ticks continue from where they stopped and the guest's uptime moves on by about one
# tick period, not by the time the VM was stopped. The EL2 timers (CNTHV/CNTHP) are what tick here.
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/snaptick; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M --nested --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >$S/run1.log 2>&1 &
pid1=$!
wait_for $S/run1.log "TICK 3 " 180 || { echo "the guest never ticked"; tail -n 20 $S/run1.log; kill $pid1; exit 1; }
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A >/dev/null || { kill $pid1; exit 1; }
wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; exit 1; }
last=$(grep -a "^TICK" $S/run1.log | tail -n 1)
restore_and_check_ticks $S/snap "$last" $B $S/run2.log || exit 1
rm -rf $S
