#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/dhcp.sh — bridge + dhcp IPAM, ccni side by side with the Go
# reference, against a local DHCP server (dnsmasq in a namespace of its
# own, on a LAN bridged to the containers): ADD (the time to a lease) and
# DEL for PODS pods x ROUNDS rounds, PAR parallel ADDs, and ADD when ccni's
# plugin has to start its daemon first (killed before each ADD) beside the
# reference's ADD with its daemon running. Part of bench/run.sh; alone:
#
#   bash bench/dhcp.sh [BUILD_DIR]      (root; dnsmasq, containernetworking-plugins)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
bin=$build/stage/opt/cni/bin
REF=${REF:-/usr/lib/cni}
PODS=${PODS:-20} ROUNDS=${ROUNDS:-3} PAR=${PAR:-8}
OUT=${OUT:-$top/bench/results}
command -v dnsmasq >/dev/null || { echo "bench: no dnsmasq (apt-get install dnsmasq-base): dhcp skipped" >&2; exit 0; }
[ -x "$REF/dhcp" ] || { echo "bench: no reference dhcp in $REF: dhcp skipped" >&2; exit 0; }
mkdir -p "$OUT" /run/cnibench

made=()
mkns() { ip netns add "$1"; ip -n "$1" link set lo up; made+=("$1"); }
cleanup() {
	local n
	# the DHCP server and both daemons live in the benchmark's namespaces
	for n in "${made[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
	for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf /run/cnibench/dhcp-* /run/cnibench/dnsmasq.* /run/cnibench/kill-ccni-dhcp.sh \
		"/dev/shm/cnibench-$$.leases"
}
trap cleanup EXIT
ns=cnid$$

echo "== bridge + dhcp: a lease from dnsmasq on the bridge's LAN, $PODS pods x $ROUNDS rounds, then $PAR parallel ADDs"
# The LAN: dnsmasq (no ping probe: it would wait 3 s before each offer) in
# its own namespace, a veth uplink into bridge cbd0 of the host namespace.
# The reference's daemon is started by hand, as it must be; ccni's plugin
# starts its own (in the warm-up round).
h="${ns}h" lan="${ns}l"
mkns "$h"
mkns "$lan"
ip -n "$h" link add cbd0 type bridge
ip -n "$h" link add up0 type veth peer name lan0 netns "$lan"
ip -n "$h" link set up0 master cbd0 up
ip -n "$h" link set cbd0 up
ip -n "$lan" addr add 10.55.0.1/16 dev lan0
ip -n "$lan" link set lan0 up
# dnsmasq syncs its lease file after every change: on tmpfs, so that the
# disk is not what is measured.
ip netns exec "$lan" dnsmasq --conf-file=/dev/null --port=0 --user=root --group=root \
	--interface=lan0 --bind-interfaces --no-ping --pid-file=/run/cnibench/dnsmasq.pid \
	--dhcp-leasefile="/dev/shm/cnibench-$$.leases" --dhcp-range=10.55.1.0,10.55.255.250,255.255.0.0,1h \
	--dhcp-lease-max=70000
# nsenter, not ip netns exec: one mount namespace for cnibench and the
# reference's daemon, so the daemon sees the netns cnibench mounts
in_h() { nsenter --net="/run/netns/$h" "$@"; }
in_h "$REF/dhcp" daemon -socketpath /run/cnibench/dhcp-ref.sock >/run/cnibench/ref-dhcp.log 2>&1 &
while [ ! -S /run/cnibench/dhcp-ref.sock ]; do sleep 0.05; done
in_h "$build/bench/cnibench" -n "$PODS" -r "$ROUNDS" -p "$PAR" \
	-o "$OUT/dhcp.json" "$top/bench/conf/dhcp.json" ref="$REF" ccni="$bin"
echo
echo "== bridge + dhcp, ccni's daemon killed before each ADD (the plugin starts one), beside the reference's running daemon"
# (a killed daemon's lease files stay; the DEL before removed them)
cat >/run/cnibench/kill-ccni-dhcp.sh <<-'EOF2'
	p=$(cat /run/cnibench/dhcp-ccni.sock.d/daemon.pid 2>/dev/null) || exit 0
	kill -9 "$p" 2>/dev/null || exit 0
	while [ -e "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status"; do :; done
EOF2
in_h "$build/bench/cnibench" -n 1 -r "$((ROUNDS * 5))" \
	-x "sh /run/cnibench/kill-ccni-dhcp.sh" -o "$OUT/dhcp-start-ccni.json" "$top/bench/conf/dhcp.json" ccni="$bin"
in_h "$build/bench/cnibench" -n 1 -r "$((ROUNDS * 5))" \
	-o "$OUT/dhcp-start-ref.json" "$top/bench/conf/dhcp.json" ref="$REF"
for n in ccni ref; do
	jq -r --arg n "$n" '.sets[0] | "\($n): ADD median \(.add_median_ms) ms, p90 \(.add_p90_ms) ms"' "$OUT/dhcp-start-$n.json"
done

