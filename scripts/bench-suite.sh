#!/bin/sh
# Runs inside the lab VM (see scripts/bench.sh). Times come from /proc/uptime (10 ms resolution) or
# from vmmctl's own monotonic-clock lines (VMMCTL_TIMING=1, --bench-mmio).
V=/lab/bin/vmmctl G=/lab/guest
RUNS=${RUNS:-3}
SECTIONS=${SECTIONS:-boot mmio rss snapshot sparse incremental disk}
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
stats() {  # NAME UNIT values... -> "NAME: min/median/max UNIT"
  name=$1 unit=$2; shift 2
  printf '%s\n' "$@" | sort -n | awk -v n="$name" -v u="$unit" '{a[NR]=$1} END {
    printf "%-44s min %s  median %s  max %s %s\n", n, a[1], a[int((NR+1)/2)], a[NR], u }'
}
now() { cut -d' ' -f1 /proc/uptime; }

boot() {  # FLAGS...
  t0=$(now)
  "$V" run "$G/Image" --initrd "$G/initrd" --memory 512M --cmdline "console=ttyAMA0 panic=-1 quiet" "$@" \
    </dev/null 2>&1 | while IFS= read -r line; do
      case $line in *VMMCTL-GUEST-UP*) awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f\n", b-a}' ;; esac
    done
}
want boot && for mode in plain nested; do
  flags=""; [ $mode = nested ] && flags=--nested
  vals=""; i=0; while [ $i -lt "$RUNS" ]; do vals="$vals $(boot $flags)"; i=$((i+1)); done
  stats "boot to init marker ($mode, 512 MiB)" s $vals
done

# Nested: the payload runs at the guest's virtual EL2, so every exit also saves and restores the guest
# hypervisor's EL2 context; fewer writes keep the run short under the lab's emulated CPU.
want mmio && for mode in plain nested; do
  flags="" count=200000
  [ $mode = nested ] && flags=--nested count=20000
  vals=""; i=0
  while [ $i -lt "$RUNS" ]; do
    v=$("$V" run --bench-mmio $count $flags </dev/null 2>&1 >/dev/null | sed -n 's/.* \([0-9]*\) ns per exit.*/\1/p')
    vals="$vals $v"; i=$((i+1))
  done
  stats "MMIO exit round trip ($mode, $count writes)" ns $vals
done

# RSS beyond guest RAM, sampled once the Linux guest is up (ticker mode keeps it running).
vals=""; i=0
want rss && while [ $i -lt "$RUNS" ]; do
  rm -f /tmp/rss.log
  "$V" run "$G/Image" --initrd "$G/initrd" --memory 256M --api-socket /tmp/bench.sock \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >/tmp/rss.log 2>&1 &
  pid=$!
  n=0; while ! grep -q "TICK 2 " /tmp/rss.log 2>/dev/null && [ $n -lt 120 ]; do sleep 1; n=$((n+1)); done
  total=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
  guest=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {m=0} /^Size: +262144 kB/ {m=1} m && /^Rss:/ {print $2; m=0}' /proc/$pid/smaps | head -n 1)
  vals="$vals $(( (total - ${guest:-0}) / 1024 ))"
  "$V" shutdown --api-socket /tmp/bench.sock >/dev/null; wait $pid
  i=$((i+1))
done
want rss && stats "VMM RSS beyond guest RAM (Linux guest up)" MiB $vals

# Nested restores copy guest RAM up front (docs/snapshot-format.md), so they get their own rows. The
# mte section (a lab booted with --mte: scripts/bench-mte.sh) times the same guests with and without
# --mte: an MTE snapshot also reads every tag (tags.bin), an MTE restore copies RAM and tags up front.
specs="256M 1G 256M:--nested 1G:--nested"
want mte && specs="256M 256M:--mte 1G 1G:--mte"
{ want snapshot || want mte; } && for spec in $specs; do
  mem=${spec%%:*} flags=""; [ "$spec" = "$mem" ] || flags=${spec#*:}
  svals=""; rvals=""; i=0
  while [ $i -lt "$RUNS" ]; do
    rm -rf /tmp/bsnap /tmp/b.log
    "$V" run "$G/Image" --initrd "$G/initrd" --memory $mem $flags --api-socket /tmp/bench.sock \
      --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >/tmp/b.log 2>&1 &
    pid=$!
    n=0; while ! grep -q "TICK 1 " /tmp/b.log 2>/dev/null && [ $n -lt 180 ]; do sleep 1; n=$((n+1)); done
    t0=$(now)
    "$V" snapshot /tmp/bsnap --then stop --api-socket /tmp/bench.sock >/dev/null 2>&1
    svals="$svals $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f\n", b-a}')"
    wait $pid
    VMMCTL_TIMING=1 "$V" restore /tmp/bsnap --api-socket /tmp/bench.sock </dev/null >/tmp/r.log 2>&1 &
    pid=$!
    n=0; while ! grep -q "ready to run" /tmp/r.log 2>/dev/null && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
    rvals="$rvals $(sed -n 's/.*ready to run \([0-9]*\) us after vmmctl started.*/\1/p' /tmp/r.log | awk '{printf "%.3f\n", $1/1e6}')"
    "$V" shutdown --api-socket /tmp/bench.sock >/dev/null 2>&1; wait $pid
    i=$((i+1))
  done
  stats "snapshot ($mem guest $flags, paused VM to files)" s $svals
  stats "restore ($mem guest $flags, start to ready-to-run)" s $rvals
