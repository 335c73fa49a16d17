#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# links.sh — what the tests of the one-link plugins (t-macvlan, t-ipvlan,
# t-vlan, t-dummy) share, sourced after lib.sh: a master on a wire to a peer
# namespace, and readings of the container's link, addresses and routes.

h() { in_host "$@"; }
# the host namespace's links, by name
hostlinks() { h ip -j link show | jq -r 'map(.ifname) | sort | join(" ")'; }
# with_prev CONF RESULT: CONF with RESULT as prevResult
with_prev() { jq -c --argjson p "$2" '. + {prevResult: $p}' <<<"$1"; }
# wire MASTER ADDR4 ADDR6: MASTER, up in the host namespace, a veth whose
# other end (MASTER's name with "p") is up in a new namespace $PEER with
# ADDR4 and ADDR6 (no DAD) when given
wire() {
	PEER=$(mkns p)
	h ip link add "$1" type veth peer name "${1}p"
	h ip link set "${1}p" netns "$PEER"
	h ip link set "$1" up
	[ -z "${2:-}" ] || in_ns "$PEER" ip addr add "$2" dev "${1}p"
	[ -z "${3:-}" ] || in_ns "$PEER" ip addr add "$3" dev "${1}p" nodad
	in_ns "$PEER" ip link set "${1}p" up
}
# kind [IFNAME [NS]]: the link's kind and its kind's attributes
kind() {
	in_ns "${2:-$NETNS}" ip -j -d link show "${1:-eth0}" |
		jq -c '.[0].linkinfo | {kind: .info_kind, mode: .info_data.mode, id: .info_data.id} | with_entries(select(.value != null))'
}
# addrs [IFNAME [NS]]: its global addresses, marked when still tentative
addrs() {
	in_ns "${2:-$NETNS}" ip -j addr show "${1:-eth0}" |
		jq -r '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)\(if .tentative then " tentative" else "" end)"] | join(",")'
}
# routes [NS] [-6]: its routes, sorted
routes() { in_ns "${1:-$NETNS}" ip -j ${2:-} route show | jq -c 'map("\(.dst) \(.gateway // "-") \(.dev)") | sort'; }
# links NS: how many links NS has (lo is one)
links() { in_ns "$1" ip -o link | wc -l; }
# eventually CMD...: CMD succeeds within 10 s (what the kernel does on its
# own time after ADD returned: a peer processing an announcement)
eventually() {
	local i
	for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
	"$@"
}
