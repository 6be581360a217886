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
