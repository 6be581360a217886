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

# restore_and_check_ticks SNAPSHOT LAST-TICK-LINE SOCKET LOG: restores a ticker guest's SNAPSHOT (whose
# output ended with "TICK n uptime"), waits for tick n+3, shuts it down, and checks that the first tick
# after the restore is n+1 and that the guest's uptime moved on by about the tick period, not by the
# time the VM was stopped (no clock jump).
restore_and_check_ticks() {
  _n=$(echo "$2" | cut -d' ' -f2); _t=$(echo "$2" | cut -d' ' -f3)
  "$VMMCTL" restore "$1" --api-socket "$3" </dev/null >"$4" 2>&1 &
  _pid=$!
  wait_for "$4" "TICK $((_n + 3)) " 120 || { echo "no TICK $((_n + 3)) after restore"; tail -n 20 "$4"; kill $_pid; return 1; }
  "$VMMCTL" shutdown --api-socket "$3"; wait $_pid
  _first=$(grep -a "^TICK" "$4" | head -n 1)
  echo "before the snapshot: $2; after the restore: $_first ... $(grep -a "^TICK" "$4" | tail -n 1)"
  [ "$(echo "$_first" | cut -d' ' -f2)" = $((_n + 1)) ] || { echo "the counter did not continue: $_n then $_first"; return 1; }
  awk -v a="$_t" -v b="$(echo "$_first" | cut -d' ' -f3)" \
    'BEGIN { d = b - a; print "uptime step across the restore: " d " s"; exit !(d > 0 && d < 5) }'
}
