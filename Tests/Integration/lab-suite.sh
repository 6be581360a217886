#!/bin/sh
# What scripts/test.sh runs inside the lab VM (cwd /lab = the `lab build --tests` output plus check/).
# Order: the CKVM ABI check, the whole Swift test suite against real KVM, then the integration scripts.
rc=0
echo "== ckvm-check (compiled against the lab kernel's uapi headers)"
./check/ckvm-check || rc=1
echo "== Swift test suite (swift-testing) with real arm64 KVM"
# In the lab a KVM-tier test must run: VMMCTL_REQUIRE_KVM=1 makes the LabKVM gates (KVM present, the
# lab kernel the register lists were recorded on) fail such a test instead of skipping it.
for t in tests/*.xctest; do
  VMMCTL_REQUIRE_KVM=1 "$t" --testing-library swift-testing || rc=1
done
echo "== integration scripts"
VMMCTL=/lab/bin/vmmctl INTEGRATION_JOBS=${INTEGRATION_JOBS:-2} sh check/run-all.sh || rc=1
exit $rc