done

# Sparse snapshots: the UART-flood payload touches SIZE of RAM (--bench-touch, one store per page),
# then floods slowly; the snapshot (--then stop) is timed and its memory file's size on disk read (du).
# A 64 MiB guest that touched (almost) all of it is the reference for the 1 GiB guest that touched 64 MiB.
want sparse && for spec in 64M:62M 256M:64M 1G:64M; do
  mem=${spec%%:*} touch=${spec#*:}
  svals=""; dvals=""; i=0
  while [ $i -lt "$RUNS" ]; do
    rm -rf /tmp/bsnap /tmp/b.log
    "$V" run --bench-mmio 100000000 --bench-spin 100000 --bench-touch $touch --memory $mem \
      --api-socket /tmp/bench.sock </dev/null >/tmp/b.log 2>&1 &
    pid=$!
    # The flood's first bytes come after the touch loop: the snapshot sees all of the touched memory.
    n=0; while [ "$(cat /tmp/b.log 2>/dev/null | wc -c)" -lt 10 ] && [ $n -lt 120 ]; do sleep 1; n=$((n+1)); done
    t0=$(now)
    "$V" snapshot /tmp/bsnap --then stop --api-socket /tmp/bench.sock >/dev/null 2>&1
    svals="$svals $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f\n", b-a}')"
    wait $pid
    dvals="$dvals $(du -k /tmp/bsnap/memory.bin | awk '{printf "%.1f", $1/1024}')"
    i=$((i+1))
  done
  stats "snapshot ($mem guest, $touch touched)" s $svals
  stats "memory.bin on disk ($mem guest, $touch touched)" MiB $dvals
done

# Incremental snapshots: a 256 MiB guest that touched 64 MiB and keeps dirtying 16 MiB (--bench-dirty)
# is snapshotted in full, then, once it has printed 4200 more bytes (each a store to the next of the 4096
# pages of the 16 MiB), with --base: the pages dirtied since. The reference is a full snapshot of a guest
# that touched 16 MiB (writing 16 MiB). Times from the client, --then stop.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f\n", b-a}'; }
bytes() { cat "$1" 2>/dev/null | wc -c; }
# dirtying_guest_with_base: starts (in the background, pid in $pid) a 256 MiB guest that touched 64 MiB
# and keeps dirtying 16 MiB, its flood on /tmp/b.log and vmmctl's messages on /tmp/b.err; takes the
# full snapshot /tmp/bsnap and lets it run until it has printed 4200 more bytes, so that every one of
# the 16 MiB was written since. VMMCTL_TIMING in the caller's environment reaches the VM.
dirtying_guest_with_base() {
  "$V" run --bench-mmio 100000000 --bench-spin 10000 --bench-touch 64M --bench-dirty 16M --memory 256M \
    --api-socket /tmp/bench.sock </dev/null >/tmp/b.log 2>/tmp/b.err &
  pid=$!
  n=0; while [ "$(bytes /tmp/b.log)" -lt 10 ] && [ $n -lt 120 ]; do sleep 1; n=$((n+1)); done
  "$V" snapshot /tmp/bsnap --then resume --api-socket /tmp/bench.sock >/dev/null 2>&1
  a=$(bytes /tmp/b.log)
  n=0; while [ "$(bytes /tmp/b.log)" -lt $((a + 4200)) ] && [ $n -lt 300 ]; do sleep 1; n=$((n+1)); done
}
want incremental && {
  rvals=""; ivals=""; dvals=""; cvals=""; i=0
  while [ $i -lt "$RUNS" ]; do
    rm -rf /tmp/bsnap /tmp/bsnap-i /tmp/b.log
    "$V" run --bench-mmio 100000000 --bench-spin 10000 --bench-touch 16M --memory 256M \
      --api-socket /tmp/bench.sock </dev/null >/tmp/b.log 2>&1 &
    pid=$!
    n=0; while [ "$(bytes /tmp/b.log)" -lt 10 ] && [ $n -lt 120 ]; do sleep 1; n=$((n+1)); done
    t0=$(now); "$V" snapshot /tmp/bsnap --then stop --api-socket /tmp/bench.sock >/dev/null 2>&1; rvals="$rvals $(since "$t0")"
    wait $pid; rm -rf /tmp/bsnap
    dirtying_guest_with_base
    t0=$(now); "$V" snapshot /tmp/bsnap-i --base /tmp/bsnap --then stop --api-socket /tmp/bench.sock >/dev/null 2>&1
    ivals="$ivals $(since "$t0")"
    wait $pid
    dvals="$dvals $(du -k /tmp/bsnap-i/memory.bin | awk '{printf "%.1f", $1/1024}')"
    # The chain's restore (full + increment) to ready-to-run, from vmmctl's own clock.
    VMMCTL_TIMING=1 "$V" restore /tmp/bsnap-i --api-socket /tmp/bench.sock </dev/null >/tmp/r.log 2>&1 &
    pid=$!
    n=0; while ! grep -q "ready to run" /tmp/r.log 2>/dev/null && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
    cvals="$cvals $(sed -n 's/.*ready to run \([0-9]*\) us after vmmctl started.*/\1/p' /tmp/r.log | awk '{printf "%.3f\n", $1/1e6}')"
    "$V" shutdown --api-socket /tmp/bench.sock >/dev/null 2>&1; wait $pid
    i=$((i+1))
  done
  stats "full snapshot, 256 MiB guest, 16 MiB touched" s $rvals
  stats "incremental snapshot, 16 MiB dirtied" s $ivals
  stats "incremental memory.bin on disk" MiB $dvals
  stats "restore of the chain (full + increment), to ready-to-run" s $cvals
  # Where an incremental snapshot's time goes (VMMCTL_TIMING=1 on the VM: its phases on stderr, kept
  # apart from the flood's bytes, which are counted on stdout), and the full snapshot's for comparison.
  if [ -n "${PHASES:-}" ]; then
    i=0
    while [ $i -lt "$RUNS" ]; do
      rm -rf /tmp/bsnap /tmp/bsnap-i /tmp/bsnap-f
      VMMCTL_TIMING=1 dirtying_guest_with_base
      t0=$(now); "$V" snapshot /tmp/bsnap-i --base /tmp/bsnap --then resume --api-socket /tmp/bench.sock >/dev/null 2>&1
      echo "# run $i: incremental snapshot client time $(since "$t0") s"
      t0=$(now); "$V" snapshot /tmp/bsnap-f --then stop --api-socket /tmp/bench.sock >/dev/null 2>&1
      echo "# run $i: full snapshot of the same guest (64 MiB touched) client time $(since "$t0") s"
      wait $pid
      grep "timing: .*snapshot" /tmp/b.err
      i=$((i+1))
    done
  fi
  rm -rf /tmp/bsnap /tmp/bsnap-i /tmp/bsnap-f
}

