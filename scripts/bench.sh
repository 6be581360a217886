#!/usr/bin/env bash
# scripts/bench.sh - measure vmmctl in the lab (or natively on an arm64 KVM host) and print a report
# for docs/performance.md. Not part of the test run: numbers are measured, never asserted.
#
#   boot:      wall time from starting `vmmctl run` to the guest's init marker, plain and --nested
#   mmio:      MMIO exit round trip (`vmmctl run --bench-mmio N`: N one-byte UART writes), plain and nested
#   rss:       the VMM's own memory: VmRSS minus the resident part of the guest RAM mapping
#   snapshot:  `vmmctl snapshot` and `vmmctl restore` (to ready-to-run) for 256 MiB and 1 GiB guests
#   sparse:    `vmmctl snapshot` time and memory.bin's size on disk for guests that touched part of their
#              RAM (--bench-touch): 62 of 64 MiB, 64 MiB of 256 MiB, 64 MiB of 1 GiB
#   incremental: `vmmctl snapshot --base` after the guest dirtied 16 MiB (--bench-dirty), next to a full
#              snapshot of a guest that touched 16 MiB
#   disk:      virtio-blk sequential write/read MB/s and 4 KiB random-read IOPS in the guest (on /dev/vdb)
#              next to the same program (scripts/diskbench.c) on the same image file in the lab host
# (scripts/footprint.sh measures the VMM's own memory and start-up time.)
# Each is run RUNS times (default 3) and reported as min/median/max. SECTIONS="mmio rss" runs a subset.
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
bash "$LAB" cc -O2 -Wall -Wextra -Werror -o "$OUT/check/diskbench" "$ROOT/scripts/diskbench.c"
bash "$ROOT/scripts/virtio-guest.sh" "$OUT" "$OUT/check/diskbench" >&2
cp "$ROOT/scripts/bench-suite.sh" "$OUT/check/"
bash "$LAB" run -q -t 3000 -m 4G --files "$OUT" -e RUNS="$RUNS" -e SECTIONS="${SECTIONS:-boot mmio rss snapshot sparse incremental disk}" -- sh check/bench-suite.sh
