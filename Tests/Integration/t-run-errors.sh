#!/bin/sh
# Bad input to `vmmctl run` on a real KVM host: clear errors, non-zero exits, nothing started.
fail=0
expect() {  # STATUS PATTERN ARGS...
  want=$1 pat=$2; shift 2
  out=$("$VMMCTL" run "$@" </dev/null 2>&1); st=$?
  echo "run $*: exit $st: $out" | head -3
  [ "$st" = "$want" ] || { echo "  expected exit $want"; fail=1; }
  echo "$out" | grep -q "$pat" || { echo "  expected message matching '$pat'"; fail=1; }
}
# A file without an Image header is a raw payload; an empty one, or one larger than RAM, is refused.
: > /tmp/empty-image
dd if=/dev/zero of=/tmp/big-payload bs=1048576 count=20 2>/dev/null
expect 1 "the kernel file is empty" /tmp/empty-image
expect 1 "raw payload (20971520 bytes.*do not fit in 16 MiB" /tmp/big-payload --memory 16M
rm -f /tmp/empty-image /tmp/big-payload
expect 2 "requires --nested" --e2h0
expect 2 "at most 123 vCPUs" --cpus 200
expect 2 "not a size" --memory lots
expect 1 "cannot open kernel image" /nonexistent/Image
expect 1 "kernel image '/tmp' is not a regular file" /tmp
expect 1 "/nonexistent/kvm does not exist.*no KVM" --device /nonexistent/kvm
. "$(dirname "$0")/lib.sh"
if [ -f "$G/Image" ]; then
  # dd, not head -c 80M: busybox head takes no size suffix. panic=-1: should the check ever miss, the
  # guest reboots at once (exit 10) instead of hanging on a bad initrd.
  dd if=/dev/zero of=/tmp/big-initrd bs=1048576 count=80 2>/dev/null
  expect 1 "initrd .* does not fit in 64 MiB of guest memory" "$G/Image" --initrd /tmp/big-initrd --memory 64M \
    --cmdline "console=ttyAMA0 panic=-1"
  rm -f /tmp/big-initrd
fi
exit $fail
