#!/bin/sh
# A 2-vCPU Linux guest busy on both vCPUs (guest-init.sh's smp-ticker: one busy counter per CPU, pinned
# with taskset, each line saying which CPU printed it) is snapshotted, stopped and restored: each CPU's
# counter continues from where it stopped (n+1 first) without a clock jump, and every line still comes
# from its own CPU. Then the restored VM is snapshotted again, stopped, and that second snapshot restored:
# the counters continue once more (a restored SMP VM snapshots and restores like a booted one).
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/snapsmp; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock C=$S/c.sock
P0="CPU0 TICK" P1="CPU1 TICK"
# The VM stays stopped this long between snapshot and restore, so that a clock jump (the guest's
# counter running on while it was stopped) stands out: in the tick steps, and in the clock itself
# (lib.sh's check_ticks: $ahead1, $tpause).
STOPPED_FOR=20 TICK_STEP_MAX=10
export TICK_STEP_MAX VMMCTL_TIMING=1
t0=$(date +%s)
# Whatever happens, no VM and no snapshot outlives the script (the lab's /tmp is RAM).
trap 'kill $pid1 $pid2 $rpid 2>/dev/null; rm -rf $S' EXIT
# pinned LOG: every CPUc tick line of LOG was printed on CPU c (on=c), and both CPUs ticked.
pinned() {
  for c in 0 1; do
    grep -aq "^CPU$c TICK" "$1" || { echo "$1: no CPU$c ticks"; return 1; }
    _bad=$(grep -a "^CPU$c TICK [0-9]* [0-9.]* on=[0-9]* " "$1" | grep -av " on=$c " | head -n 3)
    [ -z "$_bad" ] || { echo "$1: CPU$c's worker ran elsewhere:"; echo "$_bad"; return 1; }
  done
}
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --cpus 2 --memory 256M --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=smp-ticker" </dev/null >$S/run1.log 2>$S/run1.err &
pid1=$!
wait_for $S/run1.log "^CPU0 TICK 3 " 180 && wait_for $S/run1.log "^CPU1 TICK 3 " 60 \
  || { echo "the guest never ticked on both CPUs"; tail -n 20 $S/run1.log $S/run1.err; kill $pid1; exit 1; }
grep -a -E "VMMCTL-GUEST-UP|SMP-TICKER|WORKER" $S/run1.log | tr -d '\r'
echo "booted and ticking on both CPUs after $(($(date +%s) - t0)) s"
ahead1=$(guest_ahead $S/run1.log "$P0"); tpause=$(date +%s)
"$VMMCTL" snapshot $S/snap1 --then stop --api-socket $A >/dev/null || { kill $pid1; exit 1; }
wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; exit 1; }
pid1=
grep -a "^CPU[01] TICK" $S/run1.log | tail -n 2 | tr -d '\r'
pinned $S/run1.log || exit 1
"$VMMCTL" dump-regs --snapshot $S/snap1 --filter PC | grep -E "^=== vCPU|^  PC " || exit 1
[ "$("$VMMCTL" dump-regs --snapshot $S/snap1 --filter PC | grep -c "^=== vCPU .* MP state runnable")" = 2 ] \
  || { echo "the snapshot does not hold two runnable vCPUs"; exit 1; }

echo "== restore 1: the snapshot of the booted VM, stopped for $STOPPED_FOR s"
sleep $STOPPED_FOR
restore_ticker $S/snap1 $B $S/run2.log; pid2=$rpid
wait_ticks $S/run1.log $S/run2.log 180 "$P0" "$P1" || { kill $pid2; exit 1; }
cat $S/run2.log.err
check_ticks $S/run1.log $S/run2.log "$P0" "$P1" || { kill $pid2; exit 1; }
pinned $S/run2.log || { kill $pid2; exit 1; }

echo "== restore 2: a snapshot of the restored VM, stopped for $STOPPED_FOR s"
ahead1=$(guest_ahead $S/run2.log "$P0"); tpause=$(date +%s)
"$VMMCTL" snapshot $S/snap2 --then stop --api-socket $B >/dev/null || { kill $pid2; exit 1; }
wait $pid2 || { echo "the restored run did not exit 0 after snapshot --then stop"; exit 1; }
pid2=
rm -rf $S/snap1  # no longer mapped by any VM; the lab's /tmp is RAM
sleep $STOPPED_FOR
restore_and_check_ticks $S/snap2 $S/run2.log $C $S/run3.log "$P0" "$P1" || exit 1
pinned $S/run3.log || exit 1
echo "done in $(($(date +%s) - t0)) s"
rm -rf $S
