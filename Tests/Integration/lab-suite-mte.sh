#!/bin/sh
# What scripts/test.sh runs inside the lab VM booted with `lab run --mte` (QEMU -M virt,mte=on): only the
# MTE tests, which the ordinary pass (no MTE) skips. VMMCTL_REQUIRE_MTE=1 makes their gate fail rather
# than skip should KVM lack MTE here.
rc=0
echo "== lab host MTE: $(grep -c '^Features.* mte' /proc/cpuinfo) CPUs list mte"
echo "== Swift MTE tests with real arm64 KVM and KVM_CAP_ARM_MTE"
for t in tests/*.xctest; do
  VMMCTL_REQUIRE_KVM=1 VMMCTL_REQUIRE_MTE=1 "$t" --testing-library swift-testing --filter "MTE" || rc=1
done
echo "== MTE integration (Linux guest)"
out=$(VMMCTL=/lab/bin/vmmctl timeout "${INTEGRATION_TIMEOUT:-600}" sh check/mte-linux.sh 2>&1); st=$?
if [ "$st" = 0 ]; then echo "ok mte-linux"; else echo "not ok mte-linux (exit $st)"; rc=1; fi
printf '%s\n' "$out" | sed 's/^/    # /'
exit $rc
