#!/bin/sh
# vmmctl translate and mem read against what a Linux guest says about its own memory, and on a running
# VM. The lab's Debian kernel boots (1 vCPU, EL1; and --nested, the kernel at EL2 with VHE) with
# vmmctl.test=pagemap: guest-init.sh runs /guest-pagemap (guest-pagemap.c), which writes a pattern into a
# page, prints "PAGEMAP VA=... PFN=..." from its own /proc/self/pagemap and "KSYM NAME VA=... PA=..." for
# _text, _stext and init_task (/proc/kallsyms, and /proc/iomem's "Kernel code" start, which is _text's
# physical address: the first lab run, which assumed _stext's, had every symbol 64 KiB off, the walk's
# page descriptors agreeing with _text), then spins at EL0 printing "SPIN n" each second.
#
# Running-VM path: translate and mem read through --api-socket on the running VM are refused with an
# error that says to pause; after `vmmctl pause` they answer, and exactly as on a snapshot of that paused
# state (--then pause); `vmmctl resume` and the guest spins on (a later SPIN line).
# Snapshot path: `vmmctl snapshot --then stop` while the program spins; on the snapshot, translate of the
# user VA in the vCPU's default regime (S1E0R at EL0, under VHE in the EL2&0 regime; S1E1R when the
# snapshot caught the kernel, S1E2R under VHE) and with --at S1E0R must give PFN*4096 + offset;
# of the kernel symbols (S1E1R, or S1E2R for the VHE guest kernel) the computed PA; and mem read --va of
# the user VA the pattern.
#
# The one retry: with one vCPU the spinning program is nearly always the current process, but the
# snapshot can land while the kernel runs something else (the shell, a kernel thread that borrowed
# another mm): then TTBR0_EL1 is another process's table and the user VA does not map to the page. Only
# then (the kernel symbols still agreeing) the script boots once more and says so; a second miss fails.
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/translate-linux; rm -rf $S; mkdir -p $S
PATTERN=VMMCTL-PAGEMAP-PATTERN-ABCDEFGHI

