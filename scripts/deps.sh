#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deps.sh — install what building, testing and the demo need, from Debian's
# packages. Does nothing when everything is already there.
set -eu
pkgs=(
	build-essential meson ninja-build pkg-config
	libjansson-dev libnl-3-dev libnl-route-3-dev libnftables-dev libcmocka-dev
	clang libclang-rt-14-dev valgrind
	iproute2 nftables iptables jq iputils-ping socat kmod groff-base conntrack
	containernetworking-plugins user-mode-linux
	dnsmasq-base udhcpd
	docker.io busybox-static procps util-linux
	debhelper dpkg-dev lintian
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# docker.io's package would start the machine's own dockerd (a docker0
# bridge and iptables rules on the host); the tests run a private one.
# A policy-rc.d for the length of the install keeps services from starting.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
