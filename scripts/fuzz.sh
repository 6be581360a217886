#!/usr/bin/env bash
# scripts/fuzz.sh - builds and runs one libFuzzer target over a parser of outside input (docs/reliability.md).
#
#   scripts/fuzz.sh TARGET [SECONDS]   build Tests/Fuzz/TARGET and fuzz it for SECONDS (default 60) from its
#                                      checked-in seed corpus; new inputs go to .build/fuzz/corpus/TARGET
#   scripts/fuzz.sh --list             the targets
#   scripts/fuzz.sh --smoke [SECONDS]  every target for SECONDS each (default 3): what scripts/test.sh runs
#   scripts/fuzz.sh --build TARGET     build only
#
# How it builds: the package's own modules (SysRegs, then VMM over CKVM's header) are compiled by swiftc
# straight from Sources/ into static libraries with -sanitize=fuzzer,address and -enable-testing, under
# .build/fuzz (a scratch path of its own, so `swift build` and `swift test` are untouched), and each
# target's main.swift (which defines LLVMFuzzerTestOneInput) is linked against them. SwiftPM cannot do
# this itself: -sanitize=fuzzer would also reach the vmmctl executable, whose main clashes with
# libFuzzer's. Libraries are rebuilt only when a source under Sources/ is newer than them.
# Environment: FUZZ_JOBS (libFuzzer -jobs, default 1), FUZZ_FLAGS (extra libFuzzer flags), NICE (default 19).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B="$ROOT/.build/fuzz"
SAN=(-sanitize=fuzzer,address -parse-as-library -O -g)
mkdir -p "$B"

targets() { find "$ROOT/Tests/Fuzz" -mindepth 2 -maxdepth 2 -name main.swift | sed 's|.*/Tests/Fuzz/||; s|/main.swift||' | sort; }

stale() {   # LIB DIR... -> true if LIB is missing or older than a source in DIRs
  local lib=$1; shift
  [ ! -e "$lib" ] || [ -n "$(find "$@" -newer "$lib" -name '*.swift' -o -newer "$lib" -name '*.h' | head -1)" ]
}

build_libs() {
  mkdir -p "$B/CKVM"
  printf 'module CKVM {\n  umbrella "%s"\n  export *\n}\n' "$ROOT/Sources/CKVM/include" > "$B/CKVM/module.modulemap"
  if stale "$B/libSysRegs.a" "$ROOT/Sources/SysRegs"; then
    echo "fuzz: building SysRegs (sanitized)" >&2
    (cd "$B" && swiftc "${SAN[@]}" -enable-testing -module-name SysRegs -emit-module -emit-library -static \
      -o "$B/libSysRegs.a" $(find "$ROOT/Sources/SysRegs" -name '*.swift' | sort))
  fi
  if stale "$B/libVMM.a" "$ROOT/Sources/VMM" "$ROOT/Sources/CKVM" "$ROOT/Sources/SysRegs"; then
    echo "fuzz: building VMM (sanitized)" >&2
    (cd "$B" && swiftc "${SAN[@]}" -enable-testing -module-name VMM -emit-module -emit-library -static \
      -I "$B" -I "$B/CKVM" -o "$B/libVMM.a" $(find "$ROOT/Sources/VMM" -name '*.swift' | sort))
  fi
}

build_target() {   # TARGET
  local t=$1 dir="$ROOT/Tests/Fuzz/$1"
  [ -f "$dir/main.swift" ] || { echo "fuzz: no target '$t'; targets: $(targets | tr '\n' ' ')" >&2; exit 2; }
  build_libs
  if [ ! -e "$B/$t" ] || stale "$B/$t" "$dir" || [ "$B/libVMM.a" -nt "$B/$t" ]; then
    echo "fuzz: linking $t" >&2
    (cd "$B" && swiftc "${SAN[@]}" -I "$B" -I "$B/CKVM" -o "$B/$t" "$dir"/*.swift "$B/libVMM.a" "$B/libSysRegs.a" \
      2> >(grep -v "Cannot export local symbol" >&2))
  fi
}

run_target() {   # TARGET SECONDS
  local t=$1 secs=$2 corpus="$B/corpus/$1"
  build_target "$t"
  mkdir -p "$corpus" "$B/artifacts/$t"
  # The checked-in seeds stay read-only input; what libFuzzer finds goes to the scratch corpus.
  local jobs=()
  # -jobs runs workers in fork mode with logs in the current directory: only when asked for.
  [ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
  (cd "$B" && nice -n "${NICE:-19}" "$B/$t" -max_total_time="$secs" -print_final_stats=1 ${jobs[@]+"${jobs[@]}"} \
    -artifact_prefix="$B/artifacts/$t/" ${FUZZ_FLAGS:-} "$corpus" "$ROOT/Tests/Fuzz/$t/corpus")
}

case ${1:-} in
  --list) targets ;;
  --build) build_target "${2:?--build TARGET}" ;;
  --smoke)
    secs=${2:-3} rc=0
    for t in $(targets); do
      if run_target "$t" "$secs" > "$B/smoke-$t.log" 2>&1; then
        echo "ok fuzz-$t ($(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$B/smoke-$t.log" | grep -oE '[0-9]+$') runs)"
      else echo "not ok fuzz-$t (log: $B/smoke-$t.log)"; tail -n 30 "$B/smoke-$t.log"; rc=1; fi
    done
    exit $rc ;;
  ""|-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) run_target "$1" "${2:-60}" ;;
esac
