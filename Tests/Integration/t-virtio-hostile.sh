#!/bin/sh
# A malicious virtio driver (`vmmctl run --demo virtio-hostile`: looping, out-of-RAM, overflowing and
# otherwise broken descriptor chains, each of which the device must refuse with DEVICE_NEEDS_RESET)
# leaves vmmctl running and answering its control socket: pause, status, dump-regs, resume, shutdown.
# Its warnings are few (rate-limited per kind) and name the device; the disk image is never written.
# Against a virtio-blk disk and against the rng alone, at EL1 and with --nested.
. "$(dirname "$0")/lib.sh"
S=/tmp/t-virtio-hostile; rm -rf $S; mkdir -p $S
dd if=/dev/urandom of=$S/d.img bs=65536 count=16 2>/dev/null
sum=$(md5sum < $S/d.img)
fail=0
one() {  # DEVICE-NAME FLAGS...
  dev=$1; shift
  echo "== vmmctl run --demo virtio-hostile $*"
  # Removed first: the background job truncates them only once it starts, and until then the wait
  # below would read the previous case's output (seen in a CI rehearsal: it passed at once, then found
  # the file empty).
  rm -f $S/out $S/err
  "$VMMCTL" run --demo virtio-hostile "$@" --api-socket $S/a.sock </dev/null >$S/out 2>$S/err &
  pid=$!
  w=0
  # The payload's closing line ends in "refused each" or names a chain that "timed out"; it is written a
  # byte per UART exit, so wait for its end, not its start.
  until grep -q "refused each\|timed out" $S/out 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "vmmctl exited before the payload finished posting"; cat $S/out $S/err; return 1; }
    w=$((w + 1)); [ $w -gt 120 ] && { echo "the payload never finished posting"; cat $S/out $S/err; kill $pid; return 1; }
    sleep 1
  done
  tr -d '\r' < $S/out
  grep -q "timed out" $S/out && { echo "a chain was not refused with DEVICE_NEEDS_RESET"; kill $pid; return 1; }
  grep -q "the device refused each" $S/out || { echo "the payload did not see every chain refused"; kill $pid; return 1; }
  kill -0 $pid 2>/dev/null || { echo "vmmctl exited"; cat $S/err; return 1; }
  st=$("$VMMCTL" status --api-socket $S/a.sock); [ "$st" = running ] || { echo "status '$st', expected running"; kill $pid; return 1; }
  "$VMMCTL" pause --api-socket $S/a.sock || { kill $pid; return 1; }
  st=$("$VMMCTL" status --api-socket $S/a.sock); [ "$st" = paused ] || { echo "status '$st' after pause"; kill $pid; return 1; }
  "$VMMCTL" dump-regs --api-socket $S/a.sock --filter PC | grep -E "^  PC " || { echo "no PC from dump-regs"; kill $pid; return 1; }
  "$VMMCTL" resume --api-socket $S/a.sock || { kill $pid; return 1; }
  st=$("$VMMCTL" status --api-socket $S/a.sock); [ "$st" = running ] || { echo "status '$st' after resume"; kill $pid; return 1; }
  "$VMMCTL" shutdown --api-socket $S/a.sock; wait $pid; rc=$?
  [ "$rc" = 0 ] || { echo "vmmctl exited $rc after shutdown"; cat $S/err; return 1; }
  # One warning per refused chain at most (7 scenarios, each kind capped at 3 lines), each naming the device.
  n=$(grep -c "warning:" $S/err)
  sed 's/^/  stderr: /' $S/err | head -n 12
  [ "$n" -ge 1 ] && [ "$n" -le 21 ] || { echo "$n warning lines, expected 1..21"; return 1; }
  grep "warning:" $S/err | grep -qv "$dev" && { echo "a warning that does not name $dev"; return 1; }
  return 0
}
one virtio-blk --disk $S/d.img || fail=1
[ "$(md5sum < $S/d.img)" = "$sum" ] && echo "the disk image is unchanged" || { echo "the hostile driver changed the disk image"; fail=1; }
one virtio-rng || fail=1
nested_flags "--nested" > $S/shapes
while read -r flags; do
  # shellcheck disable=SC2086
  one virtio-blk --disk $S/d.img $flags || fail=1
done < $S/shapes
[ "$(md5sum < $S/d.img)" = "$sum" ] || { echo "the hostile driver changed the disk image"; fail=1; }
[ $fail = 0 ] && rm -rf $S
exit $fail
