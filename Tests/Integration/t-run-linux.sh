#!/bin/sh
# The lab's Debian arm64 kernel boots to userspace under `vmmctl run` on 1 and 2 vCPUs with a busybox
# initramfs, prints a marker (and its ITS driver's probe lines) and powers off with status 0. The guest files come from scripts/test.sh
# (guest/Image, guest/initrd); skipped when absent (e.g. on a native host without them).
. "$(dirname "$0")/lib.sh"
need_guest initrd
fail=0
for cpus in 1 2; do
  echo "== vmmctl run --cpus $cpus"
  out=$("$VMMCTL" run "$G/Image" --initrd "$G/initrd" --cpus $cpus --memory 512M \
        --cmdline "console=ttyAMA0 earlycon panic=-1 quiet" </dev/null 2>&1); st=$?
  echo "$out" | tail -n 15
  [ "$st" = 0 ] || { echo "exit status $st, expected 0"; fail=1; }
  echo "$out" | grep -q "VMMCTL-GUEST-UP cpus=$cpus" || { echo "no marker with cpus=$cpus"; fail=1; }
  # The ITS is on by default where KVM offers it (the lab's does): the guest's ITS driver probed it.
  echo "$out" | grep -q "ITS@0x" || { echo "no 'ITS@0x' (ITS driver probe) in the guest's dmesg"; fail=1; }
done
exit $fail
