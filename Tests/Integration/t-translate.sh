#!/bin/sh
# vmmctl translate against the hardware's AT instructions. The AT probe (run --at-probe) runs at EL1 with
# its own MMU on (the S1 cases, executed by the CPU itself), and with --nested as a guest hypervisor with
# pre-built tables: the EL1&0 regime (TTBR0 4KB, TTBR1 64KB) behind its own stage 2
# (4KB, two concatenated start tables). It runs AT over a case matrix (pages, blocks, TTBR1, AF clear,
# read-only, EL0, UXN/PXN, unmapped, address size, outside the ranges, stage 2 read-only and unmapped,
# a stage 2 fault on a stage 1 table fetch, Device and Non-cacheable attributes) and prints each PAR_EL1;
# KVM emulates the AT instructions of its nested guest (hardware AT where it can, its own walker for the
# rest). The test snapshots the probe and asks translate, on the snapshot, for the same cases: every
# PAR_EL1 must agree, at EL1 and for VHE and E2H0 guest hypervisors.
#
# Bits masked, because the architecture leaves them IMPLEMENTATION DEFINED or UNKNOWN (Arm ARM D24.2
# "PAR_EL1"): with F=0, NS [9] (UNKNOWN for a Non-secure regime), [10] and [6:1]; with F=1, [63:12] apart
# from [11] (RES1), and [10]. One more, a lab finding: a successful S12E1R/W, which KVM's software walker
# answers, comes back with bit 11 clear, while the CPU's own AT (at EL1, and S1 from the guest hypervisor)
# sets it, as the walker does; bit 11 is masked for S12 successes only.
. "$(dirname "$0")/lib.sh"
S=/tmp/translate; rm -rf $S; mkdir -p $S
fail=0
# masked PAR OP
masked() {
  v=$(($1))
  if [ $((v & 1)) = 1 ]; then echo $((v & 0xBFF))
  else case $2 in S12*) echo $((v & ~0xE7E)) ;; *) echo $((v & ~0x67E)) ;; esac; fi
}
nested_flags "" "--nested" "--nested --e2h0" > $S.flags
while read -r flags; do
  tag=probe$(echo "$flags" | tr -d " -")
  min=25; [ -z "$flags" ] && min=18
  "$VMMCTL" run --at-probe $flags --memory 64M --api-socket $S/$tag.sock </dev/null >$S/$tag.log 2>&1 &
  pid=$!
  wait_for $S/$tag.log "at-probe done" 120 || { echo "the probe did not finish ($flags)"; cat $S/$tag.log; kill $pid; exit 1; }
  "$VMMCTL" snapshot $S/$tag.snap --then stop --api-socket $S/$tag.sock >/dev/null || { kill $pid; exit 1; }
  wait $pid
  grep -a "^at-probe S" $S/$tag.log | tr -d '\r' > $S/$tag.cases
  n=$(wc -l < $S/$tag.cases)
  [ "$n" -ge $min ] || { echo "only $n probe lines ($flags)"; cat $S/$tag.log; exit 1; }
  bad=0
  while read -r _ op va par; do
    got=$("$VMMCTL" translate --snapshot $S/$tag.snap --at "$op" --json "0x$va" </dev/null \
      | sed -n 's/.*"par": "\(0x[0-9a-f]*\)".*/\1/p')
    [ -n "$got" ] || { echo "translate gave no PAR for $op 0x$va"; bad=$((bad+1)); continue; }
    if [ "$(masked "0x$par" "$op")" = "$(masked "$got" "$op")" ]; then
      echo "  $flags AT $op 0x$va: PAR_EL1 0x$par (translate $got)"
    else
      echo "MISMATCH $flags AT $op 0x$va: hardware PAR_EL1 0x$par, translate $got"
      "$VMMCTL" translate --snapshot $S/$tag.snap --at "$op" "0x$va" | sed 's/^/    /'
      bad=$((bad+1))
    fi
  done < $S/$tag.cases
  echo "$flags: $n cases, $bad mismatches"
  [ $bad = 0 ] || fail=1
  rm -rf $S/$tag.snap
done < $S.flags
rm -rf $S $S.flags
exit $fail
