#!/bin/sh
# `vmmctl run --bench-mmio N` (the benchmark payload) writes exactly N bytes through the PL011 and powers
# off with exit 0: plain at EL1 with HVC, and with --nested at virtual EL2 with SMC (that variant once ran
# the EL1 code on an EL2 vCPU and never ended).
. "$(dirname "$0")/lib.sh"
set -e
nested_flags "" "--nested" "--nested --e2h0" >/tmp/bench-mmio.flags
while IFS= read -r flags; do
  out=$("$VMMCTL" run --bench-mmio 3000 $flags </dev/null 2>/tmp/bench-mmio.err) || {
    st=$?; cat /tmp/bench-mmio.err; echo "run --bench-mmio 3000 $flags: exit $st, expected 0"; exit 1; }
  n=$(printf '%s' "$out" | tr -cd . | wc -c)
  echo "run --bench-mmio 3000 $flags: $n bytes, $(sed -n 's/.*: \([0-9]* ns per exit round trip\)/\1/p' /tmp/bench-mmio.err)"
  [ "$n" = 3000 ] || { echo "expected 3000 bytes"; exit 1; }
done </tmp/bench-mmio.flags
