#!/bin/sh
# MTE with a Linux guest; run by lab-suite-mte.sh in the lab's `lab run --mte` pass only (the ordinary
# pass has no MTE, so this is not a t-*.sh). The lab's Debian kernel under `vmmctl run --mte` lists
# "mte" in /proc/cpuinfo; a ticker guest with --mte is snapshotted (tags.bin beside memory.bin) and
# restored, and its ticks carry on; --mte with --nested is refused up front on this kernel, naming why.
. "$(dirname "$0")/lib.sh"
need_guest initrd
grep -q "^Features.* mte" /proc/cpuinfo || { echo "the lab host has no mte in /proc/cpuinfo: not a --mte run"; exit 1; }
echo "lab host: $(grep -m1 ^Features /proc/cpuinfo | grep -o ' mte[0-9]*' | tr '\n' ' ')"
fail=0
S=/tmp/mtetest; rm -rf $S; mkdir -p $S
A=$S/a.sock B=$S/b.sock
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --mte --memory 256M --api-socket $A \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=mte vmmctl.test=ticker" </dev/null >$S/run1.log 2>$S/run1.err &
pid1=$!
wait_for $S/run1.log "TICK 2 " 180 || { echo "the guest never ticked"; tail -n 20 $S/run1.log $S/run1.err; kill $pid1; exit 1; }
grep -a "VMMCTL-GUEST-MTE" $S/run1.log
grep -aq "VMMCTL-GUEST-MTE yes" $S/run1.log || { echo "the guest kernel did not find MTE"; fail=1; }
"$VMMCTL" dump-regs --api-socket $A --filter mte | head -n 30
"$VMMCTL" snapshot $S/snap --then stop --api-socket $A || { kill $pid1; exit 1; }
wait $pid1
ls -l $S/snap
[ -s $S/snap/tags.bin ] || { echo "no tags.bin in the snapshot"; fail=1; }
[ "$(stat -c %s $S/snap/tags.bin)" = $((256 * 1024 * 1024 / 32)) ] || { echo "tags.bin is not 8 MiB"; fail=1; }
"$VMMCTL" dump-regs --snapshot $S/snap --vcpu 0 | head -n 5
t0=$(date +%s)
restore_and_check_ticks $S/snap $S/run1.log $B $S/run2.log || fail=1
# busybox date has no %N: whole seconds.
echo "restore to shutdown: $(( $(date +%s) - t0 )) s"
# A truncated tag file is refused before anything runs, naming the file.
# busybox truncate takes no relative size: one byte short, computed.
truncate -s $(( $(stat -c %s $S/snap/tags.bin) - 1 )) $S/snap/tags.bin
if "$VMMCTL" restore $S/snap --api-socket $B </dev/null >$S/run3.log 2>&1; then echo "restored with a truncated tags.bin"; fail=1; fi
cat $S/run3.log
grep -q "tags.bin" $S/run3.log || { echo "the error does not name tags.bin"; fail=1; }
# --mte with --nested: this kernel hides MTE from EL2 vCPUs; refused up front with exit 1.
"$VMMCTL" run --mte --nested </dev/null >$S/nested.log 2>&1; st=$?
cat $S/nested.log
[ "$st" = 1 ] || { echo "--mte --nested exited $st, expected 1"; fail=1; }
grep -q "hides it from vCPUs with EL2" $S/nested.log || { echo "no EL2 explanation"; fail=1; }
exit $fail
