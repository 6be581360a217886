#!/bin/sh
# Recursion: inside a --nested Linux guest (its own KVM at EL2), the same vmmctl runs the built-in
# demo guest as an L2 guest to completion.
. "$(dirname "$0")/lib.sh"
need_nested
need_guest initrd-l2
out=$("$VMMCTL" run "$G/Image" --initrd "$G/initrd-l2" --memory 768M --nested \
      --cmdline "console=ttyAMA0 earlycon panic=-1 quiet" </dev/null 2>&1); st=$?
echo "$out" | grep -E "VMMCTL|L2|vmmctl|kvm" | head -n 30
[ "$st" = 0 ] || { echo "exit status $st, expected 0"; echo "$out" | tail -n 30; exit 1; }
echo "$out" | grep -q "vmmctl demo: hello from EL1" || { echo "the L2 demo guest did not print"; exit 1; }
echo "$out" | grep -q "L2-EXIT=0" || { echo "the L2 vmmctl did not exit 0"; exit 1; }
