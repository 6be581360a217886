#!/bin/sh
# Issue 13 on a real KVM host: `vmmctl run | head` stops cleanly (EPIPE, exit 141, socket removed),
# snapshot directories with awkward names travel intact over the typed control protocol, status is
# answered during a run, the default socket directory is refused when open to others, and --memory
# beyond any IPA space is a clear usage error.
. "$(dirname "$0")/lib.sh"
S=$(mktemp -d); fail=0
# 1. stdout closed under a running guest.
{ "$VMMCTL" run --bench-mmio 1000000000 --memory 64M --api-socket $S/s </dev/null 2>$S/err1; echo $? > $S/rc1; } \
  | head -c 100 > $S/head.out
rc=$(cat $S/rc1)
echo "run | head -c 100: exit $rc; $(tail -n 2 $S/err1 | tr '\n' ' ')"
[ "$rc" = 141 ] || { echo "  expected exit 141 (stopped as by SIGPIPE)"; fail=1; }
[ "$(wc -c < $S/head.out)" = 100 ] || { echo "  head saw $(wc -c < $S/head.out) bytes"; fail=1; }
[ ! -e $S/s ] || { echo "  the control socket was left behind"; fail=1; }
# 2. awkward snapshot directory names, then shutdown.
"$VMMCTL" run --bench-mmio 1000000000 --bench-spin 100000 --memory 64M --api-socket $S/s </dev/null >/dev/null 2>$S/err2 &
pid=$!
n=0; until "$VMMCTL" status --api-socket $S/s >/dev/null 2>&1; do n=$((n+1)); [ $n -gt 60 ] && break; sleep 1; done
[ "$("$VMMCTL" status --api-socket $S/s)" = running ] || { echo "status is not 'running'"; fail=1; }
for d in "$S/two  spaces" "$S/ends with pause" "$S/x stop"; do
  "$VMMCTL" snapshot "$d" --then resume --api-socket $S/s >/dev/null 2>$S/snap.err \
    || { echo "snapshot '$d' failed: $(cat $S/snap.err)"; fail=1; }
  [ -f "$d/state.vmmsnap" ] && [ -f "$d/memory.bin" ] || { echo "snapshot '$d' is not where it was asked for"; ls -la $S; fail=1; }
done
[ "$("$VMMCTL" status --api-socket $S/s)" = running ] || { echo "the VM did not resume after the snapshots"; fail=1; }
"$VMMCTL" shutdown --api-socket $S/s >/dev/null; wait $pid; rc=$?
[ "$rc" = 0 ] || { echo "run exited $rc after shutdown: $(cat $S/err2)"; fail=1; }
# 3. the default socket directory, open to others, is refused by run and by the commands.
mkdir -p $S/xdg/vmmctl; chmod 755 $S/xdg/vmmctl
out=$(XDG_RUNTIME_DIR=$S/xdg "$VMMCTL" status 2>&1); rc=$?
echo "status with a 0755 socket directory: exit $rc: $out"
[ "$rc" = 1 ] && echo "$out" | grep -q "mode 0755, expected 0700" || { echo "  expected exit 1 naming the mode"; fail=1; }
out=$(XDG_RUNTIME_DIR=$S/xdg "$VMMCTL" run --bench-mmio 1 </dev/null 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$out" | grep -q "mode 0755" || { echo "  run: expected exit 1 naming the mode: $out"; fail=1; }
# 3b. mkdir's mode is masked by the umask: under umask 0177 the directory vmmctl creates must still be
# 0700, or it refuses its own directory (the lab found this through a test racing UnixSocket's umask).
mkdir -p $S/xdg2
out=$( (umask 177; XDG_RUNTIME_DIR=$S/xdg2 "$VMMCTL" run </dev/null 2>&1) ); rc=$?
mode=$(stat -c %a $S/xdg2/vmmctl 2>&1)
echo "run under umask 0177: exit $rc, socket directory mode $mode"
[ "$rc" = 0 ] && [ "$mode" = 700 ] || { echo "  expected exit 0 and mode 700: $out"; fail=1; }
# 4. --memory beyond any IPA space.
out=$("$VMMCTL" run --memory 16777215T </dev/null 2>&1); rc=$?
echo "run --memory 16777215T: exit $rc: $out" | head -2
[ "$rc" = 2 ] && echo "$out" | grep -q "52-bit guest physical address space" || { echo "  expected exit 2 naming the IPA limit"; fail=1; }
rm -rf $S
exit $fail
