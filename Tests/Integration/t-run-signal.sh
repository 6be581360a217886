#!/bin/sh
# SIGTERM and SIGINT stop a running VM cleanly: exit status 128+N, the control socket file removed.
S=/tmp/sigtest; rm -rf $S; mkdir -p $S
for sig in TERM INT; do
  "$VMMCTL" run --bench-mmio 1000000000 --api-socket $S/s </dev/null >$S/out 2>$S/err &
  pid=$!
  n=0; while [ ! -S $S/s ] && [ $n -lt 30 ]; do sleep 1; n=$((n+1)); done
  sleep 1
  kill -$sig $pid
  wait $pid; st=$?
  want=143; [ $sig = INT ] && want=130
  echo "SIG$sig: exit $st: $(cat $S/err)"
  [ "$st" = $want ] || { echo "expected exit $want"; exit 1; }
  [ ! -e $S/s ] || { echo "the control socket was left behind"; exit 1; }
done
rm -rf $S
