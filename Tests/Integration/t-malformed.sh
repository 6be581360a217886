#!/bin/sh
# The malformed-input corpus (docs/reliability.md, "Malformed input"): command lines, kernel images,
# initrds, control requests and socket directories, snapshot files and directories, and guest MMIO. Each
# case must end with its documented exit status (2 bad command line, 1 anything else refused, 12 a guest
# fault, 0 for guest MMIO that is survived) and a message naming the problem; afterwards the snapshot the
# damaged copies came from is byte-identical (nothing lost) and no VM is left running.
#
# Every vmmctl runs under `timeout` (busybox's in the lab) with its own --api-socket or, for the cases that
# cannot take one, a private $XDG_RUNTIME_DIR: a case that wrongly boots a guest fails on its own instead
# of hanging the script and holding the default socket (the first version's failure: files without the
# Image magic are raw payloads now, and a restore without --verify does not read the memory file's data).
. "$(dirname "$0")/lib.sh"
S=$(mktemp -d); fail=0 cases=0 T=${MALFORMED_CASE_TIMEOUT:-30} t0=$(date +%s)
mkdir -m 700 $S/rt; export XDG_RUNTIME_DIR=$S/rt
expect() {  # STATUS PATTERN ARGS...: vmmctl ARGS exits STATUS and says something matching PATTERN
  want=$1 pat=$2; shift 2; cases=$((cases+1))
  out=$(timeout "$T" "$VMMCTL" "$@" </dev/null 2>&1); st=$?
  printf '%s\n' "$cases. vmmctl $*: exit $st: $out" | head -n 2
  case $st in 124|143|137) echo "  timed out after $T s"; fail=1; return ;; esac
  [ "$st" = "$want" ] || { echo "  expected exit $want"; fail=1; }
  printf '%s\n' "$out" | grep -q -- "$pat" || { echo "  expected a message matching '$pat'"; fail=1; }
}
# poke FILE OFFSET BYTES: writes BYTES (printf escapes) into FILE at OFFSET.
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# insns FILE WORD...: a raw payload of these arm64 instruction words (little-endian).
insns() {
  f=$1; shift; : > "$f"
  for w; do
    v=$((0x$w)); printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))" >> "$f"
  done
}
# stopped PID: waits up to 30 s for PID to exit (then kills it and fails).
stopped() {
  _n=0; while kill -0 "$1" 2>/dev/null; do
    _n=$((_n+1)); [ $_n -gt 30 ] && { echo "vmmctl $1 did not stop; killed"; kill -9 "$1"; fail=1; break; }; sleep 1
  done
  wait "$1"
}

# Command lines (exit 2, nothing started).
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "unknown option '--bogus'" run --bogus
expect 2 "option '--cpus' needs a value" run --cpus
expect 2 "takes no value" run --nested=yes
expect 2 "--cpus '0' is not a positive number" run --cpus 0
expect 2 "--cpus '-3' is not a positive number" run --cpus -3
expect 2 "--cpus 'two' is not a positive number" run --cpus two
expect 2 "not a size" run --memory lots
expect 2 "not a size" run --memory 0
expect 2 "multiple of 2 MiB" run --memory 17M
expect 2 "at least 16 MiB" run --memory 4M
expect 2 "52-bit guest physical address space" run --memory 16777215T
expect 2 "not a size" run --memory 99999999999999999999999T
expect 2 "requires --nested" run --e2h0
expect 2 "--initrd needs a kernel IMAGE" run --initrd /etc/hostname
expect 2 "--bench-spin only applies" run --bench-spin 5
expect 2 "unexpected argument" run /a /b
expect 2 "missing a snapshot directory" snapshot
expect 2 "--then 'maybe': expected resume, pause or stop" snapshot $S/x --then maybe
expect 2 "missing a snapshot directory" restore
expect 2 "unexpected argument" pause extra

