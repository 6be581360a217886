#!/usr/bin/env bash
# scripts/test.sh - the one command that sets up and runs every test of vmmctl.
#
#   1. host tier: swift build (warnings are errors), swift format lint, swift test. KVM tests skip here
#      with their reason unless this host is arm64 Linux with /dev/kvm.
#   2. KVM tier: on an arm64 Linux host with /dev/kvm, the KVM tests already ran in step 1 and the
#      integration scripts run against the host's KVM. Anywhere else (our x86_64 machines and CI) the
#      lab (lab/lab, see docs/testing.md) is set up (cached), the package is cross-built for aarch64,
#      the CKVM ABI check is compiled against the real kernel headers, and everything runs inside an
#      emulated arm64 host with kvm-arm.mode=nested: the CKVM check, the whole Swift test suite with
#      real KVM, and the integration scripts in Tests/Integration.
# Exits non-zero if anything fails. Prints per-tier counts and a closing "N passed, N failed" line.
#
# Options: --host-only (skip the KVM tier), --lab-only (skip the host tier).
# Environment: LAB_DIR (lab cache, default ~/.cache/vmm-lab), LAB_TIMEOUT (seconds, default 3600).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB="$ROOT/lab/lab"
LOGS="$ROOT/.build-logs"
mkdir -p "$LOGS"
host=1 kvm=1
for a in "$@"; do
  case $a in
    --host-only) kvm=0 ;;
    --lab-only) host=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $a (use --host-only, --lab-only)" >&2; exit 2 ;;
  esac
done
# Hides Swift Testing's per-test and per-suite progress lines (the log keeps them) but never its closing
# "Test run with N tests ..." line: that line is what tells a reader (and CI) how many tests ran.
quiet() { awk '!(/^([^[:space:]]+[[:space:]]+)?(Test|Suite) .* (started|passed after)/ && !/Test run with /) { print; fflush() }'; }
say() { printf '\n==== %s\n' "$*"; }
T0=$(date +%s)

