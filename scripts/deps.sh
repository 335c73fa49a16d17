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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
