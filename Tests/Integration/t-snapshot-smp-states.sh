#!/bin/sh
# A 2-vCPU Linux guest snapshotted while its secondary vCPU is powered off, in both ways it can be:
#   never-started: maxcpus=1 on the guest command line, so Linux never issues PSCI CPU_ON for CPU1;
#   turned-off:    CPU1 came up at boot and the guest took it offline again (PSCI CPU_OFF).
# Each time: the snapshot records vCPU 1 as stopped, the restored guest's CPU0 counter continues without
# a clock jump, and a line typed on the restored VM's console makes the guest bring CPU1 online (PSCI
# CPU_ON on the restored, stopped vCPU), after which a worker pinned to CPU1 ticks on CPU1 and CPU0
# keeps ticking (guest-init.sh's smp-hotplug mode).
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/snapsmpstates; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
pid1= rpid=
trap 'exec 3>&-; kill $pid1 $rpid 2>/dev/null; rm -rf $S' EXIT
# The VM stays stopped this long between snapshot and restore, so that a clock jump (the guest's
# counter running on while it was stopped) stands out: in the tick steps, and in the clock itself
# (lib.sh's check_ticks: $ahead1, $tpause).
STOPPED_FOR=20 TICK_STEP_MAX=10
export TICK_STEP_MAX VMMCTL_TIMING=1
t0=$(date +%s)

# one_state NAME EXTRA-CMDLINE CPUS-AT-BOOT: the whole check for one way of CPU1 being off.
one_state() {
  echo "== $1: $2"
  D=$S/$1; mkdir -p $D
  "$VMMCTL" run "$G/Image" --initrd "$G/initrd" --cpus 2 --memory 256M --api-socket $A \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=smp-hotplug $2" </dev/null >$D/run1.log 2>$D/run1.err &
  pid1=$!
  wait_for $D/run1.log "^HOTPLUG-READY" 180 && wait_for $D/run1.log "^CPU0 TICK 3 " 60 \
    || { echo "the guest never got ready"; tail -n 20 $D/run1.log $D/run1.err; return 1; }
  grep -a -E "VMMCTL-GUEST-UP|SMP: Total|CPU1-|WORKER" $D/run1.log | tr -d '\r'
  grep -aq "VMMCTL-GUEST-UP cpus=$3" $D/run1.log || { echo "expected $3 CPU(s) up at boot"; return 1; }
  grep -aq "CPU1-DOWN online=0 cpu1=0" $D/run1.log || { echo "CPU1 is not offline"; return 1; }
  ahead1=$(guest_ahead $D/run1.log "CPU0 TICK"); tpause=$(date +%s)
  "$VMMCTL" snapshot $D/snap --then stop --api-socket $A >/dev/null || return 1
  wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; return 1; }
  pid1=
  "$VMMCTL" dump-regs --snapshot $D/snap --filter PC | grep -E "^=== vCPU" || return 1
  "$VMMCTL" dump-regs --snapshot $D/snap --filter PC | grep -q "^=== vCPU 1 .* MP state stopped" \
    || { echo "the snapshot does not hold vCPU 1 stopped"; return 1; }
  # The restored VM's console input comes from a FIFO held open, as a user's typing would.
  rm -f $S/in; mkfifo $S/in
  echo "the VM stays stopped for $STOPPED_FOR s"; sleep $STOPPED_FOR
  RESTORE_STDIN=$S/in restore_ticker $D/snap $B $D/run2.log
  exec 3>$S/in
  wait_ticks $D/run1.log $D/run2.log 180 "CPU0 TICK" || { cat $D/run2.log.err; return 1; }
  cat $D/run2.log.err
  check_ticks $D/run1.log $D/run2.log "CPU0 TICK" || return 1
  grep -aq "^CPU1 " $D/run2.log && { echo "CPU1 ran before it was brought online"; return 1; }
  printf 'online\r' >&3
  wait_for $D/run2.log "^CPU1-ONLINE" 120 || { echo "CPU1 did not come online"; tail -n 20 $D/run2.log $D/run2.log.err; return 1; }
  wait_for $D/run2.log "^CPU1 TICK 3 " 120 || { echo "CPU1 does not tick"; tail -n 20 $D/run2.log $D/run2.log.err; return 1; }
  grep -a -E "^CPU1-ONLINE|^CPU1 WORKER|^CPU1 TICK [0-3] " $D/run2.log | tr -d '\r'
  grep -aq "^CPU1-ONLINE rc=0 online=0-1" $D/run2.log || { echo "onlining CPU1 failed"; return 1; }
  # Both CPUs tick after CPU1 came up: CPU0 past its count at that moment, and CPU1 only on CPU1.
  c0=$(grep -an "^CPU1-ONLINE" $D/run2.log | cut -d: -f1)
  tail -n +"$c0" $D/run2.log | grep -aq "^CPU0 TICK" || { echo "CPU0 stopped ticking once CPU1 came up"; return 1; }
  grep -a "^CPU1 TICK [0-9]* [0-9.]* on=[0-9]* " $D/run2.log | grep -av " on=1 " | head -n 3 | grep . \
    && { echo "CPU1's worker ran elsewhere"; return 1; }
  "$VMMCTL" shutdown --api-socket $B; wait $rpid; rpid=
  exec 3>&-
  rm -rf $D
}
one_state never-started "maxcpus=1" 1 || exit 1
one_state turned-off "" 2 || exit 1
echo "done in $(($(date +%s) - t0)) s"
