#!/bin/sh
# Snapshot a --nested guest whose own KVM is running an L2 guest (vmmctl's UART-flood payload, with a
# busy loop between writes so the vCPU spends most of its time in the L2 guest) at that moment; stop;
# restore; the L2 guest carries on (more of its output arrives). dump-regs of the snapshot shows the
# guest hypervisor's live EL2 state for its L2: HCR_EL2 with VM set and VTTBR_EL2 with the L2's VMID
# and stage-2 base. The snapshot is taken from a pause that landed in the L2 context (checked through
# dump-regs on the paused VM, retried otherwise). Then the restored VM (RAM filled on demand) is
# snapshotted and restored once more, with the memory checksum verified.
. "$(dirname "$0")/lib.sh"
need_nested
need_guest initrd-l2
S=/tmp/snapnested; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
"$VMMCTL" run "$G/Image" --initrd "$G/initrd-l2" --memory 512M --nested --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=l2-flood" </dev/null >$S/run1.log 2>&1 &
pid1=$!
wait_dots $S/run1.log 50 300 || { echo "the L2 guest never ran"; tail -c 2000 $S/run1.log; kill $pid1; exit 1; }
# Pause until the vCPU is caught in the L2 context (HCR_EL2.VM=1: the guest hypervisor's stage 2 on).
try=0
while :; do
  try=$((try+1))
  "$VMMCTL" pause --api-socket $A >/dev/null || { kill $pid1; exit 1; }
  "$VMMCTL" dump-regs --api-socket $A --json --filter HCR_EL2 > $S/hcr-live.json
  grep -q '"name": "VM"' $S/hcr-live.json && break
  [ $try -ge 20 ] && { echo "20 pauses, none in the L2 context"; kill $pid1; exit 1; }
  "$VMMCTL" resume --api-socket $A >/dev/null
done
echo "paused in the L2 context after $try pause(s)"
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A >/dev/null || { kill $pid1; exit 1; }
wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; exit 1; }
echo "L2 output before the snapshot: $(dots $S/run1.log) dots"
"$VMMCTL" dump-regs --snapshot $S/snap --filter HCR_EL2 | tee $S/hcr.txt | grep -E "^  (HCR_EL2|regime|stage 2)|^      (VM|E2H|TGE) "
"$VMMCTL" dump-regs --snapshot $S/snap --filter VTTBR_EL2 | tee $S/vttbr.txt | grep -E "^  VTTBR_EL2|^      (VMID|BADDR) "
"$VMMCTL" dump-regs --snapshot $S/snap --json --filter HCR_EL2 > $S/hcr.json
grep -q '"name": "VM"' $S/hcr.json || { echo "HCR_EL2.VM is not set in the snapshot"; exit 1; }
grep -Eq "VTTBR_EL2 +0x603000000013e108 +0x0001[0-9a-f]{12}" $S/vttbr.txt || { echo "VTTBR_EL2 has no VMID 1"; exit 1; }
"$VMMCTL" restore $S/snap --api-socket $B </dev/null >$S/run2.log 2>&1 &
pid2=$!
wait_dots $S/run2.log 100 300 || { echo "the L2 guest did not continue after restore"; tail -c 2000 $S/run2.log; kill $pid2; exit 1; }
echo "L2 output after the restore: $(dots $S/run2.log) more dots"
# With /dev/userfaultfd the restored RAM is filled on demand; vmmctl warns when it has to copy instead.
if [ -e /dev/userfaultfd ] && grep -q "up front" $S/run2.log; then
  echo "restore copied RAM up front although /dev/userfaultfd exists:"; grep "warning" $S/run2.log; exit 1
fi
# A second generation: snapshot the restored VM, whose RAM is still being filled on demand (the
# snapshot reads every page through the pager), and restore that; the L2 carries on again.
"$VMMCTL" snapshot $S/snap2 --then stop --api-socket $B >/dev/null || { kill $pid2; exit 1; }
wait $pid2 || { echo "the restored run did not exit 0 after snapshot --then stop"; exit 1; }
rm -rf $S/snap  # the first snapshot's memory is no longer mapped; free the lab's tmpfs
"$VMMCTL" restore $S/snap2 --verify --api-socket $B </dev/null >$S/run3.log 2>&1 &
pid3=$!
wait_dots $S/run3.log 50 300 || { echo "the L2 guest did not continue after the second restore"; tail -c 2000 $S/run3.log; kill $pid3; exit 1; }
echo "L2 output after restoring the restored VM's snapshot: $(dots $S/run3.log) more dots"
"$VMMCTL" shutdown --api-socket $B; wait $pid3
rm -rf $S
