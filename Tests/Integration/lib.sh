# Sourced by the t-*.sh integration scripts (`. "$(dirname "$0")/lib.sh"`): where the guest kernel is,
# and the waiting helpers. Not a test itself (run-all.sh runs t-*.sh only).

# The Linux guest scripts/test.sh builds next to the scripts: Image, initrd, initrd-l2 (with vmmctl).
G=$(cd "$(dirname "$0")/.." && pwd)/guest

# need_guest [FILE...]: skip the script (exit 77, which run-all.sh reports as SKIP, not as a pass) unless
# the guest kernel and these files exist.
need_guest() {
  for _f in Image "$@"; do
    [ -f "$G/$_f" ] || { echo "no $_f in $G (scripts/test.sh builds it)"; exit 77; }
  done
}

# has_nested: whether this host's KVM runs EL2 guests (`vmmctl check` exits 3 when KVM works but nested
# guests cannot: a native arm64 host without FEAT_NV2 or kvm-arm.mode=nested). The lab always has them.
has_nested() { "$VMMCTL" check >/dev/null 2>&1; [ $? != 3 ]; }

# need_nested: skip the script (exit 77, reported as SKIP) on a host without nested virtualisation.
need_nested() {
  has_nested || { echo "this host's KVM has no nested virtualisation (vmmctl check exits 3)"; exit 77; }
}

# nested_flags FLAGS...: the flag sets to run, dropping those with --nested on a host without nested
# virtualisation (saying so), so a script's plain cases still run there.
nested_flags() {
  for _f in "$@"; do
    case " $_f " in
      *" --nested "*) has_nested || { echo "skipping '$_f': no nested virtualisation on this host" >&2; continue; } ;;
    esac
    printf '%s\n' "$_f"
  done
}

# wait_for FILE PATTERN SECONDS: until a line of FILE matches PATTERN; fails after SECONDS.
wait_for() {
  _w=0; while ! grep -q "$2" "$1" 2>/dev/null; do _w=$((_w+1)); [ $_w -gt "$3" ] && return 1; sleep 1; done
}

# dots FILE: how many '.' FILE holds (the UART-flood payload's output).
dots() { tr -cd . < "$1" | wc -c; }

# wait_dots FILE COUNT SECONDS: until FILE holds COUNT dots; fails after SECONDS.
wait_dots() {
  _n=0; while [ "$(dots "$1")" -lt "$2" ]; do _n=$((_n+1)); [ $_n -gt "$3" ] && return 1; sleep 1; done
}

# A ticker guest prints lines "PREFIX n uptime ..." (guest-init.sh: "TICK n uptime" for the ticker,
# "CPU<c> TICK n uptime on=P ..." per CPU for smp-ticker) on its console. A snapshot can cut the line the
# UART was sending short; the restored guest sends the rest, so a run's output followed by its restore's
# is the guest's whole output (the vmmctl processes' own messages go to separate .err files).

# last_tick LOG PREFIX: n of LOG's last complete-looking "PREFIX n " line (empty if none).
last_tick() { grep -a "^$2 [0-9][0-9]* " "$1" | tail -n 1 | awk -v w="$2" '{ print $(split(w, p) + 1) }'; }

# guest_ahead LOG PREFIX: how far the guest's uptime is ahead of the host's clock (date +%s), from LOG's
# last tick of PREFIX as seen now (low by however long that line took to be seen).
guest_ahead() {
  grep -a "^$2 [0-9][0-9]* [0-9][0-9]*\.[0-9][0-9]" "$1" | tail -n 1 | tr -d '\r' \
    | awk -v w="$2" -v t="$(date +%s)" '{ printf "%.2f\n", $(split(w, p) + 2) - t }'
}

# A test that sets $ahead1 (guest_ahead of the run, just before the snapshot) and $tpause (date +%s as
# it asked for the snapshot) has the clock itself checked, however slowly the restored guest runs (under
# TCG a restored nested guest's first ticks can take 20 s): the restored guest's clock must be where the
# pause left it, plus only the time since the restore started, not plus the time the VM was stopped.

