#!/bin/sh
# Runs every t-*.sh next to this file against a real arm64 KVM (the lab, or a native arm64 host) and
# prints one TAP-style line per script: "ok NAME", "not ok NAME", or "ok NAME # SKIP reason" for a
# script that exits 77 (it lacks what it needs, e.g. the guest kernel: never counted as a pass).
# $VMMCTL is the binary under test. Exits 1 if any script failed.
here=$(cd "$(dirname "$0")" && pwd)
: "${VMMCTL:=vmmctl}"
export VMMCTL
fail=0
for t in "$here"/t-*.sh; do
  name=$(basename "$t" .sh)
  # A hung script fails by itself instead of stalling the whole run (busybox and coreutils timeout).
  t0=$(cut -d' ' -f1 /proc/uptime)
  out=$(timeout "${INTEGRATION_TIMEOUT:-600}" sh "$t" 2>&1); st=$?
  t1=$(cut -d' ' -f1 /proc/uptime)
  if [ "$st" = 0 ]; then echo "ok $name"
  elif [ "$st" = 77 ]; then echo "ok $name # SKIP $(printf '%s\n' "$out" | tail -n 1)"
  else echo "not ok $name (exit $st)"; fail=1; fi
  printf '%s\n' "$out" | sed 's/^/    # /'
  # What each script costs, so the suite's time (CI has a budget) can be kept in view.
  echo "    # ($name: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s)"
  # A script that failed or timed out may leave a vmmctl behind (holding the default control socket, or
  # the CPU): stop it, and say so, so one failure does not fail every script after it.
  if pkill -x vmmctl 2>/dev/null; then echo "    # (stopped a vmmctl that $name left running)"; sleep 1; fi
done
exit $fail
