#!/usr/bin/env python3
"""scripts/link-order.py PAGES NM [PREVIOUS] > scripts/link-order.txt

Writes lld's --symbol-ordering-file for the lab's static vmmctl (lab/lab build passes it to the
linker): the functions on the text pages an idle Linux guest's VMM really touched, in their current
address order, so the linker packs them together. Why: the kernel maps file pages up to 64 KiB around
each fault (fault-around), so hot code scattered over 6 MB of text keeps about 2.5 times the touched
text resident.

PAGES: the `P <hex address>` lines of a `PARTS=pages` run of scripts/footprint-suite.sh (the
`fault_around_bytes=4096` pass: the pages really touched). NM: `llvm-nm -n --defined-only` of the
unstripped binary of the same build (.build-aarch64-unknown-linux-gnu-static-exe/release/vmmctl).
Symbols that later builds lack are skipped by the linker (--no-warn-symbol-ordering), so a stale
list only packs less well.

Since vmmctl drops its mapping of its text after the start-up (ExecutableText.releaseStartupPages),
a PAGES run shows only what the running VM executes. PREVIOUS (the current list) then supplies the
start-up's functions, appended after those: the idle VM's code is packed first, so fault-around maps
little else around it, and the start-up's code still sits together behind it.
"""
import sys

pages, in_touched = set(), False
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("=== fab"):
        in_touched = line.split()[2] == "4096"
    elif in_touched and line.startswith("P "):
        pages.add(int(line[2:], 16) // 4096)
syms = []
for line in open(sys.argv[2]):
    parts = line.split(None, 2)
    if len(parts) == 3 and parts[1] in "tTwW":
        syms.append((int(parts[0], 16), parts[2].strip()))
syms.sort()
seen = set()
for i, (addr, name) in enumerate(syms):
    end = syms[i + 1][0] if i + 1 < len(syms) else addr + 4
    if name in seen or name.startswith("$x") or name.startswith("$d"):
        continue
    if any(p in pages for p in range(addr // 4096, max(end - 1, addr) // 4096 + 1)):
        seen.add(name)
        print(name)
if len(sys.argv) > 3:
    for line in open(sys.argv[3]):
        name = line.strip()
        if name and name not in seen:
            seen.add(name)
            print(name)
