#!/bin/sh
# PENDING (not run by run-all.sh, which runs t-*.sh): this scenario does not pass yet. The snapshot is
# taken and dump-regs shows the guest hypervisor's EL2 state (VTTBR_EL2 with its L2's VMID and stage-2
# base), but after `vmmctl restore` the nested guest's L2 produces no further output: the guest
# hypervisor stalls (suspected: EL2 timer / nested vGIC state not carried over). Tracked in the issue;
# rename back to t-snapshot-nested.sh when it passes.
# Snapshot a --nested guest whose own KVM is running an L2 guest (vmmctl's UART-flood payload) at that
# moment; stop; restore; the L2 guest carries on (more of its output arrives), and dump-regs of the
# snapshot shows the guest hypervisor's live EL2 state: HCR_EL2 with VM set and a VTTBR_EL2 for its L2.
here=$(cd "$(dirname "$0")/.." && pwd)
G=$here/guest
[ -f "$G/Image" ] && [ -f "$G/initrd-l2" ] || { echo "skip: no guest kernel in $G"; exit 0; }
S=/tmp/snapnested; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
dots() { tr -cd . < "$1" | wc -c; }
wait_dots() {  # FILE COUNT SECONDS
  n=0; while [ "$(dots "$1")" -lt "$2" ]; do n=$((n+1)); [ $n -gt "$3" ] && return 1; sleep 1; done
}
"$VMMCTL" run "$G/Image" --initrd "$G/initrd-l2" --memory 768M --nested --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=l2-flood" </dev/null >$S/run1.log 2>&1 &
pid1=$!
wait_dots $S/run1.log 300 300 || { echo "the L2 guest never ran"; tail -c 2000 $S/run1.log; kill $pid1; exit 1; }
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A || { kill $pid1; exit 1; }
wait $pid1 || { echo "run did not exit 0 after snapshot --then stop"; exit 1; }
before=$(dots $S/run1.log)
echo "L2 output before the snapshot: $before dots"
"$VMMCTL" dump-regs --snapshot $S/snap --filter HCR_EL2 | tee $S/hcr.txt | head -n 30
"$VMMCTL" dump-regs --snapshot $S/snap --filter VTTBR_EL2 | tee $S/vttbr.txt | head -n 20
"$VMMCTL" dump-regs --snapshot $S/snap --json --filter HCR_EL2 > $S/hcr.json
grep -q '"name": "VM"' $S/hcr.json || { echo "HCR_EL2.VM is not set: the guest hypervisor is not running its L2"; exit 1; }
grep -Eq "VTTBR_EL2 +0x603000000013e108 +0x0*[1-9a-f]" $S/vttbr.txt || { echo "VTTBR_EL2 is zero"; exit 1; }
"$VMMCTL" restore $S/snap --api-socket $B </dev/null >$S/run2.log 2>&1 &
pid2=$!
wait_dots $S/run2.log 300 300 || { echo "the L2 guest did not continue after restore"; tail -c 2000 $S/run2.log; kill $pid2; exit 1; }
echo "L2 output after the restore: $(dots $S/run2.log) more dots"
"$VMMCTL" shutdown --api-socket $B; wait $pid2
rm -rf $S
