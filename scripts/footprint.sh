#!/usr/bin/env bash
# scripts/footprint.sh - vmmctl's own memory and start-up time in the lab, for docs/performance.md:
# the lab's Linux guest idle (busybox initramfs, MEM=256M by default), RUNS runs (default 3) reported as
# min/median/max, with a per-mapping breakdown of each run (scripts/footprint-suite.sh does the work
# inside the lab VM). Numbers are measured, never asserted.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB="$ROOT/lab/lab"
[ -n "${OUT:-}" ] || bash "$LAB" setup >&2  # a given OUT means a lab that is set up
OUT=${OUT:-$(bash "$LAB" build "$ROOT")}
lab_dir=${LAB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm-lab}
mkdir -p "$OUT/guest/root" "$OUT/check"
cp "$lab_dir/vm/Image" "$OUT/guest/Image"
install -m 755 "$ROOT/Tests/Integration/guest-init.sh" "$OUT/guest/root/init"
{ cat "$lab_dir/vm/initramfs-base.cpio.gz"; python3 "$ROOT/lab/mkcpio.py" "$OUT/guest/root"; } > "$OUT/guest/initrd"
rm -rf "$OUT/guest/root"
cp "$ROOT/scripts/footprint-suite.sh" "$OUT/check/"
bash "$LAB" run -q -t 1800 -m 2G --files "$OUT" -e RUNS="${RUNS:-3}" -e MEM="${MEM:-256M}" -e PARTS="${PARTS:-memory timing}" -- sh check/footprint-suite.sh
