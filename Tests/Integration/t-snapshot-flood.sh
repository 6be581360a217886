#!/bin/sh
# Exactness of pause, snapshot and restore: a built-in payload writes N bytes to the UART (one MMIO exit
# each); it is paused (output stops), dumped, resumed, snapshotted with --then stop, and restored: the
# two runs together print exactly N bytes. On a plain vCPU, and on an EL2 vCPU (--nested: the payload
# runs at virtual EL2; fewer bytes, since each exit from EL2 costs more).
. "$(dirname "$0")/lib.sh"
S=/tmp/snapflood; rm -rf $S; mkdir -p $S
count() { wc -c < "$1"; }
specs=200000; has_nested && specs="$specs 20000:--nested" || echo "skipping the --nested case: no nested virtualisation on this host"
for spec in $specs; do
  N=${spec%%:*} flags=""; [ "$spec" = "$N" ] || flags=${spec#*:}
  echo "== vmmctl run --bench-mmio $N $flags"
  rm -rf $S/snap
  "$VMMCTL" run --bench-mmio $N $flags --api-socket $S/s </dev/null >$S/out1 2>$S/err1 &
  pid=$!
  n=0; while [ "$(count $S/out1)" -lt 1000 ] && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
  "$VMMCTL" pause --api-socket $S/s || exit 1
  a=$(count $S/out1); sleep 1; b=$(count $S/out1)
  [ "$a" = "$b" ] || { echo "output continued while paused: $a then $b"; exit 1; }
  "$VMMCTL" dump-regs --api-socket $S/s --filter PSTATE | grep -q "exception level" || exit 1
  "$VMMCTL" resume --api-socket $S/s || exit 1
  "$VMMCTL" snapshot $S/snap --then stop --api-socket $S/s >/dev/null || exit 1
  wait $pid || { echo "run exited $? after snapshot --then stop"; cat $S/err1; exit 1; }
  c=$(count $S/out1)
  "$VMMCTL" restore $S/snap --api-socket $S/s </dev/null >$S/out2 2>$S/err2 || { cat $S/err2; exit 1; }
  d=$(count $S/out2)
  echo "before the snapshot $c bytes, after the restore $d: $((c + d)) of $N"
  [ $((c + d)) = $N ] || exit 1
done
rm -rf $S
