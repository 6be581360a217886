#!/bin/sh
# `vmmctl run --nested` boots the built-in guest hypervisor at EL2: it builds a stage 2, ERETs into an
# EL1 guest, takes its HVC at EL2 and powers off. The same with --e2h0 (non-VHE).
. "$(dirname "$0")/lib.sh"
need_nested
set -e
for flags in "--nested" "--nested --e2h0"; do
  echo "== vmmctl run $flags"
  out=$("$VMMCTL" run $flags </dev/null 2>&1) || { echo "$out"; echo "exit status $?"; exit 1; }
  echo "$out"
  echo "$out" | grep -q "L2 guest at EL1"
  echo "$out" | grep -q "guest hypervisor at EL2 took HVC #0x42 from EL1"
done