# wait_ticks BEFORE-LOG AFTER-LOG SECONDS PREFIX...: until AFTER-LOG has, for every PREFIX, the tick three
# past BEFORE-LOG's last; fails after SECONDS (for all together). Says how long after the restore started
# ($rstart, from restore_ticker) the host saw tick n+2 (n+1 can be the line the snapshot cut): the guest's
# uptime from tick n to n+2 can only exceed that by the part of the period before the snapshot, else its
# clock jumped.
wait_ticks() {
  _b=$1 _a=$2 _s=$3; shift 3
  _t0=$(date +%s)
  for _p in "$@"; do
    _n=$(last_tick "$_b" "$_p")
    [ -n "$_n" ] || { echo "no '$_p n' line before the snapshot"; return 1; }
    for _k in 2 3; do
      _left=$((_s - ($(date +%s) - _t0))); [ $_left -gt 0 ] || _left=1
      wait_for "$_a" "^$_p $((_n + _k)) " $_left || { echo "no '$_p $((_n + _k))' after restore"; tail -n 20 "$_a"; return 1; }
      if [ $_k = 2 ]; then
        echo "$_p $((_n + 2)) seen $(($(date +%s) - ${rstart:-$_t0})) s after the restore started"
        [ "$_p" = "$1" ] && ahead2=$(guest_ahead "$_a" "$_p")
      fi
    done
  done
}

# check_ticks BEFORE-LOG AFTER-LOG PREFIX...: for every PREFIX, in BEFORE-LOG's output followed by
# AFTER-LOG's, the last tick wholly before the restore and the first two at least partly after it are
# consecutive (n, n+1, n+2: no tick lost or repeated) and the guest's uptime moves on by about the tick
# period at each step (0 < step < $TICK_STEP_MAX s, default 5), not by the time the VM was stopped (no
# clock jump; under TCG a restored guest runs slowly at first, every page it touches faulting in, so a
# step can take seconds). With $ahead1 and $tpause set (above), also the clock jump itself: how much
# further the guest's clock moved than the host's since the pause, less the time the VM was stopped,
# must stay under half that time (at least 3 s).
check_ticks() {
  _b=$1 _a=$2; shift 2
  _B=$(($(tr -cd '\n' < "$_b" | wc -c) + 1))  # the first line that is (at least partly) the restore's
  for _p in "$@"; do
    cat "$_b" "$_a" | tr -d '\r' | awk -v p="$_p" -v B=$_B -v max="${TICK_STEP_MAX:-5}" '
      BEGIN { k = split(p, w) }
      index($0, p " ") == 1 && $(k + 1) ~ /^[0-9]+$/ && $(k + 2) ~ /^[0-9]+\.[0-9][0-9]$/ {
        if (NR < B) { n[0] = $(k + 1); u[0] = $(k + 2); l[0] = $0; got = 1; next }
        if (got >= 1 && got < 3) { n[got] = $(k + 1); u[got] = $(k + 2); l[got] = $0; got++ }
      }
      END {
        if (got < 3) { print p ": only " got " of the 3 ticks around the restore"; exit 1 }
        print p ": the last tick before the restore and the first two after it:"
        for (i = 0; i < 3; i++) print "    " l[i]
        for (i = 1; i < 3; i++) {
          if (n[i] != n[i - 1] + 1) { print p ": the counter did not continue: " n[i - 1] " then " n[i]; exit 1 }
          d = u[i] - u[i - 1]
          if (!(d > 0 && d < max)) { print p ": uptime step " d " s from tick " n[i - 1] " to " n[i] " (a clock jump)"; exit 1 }
        }
        printf "%s: uptime steps across the restore: %.2f s, %.2f s\n", p, u[1] - u[0], u[2] - u[1]
      }' || { echo "the restored guest's first lines:"; head -n 12 "$_a" | tr -d '\r'; return 1; }
  done
  [ -n "$ahead1" ] && [ -n "$tpause" ] || return 0
  awk -v a="$ahead1" -v b="$ahead2" -v d=$((rstart - tpause)) 'BEGIN {
    j = b - a + d; m = d / 2 < 3 ? 3 : d / 2
    printf "clock jump across the restore: %.2f s (the VM was stopped %d s; over %.1f s fails)\n", j, d, m
    exit !(b != "" && j < m) }'
}

