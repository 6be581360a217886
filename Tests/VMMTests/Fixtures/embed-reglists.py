#!/usr/bin/env python3
"""Regenerates Tests/VMMTests/RegListFixtures.swift from Fixtures/kvm-reglists/*.txt.

The lab ships only the test binary (no resource bundles), so the KVM-tier tests compare against these
embedded arrays; RegListFixtureTests checks on the host that they equal the text files. kernel-release
holds `uname -r` of the kernel the lists were recorded on (the lab's, lab/versions.sh LAB_KERNEL_ABI):
the exact-list KVM tests run only on that kernel.
"""
import os

here = os.path.dirname(os.path.abspath(__file__))
lists = os.path.join(here, "kvm-reglists")
names = {"el1.txt": "el1", "el2-vhe.txt": "el2VHE", "el2-e2h0.txt": "el2E2H0", "el2-vhe-sve.txt": "el2VHESVE"}
release = open(os.path.join(lists, "kernel-release")).read().strip()
out = [
    f"// GENERATED from Fixtures/kvm-reglists (the KVM_GET_REG_LIST answers of the lab kernel {release}).",
    "// Embedded because `lab build --tests` ships only the test binary, not resource bundles;",
    "// `RegListFixtureTests` checks on the host that these arrays equal the text files.",
    "// Regenerate: python3 Tests/VMMTests/Fixtures/embed-reglists.py",
    "",
    "enum RegListFixtures {",
    "    /// `kernel-release`: `uname -r` of the kernel the lists were recorded on.",
    f'    static let kernelRelease = "{release}"',
]
for file, name in names.items():
    ids = [line.strip() for line in open(os.path.join(lists, file)) if line.strip()]
    out.append(f"    /// `{file}`: {len(ids)} ids.")
    out.append(f"    static let {name}: [UInt64] = [")
    for i in range(0, len(ids), 4):
        out.append("        " + ", ".join(ids[i : i + 4]) + ",")
    out.append("    ]")
out.append("}")
with open(os.path.join(here, "..", "RegListFixtures.swift"), "w") as f:
    f.write("\n".join(out) + "\n")