# Counts from a Swift Testing log: "Test run with N tests ... passed|failed", skips are "skipped:" lines.
counts() {   # LOG -> "passed failed skipped"
  local log=$1 total failed skipped
  total=$(grep -aoE 'Test run with [0-9]+ test' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  skipped=$(grep -acE 'Test .* skipped' "$log" || true)
  if grep -aqE 'Test run with [0-9]+ tests? .*passed' "$log"; then failed=0
  else failed=$(grep -aE '^. Test .* failed after' "$log" | grep -acv 'Test run with' || true); [ "$failed" = 0 ] && failed=1; fi
  local passed=$(( total - skipped - failed )); [ "$passed" -ge 0 ] || passed=0
  echo "$passed $failed $skipped"
}

# Counts from run-all.sh's TAP-style lines: "ok NAME", "ok NAME # SKIP ...", "not ok NAME".
tap_counts() {   # LOG -> "passed failed skipped"
  local log=$1
  echo "$(grep -a '^ok ' "$log" | grep -acv ' # SKIP' || true)" \
    "$(grep -ac '^not ok ' "$log" || true)" "$(grep -ac '^ok .* # SKIP' "$log" || true)"
}

HOST_P=0 HOST_F=0 HOST_S=0 LAB_P=0 LAB_F=0 LAB_S=0 rc=0
native_kvm=0
[ "$(uname -s)-$(uname -m)" = Linux-aarch64 ] && [ -e /dev/kvm ] && native_kvm=1

if [ "$host" = 1 ]; then
  # dtc validates the generated device trees (the test says so and skips when it is absent).
  if ! command -v dtc >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "host: installing device-tree-compiler (dtc)"
    (apt-get -q update && apt-get -q -y install --no-install-recommends device-tree-compiler) >/dev/null 2>&1 \
      || echo "could not install dtc; the dtc checks will be skipped"
  fi
  say "host: swift build ($(uname -m))"
  cd "$ROOT"
  swift build -Xswiftc -warnings-as-errors 2>&1 | tail -n 30
  if swift format --help >/dev/null 2>&1; then
    say "host: swift format lint --strict"
    swift format lint --strict --recursive Sources Tests Package.swift
  fi
  say "host: swift test"
  set +e
  swift test --disable-xctest 2>&1 | tee "$LOGS/host-test.log" | quiet
  trc=${PIPESTATUS[0]}
  set -e
  read -r HOST_P HOST_F HOST_S < <(counts "$LOGS/host-test.log")
  [ "$trc" = 0 ] || { rc=1; [ "$HOST_F" = 0 ] && HOST_F=1; }
  echo "host tests: $HOST_P passed, $HOST_F failed, $HOST_S skipped (swift test exit $trc)"
  # Fuzz smoke: every libFuzzer target (Tests/Fuzz) a few seconds from its seeds (docs/reliability.md).
  # FUZZ_SMOKE=0 skips it; a toolchain without -sanitize=fuzzer reports it skipped.
  if [ "${FUZZ_SMOKE:-1}" = 1 ]; then
    say "host: fuzz smoke (scripts/fuzz.sh --smoke ${FUZZ_SMOKE_SECONDS:-3})"
    set +e
    NICE=0 bash "$ROOT/scripts/fuzz.sh" --smoke "${FUZZ_SMOKE_SECONDS:-3}" 2>&1 | tee "$LOGS/fuzz-smoke.log"
    frc=${PIPESTATUS[0]}
    set -e
    read -r fp ff fs < <(tap_counts "$LOGS/fuzz-smoke.log")
    HOST_P=$((HOST_P + fp)) HOST_F=$((HOST_F + ff)) HOST_S=$((HOST_S + fs))
    [ "$frc" = 0 ] || { rc=1; [ "$ff" = 0 ] && HOST_F=$((HOST_F + 1)); }
  fi
fi

if [ "$kvm" = 1 ] && [ "$native_kvm" = 1 ]; then
  say "KVM tier: native arm64 host with /dev/kvm: CKVM ABI check, integration scripts"
  mkdir -p "$ROOT/.build"
  cc -Wall -Wextra -Werror -I "$ROOT/Sources/CKVM/include" -o "$ROOT/.build/ckvm-check" \
    "$ROOT/Tests/CKVMCheck/ckvm-check.c" && "$ROOT/.build/ckvm-check" || rc=1
  swift build -c release
  set +e
  VMMCTL="$ROOT/.build/release/vmmctl" sh "$ROOT/Tests/Integration/run-all.sh" 2>&1 | tee "$LOGS/native-integration.log"
  irc=${PIPESTATUS[0]}
  set -e
  read -r LAB_P LAB_F LAB_S < <(tap_counts "$LOGS/native-integration.log")
  [ "$irc" = 0 ] || { rc=1; [ "$LAB_F" = 0 ] && LAB_F=1; }
elif [ "$kvm" = 1 ]; then
  say "KVM tier: lab setup (cached in ${LAB_DIR:-~/.cache/vmm-lab})"
  bash "$LAB" setup
  say "KVM tier: cross-build for aarch64 (static vmmctl + test runner)"
  OUT=$(bash "$LAB" build --tests "$ROOT")
  say "KVM tier: CKVM ABI check against the kernel's own headers"
  mkdir -p "$OUT/check"
  bash "$LAB" cc -Wall -Wextra -Werror -I "$ROOT/Sources/CKVM/include" -o "$OUT/check/ckvm-check" \
    "$ROOT/Tests/CKVMCheck/ckvm-check.c"
  echo "ckvm-check compiled: every size, offset and number matches <linux/kvm.h>"
  cp "$ROOT"/Tests/Integration/*.sh "$OUT/check/"
  # The Linux guest the integration tests boot under vmmctl: the lab's own arm64 kernel and a busybox
  # initramfs (the lab's base archive plus our /init).
  lab_dir=${LAB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm-lab}
  mkdir -p "$OUT/guest/root"
  cp "$lab_dir/vm/Image" "$OUT/guest/Image"
  install -m 755 "$ROOT/Tests/Integration/guest-init.sh" "$OUT/guest/root/init"
  # The pagemap reporter of t-translate-linux.sh (vmmctl.test=pagemap), static: the base has no libc.
  bash "$LAB" cc -O2 -Wall -Wextra -Werror -o "$OUT/guest/root/guest-pagemap" "$ROOT/Tests/Integration/guest-pagemap.c"
  { cat "$lab_dir/vm/initramfs-base.cpio.gz"; python3 "$ROOT/lab/mkcpio.py" "$OUT/guest/root"; } > "$OUT/guest/initrd"
  # The same plus vmmctl itself, for the recursion test: the nested guest runs vmmctl's demo as its L2.
  cp "$OUT/bin/vmmctl" "$OUT/guest/root/vmmctl"
  { cat "$lab_dir/vm/initramfs-base.cpio.gz"; python3 "$ROOT/lab/mkcpio.py" "$OUT/guest/root"; } > "$OUT/guest/initrd-l2"
  rm -rf "$OUT/guest/root"
  # The disk guests (virtio-blk): initrd-virtio, rootfs.ext4 (mke2fs -d, here) and the lab's e2fsprogs.
  bash "$ROOT/scripts/virtio-guest.sh" "$OUT"
  say "KVM tier: running in the lab (arm64 host, kvm-arm.mode=nested)"
  set +e
  bash "$LAB" run -t "${LAB_TIMEOUT:-3600}" -m 4G --files "$OUT" -- sh check/lab-suite.sh 2>&1 \
    | tee "$LOGS/lab-test.log" | quiet
  lrc=${PIPESTATUS[0]}
  set -e
  read -r LAB_P LAB_F LAB_S < <(counts "$LOGS/lab-test.log")
  # The lab is where the KVM tier must run: a KVM-tier test that skipped there is a failure (lab-suite.sh
  # sets VMMCTL_REQUIRE_KVM=1 so none should; this catches one whose gate ignores it).
  kvm_skips=$(grep -aE '[[:space:]]Test .* skipped: "KVM tier skipped' "$LOGS/lab-test.log" || true)
  if [ -n "$kvm_skips" ]; then
    n=$(printf '%s\n' "$kvm_skips" | grep -c .)
    echo "lab: $n KVM-tier test(s) skipped in the lab, counted as failures:"
    printf '%s\n' "$kvm_skips" | sed 's/^/  /'
    LAB_S=$((LAB_S - n)) LAB_F=$((LAB_F + n)) rc=1
  fi
  read -r ip if_ is < <(tap_counts "$LOGS/lab-test.log")
  LAB_P=$((LAB_P + ip)) LAB_F=$((LAB_F + if_)) LAB_S=$((LAB_S + is))
  [ "$lrc" = 0 ] || { rc=1; [ "$LAB_F" = 0 ] && LAB_F=1; }
  # The MTE tests need a lab host with MTE (QEMU mte=on), which the pass above does not have: a second,
  # short boot with `lab run --mte` runs only them (Tests/Integration/lab-suite-mte.sh).
  say "KVM tier: the MTE tests in the lab booted with --mte"
  set +e
  bash "$LAB" run --mte -t "${LAB_MTE_TIMEOUT:-1200}" -m 3G --files "$OUT" -- sh check/lab-suite-mte.sh 2>&1 \
    | tee "$LOGS/lab-test-mte.log" | quiet
  mrc=${PIPESTATUS[0]}
  set -e
  read -r mp mf ms < <(counts "$LOGS/lab-test-mte.log")
  read -r ip if_ is < <(tap_counts "$LOGS/lab-test-mte.log")
  LAB_P=$((LAB_P + mp + ip)) LAB_F=$((LAB_F + mf + if_)) LAB_S=$((LAB_S + ms + is))
  [ "$mrc" = 0 ] || { rc=1; [ "$mf" = 0 ] && [ "$if_" = 0 ] && LAB_F=$((LAB_F + 1)); }
  echo "lab tests: $LAB_P passed, $LAB_F failed, $LAB_S skipped (lab exit $lrc, MTE pass exit $mrc)"
fi

say "summary ($(( $(date +%s) - T0 )) s)"
[ "$host" = 1 ] && echo "host: $HOST_P passed, $HOST_F failed, $HOST_S skipped"
[ "$kvm" = 1 ] && echo "kvm:  $LAB_P passed, $LAB_F failed, $LAB_S skipped ($([ "$native_kvm" = 1 ] && echo native || echo lab))"
echo "all: $((HOST_P + LAB_P)) passed, $((HOST_F + LAB_F)) failed"
exit "$rc"