# Kernel images and initrds (exit 1, before any vCPU runs). A file without the Image magic is a raw
# payload, so the damaged Images keep the magic and break one header field each (booting.rst).
: > $S/empty
printf '\037\213\010\000' > $S/gz; head -c 65532 /dev/zero >> $S/gz
printf 'MZ\000\000zimg' > $S/zboot; head -c 65528 /dev/zero >> $S/zboot
image() { head -c "$2" /dev/zero > "$1"; poke "$1" 56 'ARM\144'; }   # FILE SIZE: magic, all else 0
image $S/be 4096; poke $S/be 24 '\001'                                # flags bit 0: big-endian
image $S/short 4096; poke $S/short 16 '\000\001'                      # image_size 256 < the file
image $S/textoff 4096; poke $S/textoff 12 '\001'; poke $S/textoff 18 '\001'   # text_offset 4 GiB
image $S/huge 4096; poke $S/huge 19 '\100'                            # image_size 1 GiB
image $S/ok 65536; poke $S/ok 18 '\001'                               # a well-formed (empty) Image
head -c $((15 << 20)) /dev/zero > $S/bigraw
head -c $((20 << 20)) /dev/zero > $S/bigrd
expect 1 "the kernel file is empty" run $S/empty --api-socket $S/k.sock
expect 1 "gzip-compressed kernel: decompress it first" run $S/gz --api-socket $S/k.sock
expect 1 "EFI zboot-compressed kernel: decompress it first" run $S/zboot --api-socket $S/k.sock
expect 1 "big-endian arm64 kernel" run $S/be --api-socket $S/k.sock
expect 1 "image_size is 256 bytes but the file is 4096 bytes" run $S/short --api-socket $S/k.sock
expect 1 "text_offset .* is implausibly large" run $S/textoff --api-socket $S/k.sock
expect 1 "do not fit in 64 MiB of guest memory" run $S/huge --memory 64M --api-socket $S/k.sock
expect 1 "raw payload (15728640 bytes" run $S/bigraw --memory 16M --api-socket $S/k.sock
expect 1 "cannot open kernel image" run /nonexistent/Image --api-socket $S/k.sock
expect 1 "kernel image '/tmp' is not a regular file" run /tmp --api-socket $S/k.sock
expect 1 "cannot open initrd" run $S/ok --initrd /nonexistent/initrd --api-socket $S/k.sock
expect 1 "initrd '/tmp' is not a regular file" run $S/ok --initrd /tmp --api-socket $S/k.sock
expect 1 "initrd (20971520 bytes) does not fit in 16 MiB" run $S/ok --initrd $S/bigrd --memory 16M --api-socket $S/k.sock
rm -f $S/bigraw $S/bigrd

# Control requests (exit 1): nothing serves, a bad path, unusable socket directories.
expect 1 "cannot reach a running vmmctl" pause --api-socket $S/nobody.sock
expect 1 "cannot reach a running vmmctl" snapshot $S/y --api-socket $S/nobody.sock
expect 1 "must be 1 to" status --api-socket "$S/$(printf '%0120d' 0)"
mkdir -p $S/xdg/vmmctl; chmod 755 $S/xdg/vmmctl
XDG_RUNTIME_DIR=$S/xdg expect 1 "expected 0700" status
mkdir -p $S/xdg3; ln -s /tmp $S/xdg3/vmmctl
XDG_RUNTIME_DIR=$S/xdg3 expect 1 "is not a directory" dump-regs
export XDG_RUNTIME_DIR=$S/rt

# Guest MMIO (raw payloads at EL1, MMU off): unmapped accesses are survived and reported, a bounded
# number of times; an access KVM cannot decode stops the VM as a guest fault. PSCI SYSTEM_OFF ends each.
OFF="D2B08000 F2800100 D4000002 14000000"         # x0 = 0x84000008; hvc #0; b .
insns $S/mmio1 D2A20001 B9000020 B9400023 $OFF    # x1 = 0x10000000; str w0, [x1]; ldr w3, [x1]
insns $S/sweep D2A20001 D2801902 B9000020 91400421 F1000442 54FFFFA1 $OFF   # 200 pages from 0x10000000
insns $S/stp D2A20001 A9000020 $OFF               # stp x0, x0, [x1]: no syndrome
expect 0 "unhandled MMIO write of 4 bytes at 0x10000000.*no device there" run $S/mmio1 --memory 64M --api-socket $S/g.sock
expect 0 "32 addresses reported, further unhandled accesses are not" run $S/sweep --memory 64M --api-socket $S/g.sock
n=$(printf '%s\n' "$out" | grep -c "no device there")
[ "$n" = 32 ] || { echo "  the sweep of 200 addresses was reported $n times, expected 32"; fail=1; }
expect 12 "data abort without a valid syndrome at IPA 0x10000000" run $S/stp --memory 64M --api-socket $S/g.sock
# The same at EL2 (--nested, VHE and E2H0): PSCI is SMC there.
OFFN="D2B08000 F2800100 D4000003 14000000"        # x0 = 0x84000008; smc #0; b .
insns $S/mmio1n D2A20001 B9000020 B9400023 $OFFN
insns $S/stpn D2A20001 A9000020 $OFFN
expect 0 "unhandled MMIO write of 4 bytes at 0x10000000.*no device there" run $S/mmio1n --nested --memory 64M --api-socket $S/g.sock
expect 12 "data abort without a valid syndrome at IPA 0x10000000" run $S/stpn --nested --memory 64M --api-socket $S/g.sock
expect 12 "data abort without a valid syndrome at IPA 0x10000000" run $S/stpn --nested --e2h0 --memory 64M --api-socket $S/g.sock

