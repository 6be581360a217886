#!/bin/sh
# /init of the Linux guest that the integration tests boot under `vmmctl run` (not the lab VM's init).
# Prints a marker with the number of online CPUs and the guest kernel's KVM lines, then powers off
# through PSCI SYSTEM_OFF so vmmctl exits 0.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s 2>/dev/null
cpus=$(grep -c ^processor /proc/cpuinfo)
echo "VMMCTL-GUEST-UP cpus=$cpus"
# vmmctl.test=mte: whether the guest kernel found MTE (the hwcap "mte" in /proc/cpuinfo's Features).
if grep -q "vmmctl.test=mte" /proc/cmdline; then
  if grep -q "^Features.* mte" /proc/cpuinfo; then echo "VMMCTL-GUEST-MTE yes"; else echo "VMMCTL-GUEST-MTE no"; fi
fi
dmesg | grep -E "kvm \[[0-9]+\]" | head -n 20
dmesg | grep -E "CPU: All CPU\(s\) started at|Booting CPU|SMP: Total" | head -n 5
# The GICv3 ITS, when vmmctl gave one: the driver's "ITS [mem ...]" and "ITS@0x...: allocated ..." lines.
dmesg | grep -E "ITS \[mem|ITS@0x|using LPI" | head -n 5
# vmmctl.test=ticker: print a numbered tick with the guest's uptime once a second, forever (the
# snapshot/restore test stops it through the control socket).
if grep -q "vmmctl.test=ticker" /proc/cmdline; then
  i=0
  while true; do echo "TICK $i $(cut -d' ' -f1 /proc/uptime)"; i=$((i+1)); sleep 1; done
fi
# cpu_ticker CPU busy|idle: a worker pinned to CPU with taskset that prints "CPU<c> TICK i uptime
# on=P spins=k" each time the guest's uptime passes a whole second: i counts from 0, P is the CPU the
# worker is running on as it prints (/proc/<pid>/stat field 39, the proof of the pinning), k how often
# a busy worker polled the clock in between (an idle one sleeps 0.2 s between polls, and starts each
# line on a new line: it shares the console with an L2's dots). It starts with a
# "CPU<c> WORKER pid=... allowed=..." line (its Cpus_allowed_list).
cpu_ticker() {
  taskset -c "$1" sh -c '
    c=$1 mode=$2 i=0 k=0 nl=
    [ "$mode" = idle ] && nl="
"
    echo "${nl}CPU$c WORKER pid=$$ allowed=$(grep Cpus_allowed_list /proc/$$/status | cut -f2)"
    read -r up _ < /proc/uptime; next=$((${up%.*} + 1))
    while :; do
      [ "$mode" = idle ] && sleep 0.2
      read -r up _ < /proc/uptime
      k=$((k + 1)); [ "${up%.*}" -ge $next ] || continue
      read -r st < /proc/$$/stat; set -- $st
      echo "${nl}CPU$c TICK $i $up on=${39} spins=$k"
      i=$((i + 1)) k=0 next=$((${up%.*} + 1))
    done' sh "$1" "$2" &
}
# vmmctl.test=smp-ticker: a busy ticker pinned to every online CPU, forever (the SMP snapshot test stops
# the VM through the control socket).
if grep -q "vmmctl.test=smp-ticker" /proc/cmdline; then
  echo "SMP-TICKER online=$(cat /sys/devices/system/cpu/online)"
  for c in $(seq 0 $((cpus - 1))); do cpu_ticker "$c" busy; done
  while true; do wait; done
fi
# vmmctl.test=smp-hotplug: CPU1 is taken offline (PSCI CPU_OFF) unless it never came up (maxcpus=1),
# CPU0 ticks, and the console is read: a line "online" brings CPU1 up (PSCI CPU_ON) and starts a
# ticker on it. The test snapshots and restores between the two.
if grep -q "vmmctl.test=smp-hotplug" /proc/cmdline; then
  f=/sys/devices/system/cpu/cpu1/online
  [ "$(cat $f)" = 1 ] && { echo 0 > $f; echo "CPU1-OFFLINE rc=$?"; }
  echo "CPU1-DOWN online=$(cat /sys/devices/system/cpu/online) cpu1=$(cat $f)"
  cpu_ticker 0 busy
  echo "HOTPLUG-READY"
  while read -r line; do
    case $line in
      online*)
        read -r t _ < /proc/uptime; echo 1 > $f; rc=$?
        echo "CPU1-ONLINE rc=$rc online=$(cat /sys/devices/system/cpu/online) at=$t took=$(awk -v t=$t '{ print $1 - t }' /proc/uptime) s"
        cpu_ticker 1 busy ;;
    esac
  done
  while true; do wait; done
fi
# vmmctl.test=echo: read one line from the console and print it back (console input, end to end).
if grep -q "vmmctl.test=echo" /proc/cmdline; then
  echo "CONSOLE-READY"
  read -r line
  echo "CONSOLE-GOT: $line"
  sleep 1  # poweroff -f does not wait for the tty to drain through the UART
  poweroff -f
fi
# vmmctl.test=l2-flood: this (nested) guest's own KVM runs an L2 guest that writes dots to the UART
# until stopped (a busy loop between writes keeps the vCPU mostly in the L2 guest), so a snapshot
# catches the guest hypervisor with its L2 guest running.
if grep -q "vmmctl.test=l2-flood" /proc/cmdline; then
  echo "L2-FLOOD-START"
  /vmmctl run --bench-mmio 1000000000 --bench-spin 1000000 --memory 64M --api-socket /tmp/l2.sock </dev/null
  echo "L2-EXIT=$?"
  poweroff -f
fi
# vmmctl.test=smp-l2: a (nested) guest ticking on every online CPU (idle tickers, so the L2 gets CPU
# time) while its own KVM runs the L2 UART-flood guest of l2-flood, until stopped.
if grep -q "vmmctl.test=smp-l2" /proc/cmdline; then
  for c in $(seq 0 $((cpus - 1))); do cpu_ticker "$c" idle; done
  echo "L2-FLOOD-START"
  /vmmctl run --bench-mmio 1000000000 --bench-spin 1000000 --memory 64M --api-socket /tmp/l2.sock </dev/null
  echo "L2-EXIT=$?"
  poweroff -f
fi
# vmmctl.test=pagemap: /guest-pagemap (Tests/Integration/guest-pagemap.c) prints a page's VA and PFN
# and kernel symbols' VA and PA, then spins at EL0 forever (t-translate-linux.sh pauses and snapshots it).
# kptr_restrict 0: /proc/kallsyms shows the real addresses to root.
if grep -q "vmmctl.test=pagemap" /proc/cmdline; then
  echo 0 > /proc/sys/kernel/kptr_restrict
  /guest-pagemap
  echo "PAGEMAP-EXIT=$?"
  poweroff -f
fi
[ -x /vmmctl ] && [ -e /dev/kvm ] && { echo "== L2: vmmctl run inside the guest"; /vmmctl run </dev/null; echo "L2-EXIT=$?"; }
poweroff -f
