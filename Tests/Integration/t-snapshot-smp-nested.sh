#!/bin/sh
# A 2-vCPU --nested guest (its kernel at EL2, its own KVM up VHE; t-snapshot-smp-nested-e2h0.sh runs this
# with SMP_NESTED_SHAPE=e2h0: --e2h0, nVHE) ticks on both of its vCPUs (a worker pinned to each CPU, guest-init.sh's smp-l2) while its own KVM runs an L2 guest
# (vmmctl's UART-flood payload, its dots on the same console). Snapshotted, stopped, restored: each
# L1 CPU's counter continues from where it stopped without a clock jump, and the L2 guest carries on
# (more dots, and it never exits).
. "$(dirname "$0")/lib.sh"
need_nested
need_guest initrd-l2
shape=${SMP_NESTED_SHAPE:-vhe}
S=/tmp/snapsmpnested-$shape; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
pid1= rpid=
trap 'kill $pid1 $rpid 2>/dev/null; rm -rf $S' EXIT
# The VM stays stopped this long between snapshot and restore, so that a clock jump (the guest's
# counter running on while it was stopped) stands out (lib.sh's check_ticks: $ahead1, $tpause). A
# restored nested guest's RAM is filled on demand: under TCG its first ticks can take 20 s (seen in the
# lab with --e2h0), hence the wide step allowed.
STOPPED_FOR=30 TICK_STEP_MAX=60
export TICK_STEP_MAX VMMCTL_TIMING=1
# l2dots FILE [all]: the L2's dots in FILE: after the L1 said it starts the L2 (unless all), not counting
# the L1 tickers' uptimes.
l2dots() {
  { if [ "$2" = all ]; then cat "$1"; else sed -n '/L2-FLOOD-START/,$p' "$1"; fi; } \
    | sed 's/CPU[0-9] TICK [0-9]* [0-9.]*//g' | tr -cd . | wc -c
}
# wait_l2dots FILE COUNT SECONDS [all]: until FILE holds COUNT L2 dots; fails after SECONDS.
wait_l2dots() {
  _n=0; while [ "$(l2dots "$1" $4)" -lt "$2" ]; do _n=$((_n+1)); [ $_n -gt "$3" ] && return 1; sleep 1; done
}

# one_shape NAME FLAGS...: the whole check for one nested shape.
one_shape() {
  name=$1; shift
  echo "== $name: --cpus 2 $*"
  D=$S/$name; mkdir -p $D; ts=$(date +%s)
  "$VMMCTL" run "$G/Image" --initrd "$G/initrd-l2" --cpus 2 --memory 512M "$@" --api-socket $A \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=smp-l2" </dev/null >$D/run1.log 2>$D/run1.err &
  pid1=$!
  wait_for $D/run1.log "^CPU0 TICK 3 " 240 && wait_for $D/run1.log "^CPU1 TICK 3 " 60 && wait_l2dots $D/run1.log 50 240 \
    || { echo "the guest did not tick on both CPUs with its L2 running"; tail -c 2000 $D/run1.log; cat $D/run1.err; return 1; }
  grep -a -E "VMMCTL-GUEST-UP|kvm \[1\]: .*(VHE|nVHE|Hyp)|WORKER|L2-FLOOD-START" $D/run1.log | tr -d '\r'
  echo "up, ticking on both CPUs, L2 running after $(($(date +%s) - ts)) s"
  ahead1=$(guest_ahead $D/run1.log "CPU0 TICK"); tpause=$(date +%s)
  "$VMMCTL" snapshot $D/snap --then stop --api-socket $A >/dev/null || return 1
  wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; cat $D/run1.err; return 1; }
  pid1=
  d1=$(l2dots $D/run1.log)
  echo "before the snapshot: $d1 L2 dots; $(grep -a "^CPU0 TICK" $D/run1.log | tail -n 1 | tr -d '\r')"
  "$VMMCTL" dump-regs --snapshot $D/snap --filter HCR_EL2 | grep -E "^=== vCPU|^  regime" || return 1
  [ "$("$VMMCTL" dump-regs --snapshot $D/snap --filter PC | grep -c "^=== vCPU .* MP state runnable")" = 2 ] \
    || { echo "the snapshot does not hold two runnable vCPUs"; return 1; }
  echo "the VM stays stopped for $STOPPED_FOR s"; sleep $STOPPED_FOR
  restore_ticker $D/snap $B $D/run2.log
  wait_ticks $D/run1.log $D/run2.log 300 "CPU0 TICK" "CPU1 TICK" || { cat $D/run2.log.err; return 1; }
  wait_l2dots $D/run2.log 50 240 all || { echo "the L2 guest did not continue after restore"; tail -c 2000 $D/run2.log; cat $D/run2.log.err; return 1; }
  "$VMMCTL" shutdown --api-socket $B; wait $rpid; rpid=
  cat $D/run2.log.err
  echo "after the restore: $(l2dots $D/run2.log all) more L2 dots"
  grep -aq "L2-EXIT" $D/run2.log && { echo "the L2 guest exited"; grep -a "L2-EXIT" $D/run2.log; return 1; }
  check_ticks $D/run1.log $D/run2.log "CPU0 TICK" "CPU1 TICK" || return 1
  for c in 0 1; do
    grep -a "^CPU$c TICK [0-9]* [0-9.]* on=[0-9]* " $D/run1.log $D/run2.log | grep -av " on=$c " | head -n 3 | grep . \
      && { echo "CPU$c's worker ran elsewhere"; return 1; }
  done
  echo "$name: done in $(($(date +%s) - ts)) s"
  rm -rf $D
}
case $shape in
  vhe) one_shape vhe --nested || exit 1 ;;
  e2h0) one_shape e2h0 --nested --e2h0 || exit 1 ;;
  *) echo "SMP_NESTED_SHAPE=$shape: not vhe or e2h0"; exit 1 ;;
esac
