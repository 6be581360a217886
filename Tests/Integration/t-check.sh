#!/bin/sh
# `vmmctl check` on the lab's arm64 host (kvm-arm.mode=nested) reports EL2 and E2H0 and exits 0,
# and its JSON form says the same.
set -e
out=$("$VMMCTL" check)
echo "$out"
echo "$out" | grep -Eiq 'EL2.*(yes|available)'
echo "$out" | grep -Eiq 'E2H0.*(yes|available)'
json=$("$VMMCTL" check --json)
echo "$json" | grep -q '"nestedReady" *: *true'