# virtio-blk: the guest runs diskbench on /dev/vdb (a raw image file in this lab host's /tmp, a tmpfs),
# then the same diskbench runs here on that file; the guest/host ratio is the figure that matters.
ratio() { awk -v g="$1" -v h="$2" 'BEGIN { if (h > 0) printf "%.3f", g / h; else print "?" }'; }
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
MB=${DISK_MB:-64}
want disk && for spec in plain:"" nested:--nested; do
  mode=${spec%%:*} flags=${spec#*:}
  for m in seqwrite seqread randread; do eval "g_$m=''; h_$m=''"; done
  i=0
  while [ $i -lt "$RUNS" ]; do
    cp "$G/rootfs.ext4" /tmp/bench-root.ext4
    dd if=/dev/zero of=/tmp/bench.img bs=1048576 count="$MB" 2>/dev/null
    # shellcheck disable=SC2086
    "$V" run "$G/Image" --initrd "$G/initrd-virtio" --memory 512M $flags --disk /tmp/bench-root.ext4 \
      --disk /tmp/bench.img --cmdline "console=ttyAMA0 panic=-1 quiet root=/dev/vda rw vmmctl.test=bench vmmctl.bench.mb=$MB" \
      </dev/null 2>&1 | tr -d '\r' > /tmp/bench-disk.log
    for m in seqwrite seqread randread; do
      v=$(sed -n "s/^DISKBENCH $m [A-Z/a-z]* //p" /tmp/bench-disk.log)
      [ -n "$v" ] || { echo "no guest $m figure:"; tail -n 5 /tmp/bench-disk.log; v=0; }
      eval "g_$m=\"\$g_$m $v\""
      v=$(/lab/check/diskbench /tmp/bench.img $m "$MB" 2000 | sed -n "s/^DISKBENCH $m [A-Z/a-z]* //p")
      eval "h_$m=\"\$h_$m $v\""
    done
    i=$((i+1))
  done
  for m in seqwrite seqread randread; do
    unit=MB/s; [ $m = randread ] && unit=IOPS
    eval "g=\$g_$m h=\$h_$m"
    # shellcheck disable=SC2086
    stats "disk $m guest ($mode, ${MB} MiB)" $unit $g
    # shellcheck disable=SC2086
    stats "disk $m lab host (same file)" $unit $h
    # shellcheck disable=SC2086
    echo "disk $m guest/host ratio ($mode, medians): $(ratio "$(med $g)" "$(med $h)")"
  done
done
