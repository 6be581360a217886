#!/bin/sh
# A disk guest writing and syncing files in a loop is snapshotted mid-loop and stopped; a restore that
# would find its disk missing or of another size is refused, naming the file; the real restore runs the
# loop to its end. Every file then holds exactly what the guest wrote, none is written twice or lost,
# and the filesystem is clean. Plain (1 vCPU) and --nested with 2 vCPUs.
# The snapshot lands mid-loop by construction, not by timing: before file 12 (GATE) the guest waits for a
# console line, which only the restore's stdin gives. A fast guest is caught waiting at the gate, a slow
# one between WROTE 3 and the gate, with a write in flight.
. "$(dirname "$0")/lib.sh"
need_disk_guest
S=/tmp/t-virtio-snap; rm -rf $S; mkdir -p $S
N=16
GATE=12
fail=0
one() {  # FLAGS...
  rm -rf $S/snap $S/*.log $S/*.err; fresh_disk $S/root.ext4
  echo "== vmmctl run $* --disk: write loop of $N files, snapshot after the 4th"
  "$VMMCTL" run "$G/Image" --initrd "$G/initrd-virtio" --memory 256M "$@" --disk $S/root.ext4 \
    --api-socket $S/a.sock --cmdline "$DISK_CMDLINE vmmctl.test=write-loop vmmctl.loop=$N vmmctl.loop.gate=$GATE" \
    </dev/null >$S/run.log 2>$S/run.err &
  pid=$!
  wait_for $S/run.log "^WROTE 3[^0-9]*$" 240 || { echo "the loop never wrote 4 files"; tail -n 20 $S/run.log $S/run.err; kill $pid; return 1; }
  "$VMMCTL" snapshot $S/snap --then stop --api-socket $S/a.sock || { kill $pid; return 1; }
  wait $pid; st=$?
  [ "$st" = 0 ] || { echo "run exited $st after snapshot --then stop"; cat $S/run.err; return 1; }
  echo "before the snapshot: $(grep -a '^WROTE' $S/run.log | tail -n 1)"
  grep -aq "^LOOP-DONE\|^WROTE $GATE" $S/run.log && { echo "the loop went past its gate before the restore"; return 1; }
  # The disk must be the one the snapshot was taken with.
  mv $S/root.ext4 $S/away.ext4
  "$VMMCTL" restore $S/snap --api-socket $S/b.sock </dev/null >$S/r0.log 2>&1 && { echo "restored without its disk"; return 1; }
  grep -q "root.ext4" $S/r0.log || { echo "the refusal does not name the missing disk:"; cat $S/r0.log; return 1; }
  echo "disk missing: $(tail -n 1 $S/r0.log)"
  size=$(stat -c %s $S/away.ext4); mv $S/away.ext4 $S/root.ext4
  dd if=/dev/zero bs=1048576 count=1 2>/dev/null >> $S/root.ext4
  "$VMMCTL" restore $S/snap --api-socket $S/b.sock </dev/null >$S/r1.log 2>&1 && { echo "restored with a resized disk"; return 1; }
  grep -q "root.ext4" $S/r1.log || { echo "the refusal does not name the resized disk:"; cat $S/r1.log; return 1; }
  echo "disk resized: $(tail -n 1 $S/r1.log)"
  truncate -s "$size" $S/root.ext4
  # The real restore: the console line opens the gate, the loop carries on and the guest powers off, so
  # restore exits 0.
  echo go | timeout 400 "$VMMCTL" restore $S/snap --api-socket $S/b.sock >$S/restore.log 2>$S/restore.err; st=$?
  [ "$st" = 0 ] || { echo "restore exited $st"; tail -n 20 $S/restore.log $S/restore.err; return 1; }
  grep -a "^LOOP-DONE\|^ROOT-REMOUNT" $S/restore.log
  grep -aq "^LOOP-DONE $N" $S/restore.log || { echo "the restored loop did not finish"; return 1; }
  # The run's output followed by the restore's is the guest's whole output (a line the snapshot cut is
  # completed by the restore): WROTE 0..N-1, each once, in order.
  got=$(cat $S/run.log $S/restore.log | tr -d '\r' | sed -n 's/^WROTE \([0-9]*\)$/\1/p' | tr '\n' ' ')
  [ "$got" = "$(seq 0 $((N - 1)) | tr '\n' ' ')" ] || { echo "WROTE lines: $got"; return 1; }
  i=0
  while [ $i -lt $N ]; do
    disk_file $S/root.ext4 /loop/f$i > $S/got
    seq $((i * 1000)) $((i * 1000 + 1999)) | cmp -s - $S/got || { echo "/loop/f$i differs ($(wc -c < $S/got) bytes)"; return 1; }
    i=$((i + 1))
  done
  echo "/loop/f0..f$((N - 1)): exact"
  fsck_clean $S/root.ext4
}
one || fail=1
nested_flags "--nested --cpus 2" > $S/shapes
while read -r flags; do
  # shellcheck disable=SC2086
  one $flags || fail=1
done < $S/shapes
[ $fail = 0 ] && rm -rf $S
exit $fail
