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
dmesg | grep -E "kvm \[[0-9]+\]" | head -n 20
dmesg | grep -E "CPU: All CPU\(s\) started at|Booting CPU|SMP: Total" | head -n 5
# vmmctl.test=ticker: print a numbered tick with the guest's uptime once a second, forever (the
# snapshot/restore test stops it through the control socket).
if grep -q "vmmctl.test=ticker" /proc/cmdline; then
  i=0
  while true; do echo "TICK $i $(cut -d' ' -f1 /proc/uptime)"; i=$((i+1)); sleep 1; done
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
[ -x /vmmctl ] && [ -e /dev/kvm ] && { echo "== L2: vmmctl run inside the guest"; /vmmctl run </dev/null; echo "L2-EXIT=$?"; }
poweroff -f
