#!/bin/sh
# `vmmctl run` with no image boots the built-in EL1 demo guest: it prints from EL1 and powers off (exit 0).
out=$("$VMMCTL" run </dev/null 2>&1); st=$?
echo "$out"
[ "$st" = 0 ] || { echo "exit status $st, expected 0"; exit 1; }
echo "$out" | grep -q "vmmctl demo: hello from EL1 (CurrentEL=1)"
