#!/bin/sh
# With --nested the guest kernel starts at EL2 and its own KVM initialises (VHE); with --nested --e2h0
# it comes up non-VHE ("Hyp mode" in its dmesg).
. "$(dirname "$0")/lib.sh"
need_nested
need_guest initrd
fail=0
run() {  # PATTERN FLAGS...
  pat=$1; shift
  echo "== vmmctl run $*"
  out=$("$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 512M "$@" \
        --cmdline "console=ttyAMA0 earlycon panic=-1 quiet" </dev/null 2>&1); st=$?
  echo "$out" | grep -E "VMMCTL|kvm|CurrentEL" | head -n 20
  [ "$st" = 0 ] || { echo "exit status $st, expected 0"; echo "$out" | tail -n 30; fail=1; }
  echo "$out" | grep -q "VMMCTL-GUEST-UP" || { echo "no marker"; fail=1; }
  echo "$out" | grep -Eq "$pat" || { echo "no '$pat' in the guest's dmesg"; fail=1; }
}
run "kvm \[1\]: (VHE|nested|Hyp).*initialized successfully|kvm \[1\]: VHE mode initialized" --nested
run "kvm \[1\]: Hyp mode initialized successfully|kvm \[1\]: .*nVHE" --nested --e2h0
exit $fail
