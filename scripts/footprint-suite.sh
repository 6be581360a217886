#!/bin/sh
# Runs inside the lab VM (scripts/footprint.sh copies it there). Boots the lab's Linux guest idle under
# `vmmctl run` (256 MiB, the ticker keeps it alive), waits until it ticks, and reads the VMM's
# /proc/PID/smaps and status: where each kB of the VMM's own memory goes, guest RAM left out.
# Also exec-to-first-KVM_RUN (VMMCTL_TIMING=1: vmmctl's own monotonic clock from main; the few
# hundred microseconds between exec and main are measured separately, as `vmmctl --version`).
V=/lab/bin/vmmctl G=/lab/guest
RUNS=${RUNS:-3}
MEM=${MEM:-256M}
PARTS=${PARTS:-memory timing}
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
stats() {  # NAME UNIT values... -> "NAME: min/median/max UNIT"
  name=$1 unit=$2; shift 2
  printf '%s\n' "$@" | sort -n | awk -v n="$name" -v u="$unit" '{a[NR]=$1} END {
    printf "%-52s min %s  median %s  max %s %s\n", n, a[1], a[int((NR+1)/2)], a[NR], u }'
}
# breakdown PID GUEST_KB: one line per kind of mapping, "kind rss_kB anonymous_kB", guest RAM reported
# as "guest": the run of adjacent anonymous mappings that adds up to exactly GUEST_KB (one mapping,
# or several where madvise advice split it, as for a streamed kernel's range).
breakdown() {
  awk -v guest="$2" '
    function hex(h,   i, c, v) { v = 0; h = tolower(h)
      for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c }
      return v }
    /^[0-9a-f]+-[0-9a-f]+ / { n++; split($1, r, "-"); lo[n] = hex(r[1]); hi[n] = hex(r[2]); perm=$2; name=$6
      kind[n] = ""
      if (name == "") kind[n]="anon-other"; else if (name ~ /vmmctl$/) kind[n]=(perm ~ /x/ ? "binary-text" : "binary-data")
      else if (name == "[heap]") kind[n]="heap"; else if (name == "[stack]") kind[n]="main-stack"
      else if (name ~ /kvm-vcpu/) kind[n]="kvm-run-pages"; else if (name ~ /^\[v/) kind[n]="vdso"; else kind[n]="file:" name
      next }
    /^Size:/ { size[n]=$2; next }
    /^Rss:/ { rss[n]=$2; next }
    /^Anonymous:/ { anon[n]=$2; next }
    END {
      for (i = 1; i <= n; i++) {
        if (kind[i] != "anon-other") continue
        total = 0
        for (j = i; j <= n && kind[j] == "anon-other" && (j == i || lo[j] == hi[j-1]); j++) {
          total += size[j]; if (total >= guest) break }
        if (total == guest) { for (k = i; k <= j; k++) kind[k] = "guest"; i = j }
      }
      for (i = 1; i <= n; i++) { r[kind[i]] += rss[i]; a[kind[i]] += anon[i] }
      for (k in r) printf "%s %d %d\n", k, r[k], a[k] }' /proc/$1/smaps
}
guest_kb=$(( $(echo "$MEM" | sed 's/M$//') * 1024 ))
beyond=""; anonx=""; hwmx=""; textv=""; i=0
want memory && while [ $i -lt "$RUNS" ]; do
  rm -f /tmp/fp.log
  "$V" run "$G/Image" --initrd "$G/initrd" --memory "$MEM" --api-socket /tmp/fp.sock \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >/tmp/fp.log 2>&1 &
  pid=$!
  n=0; while ! grep -q "TICK 3 " /tmp/fp.log 2>/dev/null && [ $n -lt 180 ]; do sleep 1; n=$((n+1)); done
  breakdown $pid "$guest_kb" | sort > /tmp/fp.kinds
  echo "# run $i: kind rss_kB anonymous_kB"; cat /tmp/fp.kinds
  grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|Threads)' /proc/$pid/status | tr -s ' \t' ' '
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
  hwm=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
  g=$(awk '$1 == "guest" {print $2}' /tmp/fp.kinds)
  beyond="$beyond $(awk -v a="$rss" -v b="${g:-0}" 'BEGIN{printf "%.2f", (a-b)/1024}')"
  anonx="$anonx $(awk '$1 != "guest" {s+=$3} END {printf "%.2f", s/1024}' /tmp/fp.kinds)"
  hwmx="$hwmx $(awk -v a="$hwm" -v b="$rss" 'BEGIN{printf "%.2f", (a-b)/1024}')"
  textv="$textv $(awk '$1 == "binary-text" {printf "%.2f", $2/1024}' /tmp/fp.kinds)"
  "$V" shutdown --api-socket /tmp/fp.sock >/dev/null 2>&1; wait $pid
  i=$((i+1))
