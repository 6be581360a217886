#!/usr/bin/env bash
# scripts/bench-mte.sh - snapshot and restore time of 256 MiB and 1 GiB Linux guests with and without
# --mte, in the lab booted with MTE (`lab run --mte`), min/median/max over RUNS (default 3) runs each.
# For docs/performance.md ("MTE"); measured, never asserted. The rows come from bench-suite.sh's
# snapshot loop (SECTIONS=mte).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
LAB="$ROOT/lab/lab"
bash "$LAB" setup >&2
OUT=$(bash "$LAB" build "$ROOT")
lab_dir=${LAB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm-lab}
mkdir -p "$OUT/guest/root" "$OUT/check"
cp "$lab_dir/vm/Image" "$OUT/guest/Image"
install -m 755 "$ROOT/Tests/Integration/guest-init.sh" "$OUT/guest/root/init"
{ cat "$lab_dir/vm/initramfs-base.cpio.gz"; python3 "$ROOT/lab/mkcpio.py" "$OUT/guest/root"; } > "$OUT/guest/initrd"
rm -rf "$OUT/guest/root"
cp "$ROOT/scripts/bench-suite.sh" "$OUT/check/"
bash "$LAB" run --mte -q -t 3000 -m 4G --files "$OUT" -e RUNS="$RUNS" -e SECTIONS=mte -- sh check/bench-suite.sh
