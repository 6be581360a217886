#!/bin/sh
# Runs every t-*.sh next to this file against a real arm64 KVM (the lab, or a native arm64 host) and
# prints one TAP-style line per script: "ok NAME", "not ok NAME", or "ok NAME # SKIP reason" for a
# script that exits 77 (it lacks what it needs, e.g. the guest kernel: never counted as a pass), then
# the script's output indented. $VMMCTL is the binary under test. Exits 1 if any script failed.
#
# INTEGRATION_JOBS=N runs N scripts at a time (default 1). The lab's suite uses 2: most scripts keep one
# of the lab's two emulated CPUs busy (a 1-vCPU guest), so a second script at the same time nearly halves
# the suite's time. Each job gets its own $XDG_RUNTIME_DIR, so scripts that use the default control
# socket do not meet; every script already keeps its files in a /tmp directory of its own. The scripts
# in $solo run afterwards, one at a time: each boots a 2-vCPU --nested guest, whose vCPUs, sharing the
# lab's two emulated CPUs with another script's guest, starved each other into soft lockups (seen in the
# lab: t-snapshot-smp-nested-e2h0 never got both CPUs ticking).
here=$(cd "$(dirname "$0")" && pwd)
: "${VMMCTL:=vmmctl}" "${INTEGRATION_JOBS:=1}"
export VMMCTL
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# The queue: the scripts known to take longest first (their lab time in the last full run, in seconds,
# is in docs/testing.md), so that two jobs end at about the same time; then the rest by name. A
# script missing from this list only runs later, never not at all.
slow="t-snapshot-sparse t-snapshot-nested t-virtio-nested t-translate-linux t-snapshot-smp-states
  t-snapshot-flood"
solo="t-snapshot-smp-nested-e2h0 t-snapshot-smp-nested t-virtio-disk-matrix t-virtio-snapshot"
for n in $slow; do [ -f "$here/$n.sh" ] && echo "$n"; done > "$W/queue"
for n in $solo; do [ -f "$here/$n.sh" ] && echo "$n"; done > "$W/solo"
for t in "$here"/t-*.sh; do
  n=$(basename "$t" .sh); grep -qx "$n" "$W/queue" "$W/solo" || echo "$n" >> "$W/queue"
done

lock() { until mkdir "$W/lock" 2>/dev/null; do sleep 1; done; }
unlock() { rmdir "$W/lock"; }
# next: prints the next script's name and takes it off the queue; fails when the queue is empty.
next() {
  lock; _n=$(head -n 1 "$W/queue"); sed -i 1d "$W/queue"; unlock
  [ -n "$_n" ] && echo "$_n"
}
# leftovers JOB: the vmmctl processes that job JOB's scripts started and left running.
leftovers() {
  for _p in /proc/[0-9]*; do
    [ "$(cat "$_p/comm" 2>/dev/null)" = vmmctl ] || continue
    tr '\0' '\n' < "$_p/environ" 2>/dev/null | grep -qx "VMMCTL_RUN_ALL_JOB=$1" && echo "${_p#/proc/}"
  done
}

# job N: runs scripts from the queue until it is empty; prints each script's lines as one block.
job() {
  VMMCTL_RUN_ALL_JOB=$1 XDG_RUNTIME_DIR=$W/run$1
  export VMMCTL_RUN_ALL_JOB XDG_RUNTIME_DIR
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  while name=$(next); do
    o=$W/out.$name
    # A hung script fails by itself instead of stalling the whole run (busybox and coreutils timeout).
    t0=$(cut -d' ' -f1 /proc/uptime)
    timeout "${INTEGRATION_TIMEOUT:-600}" sh "$here/$name.sh" > "$o" 2>&1; st=$?
    t1=$(cut -d' ' -f1 /proc/uptime)
    {
      if [ "$st" = 0 ]; then echo "ok $name"
      elif [ "$st" = 77 ]; then echo "ok $name # SKIP $(tail -n 1 "$o")"
      else echo "not ok $name (exit $st)"; touch "$W/failed"; fi
      sed 's/^/    # /' "$o"
      # What each script costs, so the suite's time (CI has a budget) can be kept in view.
      echo "    # ($name: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s, job $1)"
      # A script that failed or timed out may leave a vmmctl behind (holding its control socket, or
      # the CPU): stop it, and say so, so one failure does not fail every script after it.
      left=$(leftovers "$1")
      if [ -n "$left" ]; then
        kill -9 $left 2>/dev/null
        echo "    # (stopped a vmmctl that $name left running)"
      fi
    } > "$o.block"
    lock; cat "$o.block"; unlock
  done
}

s0=$(cut -d' ' -f1 /proc/uptime)
i=1
[ "$INTEGRATION_JOBS" = 1 ] && cat "$W/solo" >> "$W/queue"
while [ "$i" -le "$INTEGRATION_JOBS" ]; do job "$i" & i=$((i + 1)); done
wait
# The solo scripts: one job, on its own.
[ "$INTEGRATION_JOBS" = 1 ] || { mv "$W/solo" "$W/queue"; job solo; }
echo "    # (integration scripts: $(awk -v a="$s0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f", b - a }') s with $INTEGRATION_JOBS job(s))"
[ ! -e "$W/failed" ]
