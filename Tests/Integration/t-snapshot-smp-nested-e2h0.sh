#!/bin/sh
# t-snapshot-smp-nested.sh on a --nested --e2h0 guest (its own KVM comes up nVHE): each L1 CPU's ticker
# and its L2 guest carry on across snapshot, stop and restore.
. "$(dirname "$0")/lib.sh"
need_nested
SMP_NESTED_SHAPE=e2h0 exec sh "$(dirname "$0")/t-snapshot-smp-nested.sh"