# A real snapshot to damage copies of.
timeout 120 "$VMMCTL" run --bench-mmio 1000000000 --bench-spin 100000 --memory 64M --api-socket $S/s </dev/null >/dev/null 2>$S/run.err &
pid=$!
n=0; until "$VMMCTL" status --api-socket $S/s >/dev/null 2>&1; do n=$((n+1)); [ $n -gt 60 ] && break; sleep 1; done
expect 1 "already exists" snapshot $S --api-socket $S/s
timeout 60 "$VMMCTL" snapshot $S/good --then stop --api-socket $S/s >/dev/null || { echo "could not take the snapshot to damage"; fail=1; }
stopped $pid
sum=$(cat $S/good/state.vmmsnap $S/good/memory.bin | md5sum)
copy() { rm -rf $S/bad; cp -r $S/good $S/bad; }
R="--api-socket $S/r.sock"
expect 1 "open snapshot directory" restore $S/missing $R
expect 1 "open snapshot directory" restore $S/good/state.vmmsnap $R
copy; rm $S/bad/state.vmmsnap; expect 1 "state.vmmsnap" restore $S/bad $R
copy; : > $S/bad/state.vmmsnap; expect 1 "not a vmmctl snapshot\|truncated" restore $S/bad $R
copy; head -c 10 $S/good/state.vmmsnap > $S/bad/state.vmmsnap; expect 1 "not a vmmctl snapshot\|truncated" restore $S/bad $R
copy; head -c 200 $S/good/state.vmmsnap > $S/bad/state.vmmsnap; expect 1 "truncated" restore $S/bad $R
copy; poke $S/bad/state.vmmsnap 300 X; expect 1 "checksum mismatch\|malformed" restore $S/bad $R
copy; poke $S/bad/state.vmmsnap 0 NOTASNAP; expect 1 "not a vmmctl snapshot" restore $S/bad $R
copy; rm $S/bad/memory.bin; expect 1 "memory file .* is missing" restore $S/bad $R
copy; head -c 4096 $S/good/memory.bin > $S/bad/memory.bin; expect 1 "memory file .* has 4096 bytes" restore $S/bad $R
# Without --verify a restore maps the memory file unread (its time does not grow with RAM): damage to
# the data is what --verify is for.
copy; poke $S/bad/memory.bin 12345 X; expect 1 "CRC-32C" restore $S/bad --verify $R
copy; cat $S/good/state.vmmsnap $S/good/state.vmmsnap > $S/bad/state.vmmsnap; expect 1 "checksum\|malformed\|trailing\|truncated\|after" restore $S/bad $R
expect 1 "open snapshot directory" dump-regs --snapshot $S/missing
copy; poke $S/bad/state.vmmsnap 300 X; expect 1 "checksum mismatch\|malformed" dump-regs --snapshot $S/bad
[ "$(cat $S/good/state.vmmsnap $S/good/memory.bin | md5sum)" = "$sum" ] || { echo "the original snapshot changed"; fail=1; }
ls $S | grep -q "partial" && { echo "a partial snapshot directory was left: $(ls $S)"; fail=1; }
echo "$cases malformed inputs in $(($(date +%s) - t0)) s"
[ $cases -ge 40 ] || { echo "the corpus has fewer than 40 cases"; fail=1; }
rm -rf $S
exit $fail