done
want memory && stats "VmRSS beyond touched guest RAM ($MEM guest idle)" MiB $beyond
want memory && stats "anonymous memory outside guest RAM" MiB $anonx
want memory && stats "VmHWM - VmRSS" MiB $hwmx
want memory && stats "binary text resident" MiB $textv
ls -l "$V" | awk '{printf "binary file size: %d bytes\n", $5}'

# exec to first KVM_RUN: the guest is stopped by its own first exits long before it matters; the
# run is killed once the line is out.
first=""; i=0
want timing && while [ $i -lt "$RUNS" ]; do
  rm -f /tmp/fp.err
  VMMCTL_TIMING=1 "$V" run "$G/Image" --initrd "$G/initrd" --memory "$MEM" --api-socket /tmp/fp.sock \
    --cmdline "console=ttyAMA0 panic=-1 quiet" </dev/null >/dev/null 2>/tmp/fp.err &
  pid=$!
  n=0; while ! grep -q "first KVM_RUN" /tmp/fp.err 2>/dev/null && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  echo "run $((i+1)): start-up phases (VMMCTL_TIMING=1)"; grep "timing" /tmp/fp.err | sed 's/^/  /'
  first="$first $(sed -n 's/.*first KVM_RUN \([0-9]*\) us after vmmctl started.*/\1/p' /tmp/fp.err | awk '{printf "%.4f", $1/1e6}')"
  i=$((i+1))
done
want timing && stats "main to first KVM_RUN (Linux, $MEM)" s $first
pre=""; i=0
want timing && while [ $i -lt "$RUNS" ]; do
  t0=$(cut -d' ' -f1 /proc/uptime); j=0
  while [ $j -lt 10 ]; do "$V" --version >/dev/null 2>&1; j=$((j+1)); done
  pre="$pre $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{printf "%.4f", (b-a)/10}')"
  i=$((i+1))
done
want timing && stats "exec to exit of 'vmmctl --version' (bounds pre-main)" s $pre

# PARTS=pages: which pages of vmmctl's own file mappings are resident while the guest idles (one
# `P <hex address>` line each, from /proc/PID/pagemap), once with the kernel's fault-around (which maps
# up to fault_around_bytes, 64 KiB, around each file fault) and once with fault_around_bytes=4096 set
# through debugfs: the pages really touched. scripts/link-order.py turns the second pass into the link
# order (scripts/link-order.txt) that packs the touched functions together. Not part of the default.
want pages && mount -t debugfs none /sys/kernel/debug 2>/dev/null
want pages && for fab in default 4096; do
  if [ "$fab" = 4096 ]; then echo 4096 > /sys/kernel/debug/fault_around_bytes || break; fi
  rm -f /tmp/fp.log
  "$V" run "$G/Image" --initrd "$G/initrd" --memory "$MEM" --api-socket /tmp/fp.sock \
    --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=ticker" </dev/null >/tmp/fp.log 2>&1 &
  pid=$!
  n=0; while ! grep -q "TICK 3 " /tmp/fp.log 2>/dev/null && [ $n -lt 180 ]; do sleep 1; n=$((n+1)); done
  echo "=== fab $fab"
  grep -E '^(VmRSS|VmHWM)' /proc/$pid/status
  grep vmmctl /proc/$pid/maps | while read -r range perm _ _ _ _; do
    s=$((0x${range%-*})) e=$((0x${range#*-}))
    echo "MAP $range $perm"
    dd if=/proc/$pid/pagemap bs=8 skip=$((s / 4096)) count=$(((e - s) / 4096)) 2>/dev/null | od -An -v -tx8 |
      tr -s ' ' '\n' | grep -v '^$' | awk -v s=$s 'substr($1, 1, 1) ~ /[89a-f]/ { printf "P %x\n", s + (NR - 1) * 4096 }'
  done
  "$V" shutdown --api-socket /tmp/fp.sock >/dev/null 2>&1; wait $pid
done
want pages && echo 65536 > /sys/kernel/debug/fault_around_bytes 2>/dev/null
true
