#!/bin/sh
# Incremental snapshots through the command line: a UART-flood guest that keeps dirtying 4 MiB of its RAM
# (--bench-dirty) is snapshotted in full (A), runs on, is snapshotted with --base A (B, --then pause) and
# in full at that same paused instant (C, --then stop). B holds only the dirtied pages; the chain A+B,
# restored paused and snapshotted again in full (D), has exactly C's memory (cmp of the whole file); the
# chain restored and run prints exactly the rest of the payload's bytes. A missing base and a --base that
# is not the VM's latest snapshot are refused, naming them, and nothing is lost. Plain and --nested (the payload runs on one vCPU;
# the KVM-tier IncrementalSnapshotKVMTests covers two).
. "$(dirname "$0")/lib.sh"
S=/tmp/snapincr; rm -rf $S; mkdir -p $S
count() { cat "$1" 2>/dev/null | wc -c; }
specs="30000:"; has_nested && specs="$specs 10000:--nested" || echo "skipping the --nested case: no nested virtualisation on this host"
for spec in $specs; do
  N=${spec%%:*} flags=$(echo "${spec#*:}" | tr , " ")
  echo "== vmmctl run --bench-mmio $N --bench-dirty 4M --memory 64M $flags"
  rm -rf $S/a $S/b $S/c $S/d $S/bad
  "$VMMCTL" run --bench-mmio $N --bench-dirty 4M --memory 64M $flags --api-socket $S/s </dev/null >$S/out1 2>$S/err1 &
  pid=$!
  n=0; while [ "$(count $S/out1)" -lt 1000 ] && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
  "$VMMCTL" snapshot $S/bad --base $S/a --api-socket $S/s >/dev/null 2>$S/e0 && { echo "a --base before any snapshot was accepted"; exit 1; }
  grep -q "has taken no snapshot\|is missing" $S/e0 || { echo "unclear refusal:"; cat $S/e0; exit 1; }
  "$VMMCTL" snapshot $S/a --then resume --api-socket $S/s >/dev/null || { cat $S/err1; exit 1; }
  a=$(count $S/out1)
  n=0; while [ "$(count $S/out1)" -lt $((a + 2000)) ] && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
  "$VMMCTL" snapshot $S/b --base $S/a --then pause --api-socket $S/s >/dev/null || { cat $S/err1; exit 1; }
  "$VMMCTL" snapshot $S/c --then stop --api-socket $S/s >/dev/null || { cat $S/err1; exit 1; }
  wait $pid || { echo "run exited $? after snapshot --then stop"; cat $S/err1; exit 1; }
  c=$(count $S/out1)
  kib() { du -k "$1" | cut -f1; }
  echo "memory.bin on disk: full $(kib $S/a/memory.bin) KiB, incremental $(kib $S/b/memory.bin) KiB"
  [ "$(kib $S/b/memory.bin)" -le $((4 * 1024 + 512)) ] || { echo "the incremental snapshot holds more than the 4 MiB dirtied"; exit 1; }
  # Bad input: the base moved away is named, and the chain restores once it is back.
  mv $S/a $S/a.moved
  "$VMMCTL" restore $S/b --api-socket $S/s </dev/null >/dev/null 2>$S/e1 && { echo "a chain without its base was restored"; exit 1; }
  grep -q "base snapshot $S/a .*is missing" $S/e1 || { echo "unclear error:"; cat $S/e1; exit 1; }
  mv $S/a.moved $S/a
  # The chain's memory equals the full snapshot's: restore paused (before the first instruction), snapshot D.
  "$VMMCTL" restore $S/b --verify --paused --api-socket $S/s </dev/null >/dev/null 2>$S/err3 &
  pid=$!
  wait_for $S/err3 "paused before the first instruction" 60 || { echo "restore of the chain failed"; cat $S/err3; exit 1; }
  "$VMMCTL" snapshot $S/d --then stop --api-socket $S/s >/dev/null || { cat $S/err3; exit 1; }
  wait $pid
  cmp $S/c/memory.bin $S/d/memory.bin || { echo "the restored chain's memory differs from the full snapshot's"; exit 1; }
  echo "restored chain's memory equals the full snapshot's (64 MiB, cmp)"
  "$VMMCTL" restore $S/b --api-socket $S/s </dev/null >$S/out2 2>$S/err2 || { cat $S/err2; exit 1; }
  d=$(count $S/out2)
  echo "before the snapshot $c bytes, after the restore of the chain $d: $((c + d)) of $N"
  [ $((c + d)) = $N ] || exit 1
done
rm -rf $S
