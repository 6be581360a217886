#!/bin/sh
# Console input end to end: bytes written to vmmctl's stdin reach the guest through the PL011's receive
# path; the guest reads a line from its console and prints it back. The line is sent only once the
# guest says it is reading, through a FIFO held open, as a user's typing would arrive.
. "$(dirname "$0")/lib.sh"
need_guest initrd
S=/tmp/console; rm -rf $S; mkdir -p $S
mkfifo $S/in
"$VMMCTL" run "$G/Image" --initrd "$G/initrd" --memory 256M \
  --cmdline "console=ttyAMA0 panic=-1 quiet vmmctl.test=echo" <$S/in >$S/out 2>&1 &
pid=$!
exec 3>$S/in
_w=0; while ! grep -q CONSOLE-READY $S/out; do
  _w=$((_w+1)); [ $_w -gt 120 ] && { echo "the guest never got to read"; tail -n 20 $S/out; kill $pid; exit 1; }; sleep 1
done
printf 'hello from stdin 42\r' >&3
wait $pid; st=$?
exec 3>&-
grep -a "CONSOLE-GOT" $S/out
[ "$st" = 0 ] || { echo "exit status $st"; tail -n 20 $S/out; exit 1; }
grep -aq "CONSOLE-GOT: hello from stdin 42" $S/out || { echo "the guest did not read the line"; tail -n 20 $S/out; exit 1; }
rm -rf $S
