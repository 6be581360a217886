#!/usr/bin/env bash
# scripts/demo.sh - run vmmctl's built-in nested demo in one command, wherever you are.
#
#   On an arm64 Linux host with /dev/kvm: builds vmmctl and runs `vmmctl run --nested` directly.
#   Anywhere else (x86_64): sets up the lab (cached), cross-builds vmmctl for aarch64 and runs it inside
#   the emulated arm64 host with nested KVM.
# Extra arguments go to `vmmctl run` (default: --nested), e.g. `scripts/demo.sh --nested --e2h0`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--nested)
if [ "$(uname -s)-$(uname -m)" = Linux-aarch64 ] && [ -e /dev/kvm ]; then
  swift build -c release --package-path "$ROOT" >&2
  exec "$ROOT/.build/release/vmmctl" run "${args[@]}"
fi
bash "$ROOT/lab/lab" setup >&2
OUT=$(bash "$ROOT/lab/lab" build "$ROOT")
exec bash "$ROOT/lab/lab" run -q -t 600 --files "$OUT" -- bin/vmmctl run "${args[@]}"
