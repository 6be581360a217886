#!/bin/sh
# `vmmctl check` on the lab's arm64 host (kvm-arm.mode=nested) reports EL2, E2H0 and the ITS and exits 0,
# and its JSON form says the same.
set -e
out=$("$VMMCTL" check)
echo "$out"
echo "$out" | grep -Eiq 'EL2.*(yes|available)'
echo "$out" | grep -Eiq 'E2H0.*(yes|available)'
# The GICv3 ITS (KVM registers it with every GICv3 host's vGIC).
echo "$out" | grep -Eq 'VGIC_ITS.*yes'
# SVE with the vector lengths KVM offers (the lab's -cpu max has SVE).
echo "$out" | grep -Eq 'SVE.*vector lengths [0-9]'
json=$("$VMMCTL" check --json)
echo "$json" | grep -q '"nestedReady" *: *true'
