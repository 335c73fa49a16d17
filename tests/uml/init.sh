#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# init.sh — process 1 of the user-mode Linux kernel that tests/uml/run.sh
# boots. The root file system is the host's, read-only (hostfs). Here every
# host directory gets a tmpfs overlay, so a test or plugin can write wherever
# it could on the host (/etc/cni, /var/lib, ...) while the host is never
# touched; /run, /tmp, /dev/shm and /var/lib/cni start empty, so every boot
# starts from the same state whatever the host holds. The one writable host
# directory is $CCNI_UML_DIR (from the kernel command line): run.sh's env
# file comes in through it, the tests' log and outcomes go out through it.
#
# Never exits: process 1 exiting panics the kernel. Whatever happens, the
# results written so far are synced and the machine is powered off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
dir=${CCNI_UML_DIR:?}

finish() {
	sync
	poweroff -f >/dev/null 2>&1
	sleep 60 # poweroff -f does not return; this keeps process 1 alive if it does
}
trap finish EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# what udev would make: bash's process substitution needs /dev/fd
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mkdir -p "$dir"
# sync: a write is on the host when it returns, so a boot that is killed
# midway still leaves the outcomes of the tests that finished.
mount -t hostfs -o sync,"$dir" none "$dir" || exit
exec >"$dir/log" 2>&1
. "$dir/env" || exit

# Modules come from the user-mode-linux package: the kernel's own module
# loader (link kinds, qdiscs, netfilter matches on first use) and the
# preload below both look in a tree made here that links to them.
v=$(uname -r)
mkdir -p /run/uml-modules/lib/modules
ln -s "/usr/lib/uml/modules/$v" "/run/uml-modules/lib/modules/$v"
echo "$UML_TOP/tests/uml/modprobe.sh" >/proc/sys/kernel/modprobe
modprobe -d /run/uml-modules -a overlay $UML_MODULES || echo "uml: some modules did not load: $UML_MODULES"

# One fstab, one mount -a: in this kernel every process start costs tens of
# milliseconds, and these are thirty mounts.
fstab=/run/uml-fstab dirs=()
for d in /*; do
	[ -d "$d" ] && [ ! -L "$d" ] || continue
	case $d in /proc | /sys | /dev | /run | /tmp | /lost+found) continue ;; esac
	o=/run/uml-overlay$d
	dirs+=("$o/upper" "$o/work")
	echo "overlay $d overlay lowerdir=$d,upperdir=$o/upper,workdir=$o/work 0 0"
done >"$fstab"
# (made in /var's upper layer, so that it is there when /var is mounted)
dirs+=(/run/uml-overlay/var/upper/lib/cni)
echo "tmpfs /var/lib/cni tmpfs mode=755 0 0" >>"$fstab"
# Host directories that the tmpfs mounts hid (a build dir under /tmp, say)
# come back, read-only.
for p in $UML_HOST_PATHS; do
	case $p in
	/tmp/* | /run/*) dirs+=("$p") && echo "none $p hostfs ro,$p 0 0" ;;
	esac
done >>"$fstab"
# This kernel has iptables' own tables but not nftables' ip, ip6 and inet
# families (only bridge): iptables, ip6tables and their -save and -restore
# are the legacy ones here.
echo "/usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi none bind 0 0" >>"$fstab"
mkdir -p "${dirs[@]}"
mount -a -T "$fstab" || echo "uml: not every mount of $fstab was made"

hostname ccni-uml
ip link set lo up
echo "uml: kernel $v up after $(cut -d' ' -f1 /proc/uptime) s"

cd "$UML_TOP" || exit
if [ -n "$UML_EXEC" ]; then
	bash -c "$UML_EXEC"
else
	for f in $UML_FILES; do
		bash "tests/integration/$f.sh"
	done
fi
echo "uml: tests done after $(cut -d' ' -f1 /proc/uptime) s"
echo done >"$dir/finished"
