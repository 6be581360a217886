#!/bin/sh
# Bad disks to `vmmctl run`: missing, not a multiple of 512 bytes, locked by another running vmmctl. Each
# gets a clear error naming the file, a non-zero exit, and the guest never starts (no demo greeting, no
# kernel output); the locked image is untouched and its owner runs on.
. "$(dirname "$0")/lib.sh"
S=/tmp/t-virtio-errors; rm -rf $S; mkdir -p $S
fail=0
refused() {  # PATTERN ARGS...: vmmctl run ARGS fails with a message matching PATTERN (case-insensitive)
  pat=$1; shift
  out=$("$VMMCTL" run "$@" </dev/null 2>&1); st=$?
  echo "run $*: exit $st: $(printf '%s\n' "$out" | head -n 3)"
  [ "$st" != 0 ] || { echo "  expected a non-zero exit"; fail=1; }
  printf '%s\n' "$out" | grep -qi "$pat" || { echo "  expected a message matching '$pat'"; fail=1; }
  printf '%s\n' "$out" | grep -q "vmmctl demo: hello\|Booting Linux\|INITRAMFS" && { echo "  the guest started"; fail=1; }
}
refused "$S/missing.img.*\(no such file\|not found\|does not exist\|cannot open\)" --disk $S/missing.img
head -c 1000 /dev/zero > $S/odd.img
refused "$S/odd.img.*512" --disk $S/odd.img
refused "$S/odd.img.*512" --disk $S/odd.img,readonly
dd if=/dev/zero of=$S/ok.img bs=4096 count=16 2>/dev/null
refused "bogus" --disk $S/ok.img,bogus
refused "$S/" --disk $S/ok.img --disk $S/missing.img
# A disk in use by a running vmmctl (the ticker guest keeps it running) is locked against a second one.
if [ -f "$G/Image" ] && [ -f "$G/initrd" ]; then
  dd if=/dev/zero of=$S/locked.img bs=1048576 count=4 2>/dev/null
  "$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M --disk $S/locked.img --api-socket $S/a.sock \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >$S/owner.log 2>&1 &
  pid=$!
  wait_for $S/owner.log "TICK 0 " 120 || { echo "the owner guest never ticked"; tail -n 20 $S/owner.log; kill $pid; exit 1; }
  refused "$S/locked.img.* is locked" --disk $S/locked.img
  refused "$S/locked.img.* is locked" --disk $S/locked.img,readonly
  [ "$("$VMMCTL" status --api-socket $S/a.sock)" = running ] || { echo "the owner VM is not running"; fail=1; }
  "$VMMCTL" shutdown --api-socket $S/a.sock; wait $pid
  # Once its owner exited, the image is free again: the lock went with the process.
  out=$("$VMMCTL" run --disk $S/locked.img </dev/null 2>&1); st=$?
  [ "$st" = 0 ] || { echo "the image is still refused after its owner exited (exit $st): $out"; fail=1; }
else
  echo "no Linux guest in $G: the lock case is skipped"; fail=1
fi
[ $fail = 0 ] && rm -rf $S
exit $fail