# out JSON-FILE: the "output" address of translate --json (one address), empty on a fault.
out() { sed -n 's/.*"output": "\(0x[0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }
# ascii FILE: the ASCII columns of a mem read dump, joined.
ascii() { sed 's/.*  |\(.*\)|$/\1/' "$1" | tr -d '\n'; }
# line LOG WORD: the guest's (last) line starting with WORD.
line() { tr -d '\r' < "$1" | grep -a "^$2 " | tail -n 1; }
# field LINE KEY: the value of KEY=... in LINE.
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# expect_refused WHAT CMD...: CMD (on the running VM) fails and its error says to pause.
expect_refused() {
  _what=$1; shift
  if "$@" >$S/refused.out 2>&1; then echo "$_what on a running VM was not refused:"; cat $S/refused.out; return 1; fi
  grep -q "vmmctl pause" $S/refused.out || { echo "$_what refused without saying to pause:"; cat $S/refused.out; return 1; }
  echo "  $_what on the running VM refused: $(cat $S/refused.out)"
}

# attempt TAG FLAGS: one boot; returns 0 when everything agreed, 2 when only the user VA missed (the
# vCPU was in another process at the snapshot: retry), 1 on any other failure.
attempt() {
  tag=$1 flags=$2 sock=$S/$1.sock log=$S/$1.log
  "$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M $flags --api-socket $sock \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=pagemap" </dev/null >$log 2>$log.err &
  pid=$!
  # PAGEMAP-EXIT: the program failed (or an initrd without /guest-pagemap): no need to wait 240 s.
  wait_for $log "^SPIN 1\|PAGEMAP-EXIT" 240 && grep -aq "^SPIN 1" $log \
    || { echo "the guest program never spun ($flags)"; tail -n 20 $log $log.err; kill $pid; wait $pid; return 1; }
  pm=$(line $log PAGEMAP); tx=$(line $log "KSYM _text"); st=$(line $log "KSYM _stext"); it=$(line $log "KSYM init_task")
  printf '  %s\n' "$pm" "$tx" "$st" "$it"
  va=$(field "$pm" VA) pfn=$(field "$pm" PFN)
  want=$(printf '0x%x' $((pfn * 4096 + (va & 0xfff))))
  kop=S1E1R; [ -n "$flags" ] && kop=S1E2R
  r=0
  # The running-VM path.
  expect_refused translate "$VMMCTL" translate --api-socket $sock --json "$va" || r=1
  expect_refused "mem read" "$VMMCTL" mem read --api-socket $sock "$va" 32 --va || r=1
  "$VMMCTL" pause --api-socket $sock >/dev/null || { kill $pid; wait $pid; return 1; }
  spins=$(line $log SPIN)
  for src in "--api-socket $sock" "--snapshot $S/$tag.paused"; do
    k=sock; case $src in --snapshot*) k=snap ;; esac
    [ $k = snap ] && { "$VMMCTL" snapshot $S/$tag.paused --then pause --api-socket $sock >/dev/null 2>$S/snap.err || { cat $S/snap.err; r=1; }; }
    "$VMMCTL" translate $src --json "$va" >$S/$k.user.json 2>&1 || r=1
    "$VMMCTL" translate $src --at $kop --json "$(field "$it" VA)" >$S/$k.kernel.json 2>&1 || r=1
    "$VMMCTL" mem read $src "$va" 32 --va >$S/$k.mem 2>&1 || r=1
  done
  for f in user.json kernel.json mem; do
    cmp -s $S/sock.$f $S/snap.$f || { echo "paused VM and its snapshot disagree ($f):"; diff $S/sock.$f $S/snap.$f | head -n 20; r=1; }
  done
  echo "  paused: translate $va -> $(out $S/sock.user.json), init_task -> $(out $S/sock.kernel.json) (the same on its snapshot)"
  # The kernel image is mapped the same in every process: this one holds whichever task was current.
  pk=$(out $S/sock.kernel.json)
  [ -n "$pk" ] && [ $((pk)) = $(($(field "$it" PA))) ] || { echo "paused: init_task -> ${pk:-fault}, guest $(field "$it" PA)"; r=1; }
  "$VMMCTL" resume --api-socket $sock >/dev/null || r=1
  n=${spins#SPIN }
  wait_for $log "^SPIN $((n + 2))" 120 || { echo "no SPIN $((n + 2)) after resume (paused at SPIN $n)"; r=1; }
  [ $r = 0 ] && echo "  resumed: the guest spun on past SPIN $((n + 2))"
  # The snapshot path.
  "$VMMCTL" snapshot $S/$tag.snap --then stop --api-socket $sock >/dev/null 2>$S/snap.err || { cat $S/snap.err; kill $pid; wait $pid; return 1; }
  wait $pid || { echo "vmmctl run exited $? after snapshot --then stop"; r=1; }
  for sym in "$tx" "$st" "$it"; do
    name=$(echo "$sym" | cut -d' ' -f2) kva=$(field "$sym" VA) kpa=$(field "$sym" PA)
    "$VMMCTL" translate --snapshot $S/$tag.snap --at $kop --json "$kva" >$S/k.json 2>&1
    got=$(out $S/k.json)
    if [ -n "$got" ] && [ $((got)) = $((kpa)) ]; then echo "  AT $kop $name $kva -> $got (guest: $kpa)"
    else echo "MISMATCH $flags AT $kop $name $kva: translate ${got:-fault}, guest $kpa"; cat $S/k.json; r=1; fi
  done
  "$VMMCTL" translate --snapshot $S/$tag.snap --json "$va" >$S/u.json 2>&1
  got=$(out $S/u.json)
  op=$(sed -n 's/.*"operation": "\([A-Z0-9]*\)".*/\1/p' $S/u.json | head -n 1)
  # And as EL0 itself reads it (S1E0R: the EL0 permissions checked too), whatever EL the vCPU was at.
  "$VMMCTL" translate --snapshot $S/$tag.snap --at S1E0R --json "$va" >$S/u0.json 2>&1
  got0=$(out $S/u0.json)
  "$VMMCTL" mem read --snapshot $S/$tag.snap "$va" 32 --va >$S/u.mem 2>&1
  if [ -n "$got" ] && [ $((got)) = $((want)) ] && [ -n "$got0" ] && [ $((got0)) = $((want)) ] \
    && [ "$(ascii $S/u.mem)" = "$PATTERN" ]; then
    echo "  AT $op (the default) and AT S1E0R user $va -> $got (pagemap PFN $pfn: $want); mem read --va:"; sed 's/^/    /' $S/u.mem
  else
    echo "  AT $op user $va: translate ${got:-fault}, S1E0R ${got0:-fault}, pagemap $want; mem read --va:"
    sed 's/^/    /' $S/u.mem
    "$VMMCTL" dump-regs --snapshot $S/$tag.snap --filter PSTATE | head -n 4
    "$VMMCTL" dump-regs --snapshot $S/$tag.snap --filter TTBR0_EL | head -n 4
    [ $r = 0 ] && r=2 || r=1
  fi
  rm -rf $S/$tag.snap $S/$tag.paused
  return $r
}

fail=0
nested_flags "" "--nested" > $S/flags
while read -r flags; do
  echo "== vmmctl run ${flags:-(EL1)} vmmctl.test=pagemap"
  t0=$(date +%s)
  attempt "a$(echo "$flags" | tr -d ' -')" "$flags" </dev/null; r=$?
  if [ $r = 2 ]; then
    echo "  the vCPU was not in the program at the snapshot; booting once more"
    attempt "b$(echo "$flags" | tr -d ' -')" "$flags" </dev/null; r=$?
  fi
  echo "  ($(($(date +%s) - t0)) s)"
  [ $r = 0 ] || { echo "FAILED: ${flags:-(EL1)}"; fail=1; }
done < $S/flags
rm -rf $S
exit $fail