# restore_ticker SNAPSHOT SOCKET LOG: restores SNAPSHOT in the background (stdin from /dev/null, or from
# $RESTORE_STDIN), the guest's output to LOG and vmmctl's messages to LOG.err; its pid in $rpid, the
# host time it started in $rstart.
restore_ticker() {
  rstart=$(date +%s)
  "$VMMCTL" restore "$1" --api-socket "$2" <"${RESTORE_STDIN:-/dev/null}" >"$3" 2>"$3.err" &
  rpid=$!
}

# restore_and_check_ticks SNAPSHOT BEFORE-LOG SOCKET LOG [PREFIX...]: restores a ticker guest's SNAPSHOT
# (taken from the run whose output is BEFORE-LOG), waits for three more ticks of every PREFIX (default
# TICK), shuts it down, and checks that each counter continued without a clock jump (check_ticks).
restore_and_check_ticks() {
  _snap=$1 _before=$2 _sock=$3 _log=$4; shift 4
  [ $# -gt 0 ] || set -- TICK
  restore_ticker "$_snap" "$_sock" "$_log"
  wait_ticks "$_before" "$_log" 180 "$@" || { cat "$_log.err"; kill $rpid; wait $rpid; return 1; }
  "$VMMCTL" shutdown --api-socket "$_sock"; wait $rpid
  check_ticks "$_before" "$_log" "$@"
}

# Disk guests (virtio-blk, issue 9). scripts/virtio-guest.sh builds, next to Image: initrd-virtio (loads
# the virtio modules and switch_roots to root=/dev/vda), rootfs.ext4 (the pristine ext4 image, never
# booted itself) and e2fs/ (arm64 debugfs, e2fsck, mke2fs, for the lab; elsewhere the host's own).
DISK_CMDLINE="console=ttyAMA0 panic=-1 quiet root=/dev/vda rw"

# need_disk_guest: skip (exit 77) unless the disk guest files exist.
need_disk_guest() { need_guest initrd-virtio rootfs.ext4; }

# e2fs TOOL ARGS...: e2fsprogs' TOOL (debugfs, e2fsck, mke2fs): the lab's copy in $G/e2fs, else the host's.
e2fs() {
  _t=$1; shift
  if [ -x "$G/e2fs/$_t" ]; then "$G/e2fs/$_t" "$@"; else "$_t" "$@"; fi
}

# fresh_disk PATH: a new copy of the pristine root filesystem at PATH (a test that writes never reuses one).
fresh_disk() { rm -f "$1"; cp "$G/rootfs.ext4" "$1"; }

# disk_file IMAGE PATH: the contents of the file PATH inside the ext4 IMAGE (debugfs), on stdout.
disk_file() { e2fs debugfs -R "cat $2" "$1" 2>/dev/null; }

# fsck_clean IMAGE: `e2fsck -fn` finds nothing to fix in IMAGE (exit 0: checked read-only, forced).
fsck_clean() {
  _o=$(e2fs e2fsck -fn "$1" 2>&1); _s=$?
  printf '%s\n' "$_o" | tail -n 2
  [ "$_s" = 0 ] || { echo "e2fsck -fn $1: exit $_s"; printf '%s\n' "$_o" | head -n 20; return 1; }
}

# disk_run LOG ARGS...: boots the Debian kernel through initrd-virtio under vmmctl in the foreground with
# ARGS (the --disk flags, --cmdline, ...), the guest's console and vmmctl's messages in LOG (without the
# serial line's carriage returns, so a pattern can end in $); returns vmmctl's exit status.
disk_run() {
  _l=$1; shift; _t0=$(date +%s)
  "$VMMCTL" run "$G/Image" --initrd "$G/initrd-virtio" "$@" </dev/null >"$_l.raw" 2>&1; _s=$?
  tr -d '\r' < "$_l.raw" > "$_l"; rm -f "$_l.raw"
  echo "(vmmctl ran $(($(date +%s) - _t0)) s, exit $_s)"
  return $_s
}

# expect_line LOG PATTERN WHAT: LOG has a line matching PATTERN (carriage returns dropped), else says
# WHAT was missing and fails.
expect_line() {
  tr -d '\r' < "$1" | grep -aq "$2" || { echo "missing: $3 (no line matching '$2')"; return 1; }
}
