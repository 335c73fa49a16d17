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
# del_removes PLUGIN CONF NETWORK: DEL removes CNI_IFNAME (eth0) and the
# IPAM reservations ($T/ipam/NETWORK); a second DEL succeeds
del_removes() {
	cni "$1" DEL "$2"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left after DEL"
	assert_eq "$(ls "$T/ipam/$3" | grep -c '^10\.\|:')" 0 "reservations after DEL"
	cni "$1" DEL "$2"
}
# del_paths PLUGIN CONF NETWORK: after an ADD, DEL succeeds with the
# container's namespace gone and with CNI_NETNS empty, and the reservations
# are released
del_paths() {
	cni "$1" ADD "$2" >/dev/null
	ip netns del "$NETNS"
	cni "$1" DEL "$2"
	NETNS_PATH="" cni "$1" DEL "$2"
	assert_eq "$(ls "$T/ipam/$3" | grep -c '^10\.')" 0 "reservations after DEL without the namespace"
}
# bad_route SUBNET: an IPAM body whose one route's gateway is unreachable
bad_route() { printf ',"ranges":[[{"subnet":"%s"}]],"routes":[{"dst":"10.99.0.0/16","gw":"10.98.0.1"}]' "$1"; }
# refused_route_undone PLUGIN CONF NETWORK: in a fresh container (the new
# $NETNS), an ADD whose route the kernel refuses (CONF has bad_route's)
# fails naming it, leaving neither a link nor a reservation
refused_route_undone() {
	local o
	NETNS=$(mkns c2)
	NETNS_PATH=/run/netns/$NETNS
	o=$(cni "$1" ADD "$2") && fail "an unreachable gateway accepted"
	expect_error 101 "$o" "10.99.0.0/16 via 10.98.0.1"
	assert_eq "$(links "$NETNS") $(ls "$T/ipam/$3" | grep -c '^10\.')" "1 0" "links and reservations after the failed ADD"
}
# rejects PLUGIN CONF TEXT: ADD of CONF is refused as a bad config (code
# 7) whose message has TEXT (the key, the value)
rejects() {
	local o
	o=$(cni "$1" ADD "$2") && fail "ADD accepted what should fail with \"$3\": $2"
	expect_error 7 "$o" "$3"
}
# assert_result OUT MAC FIELDS: OUT is exactly the 1.0.0 result of one
# interface, eth0 with MAC in $NETNS_PATH, plus FIELDS (a jq object: ips,
# routes, dns)
assert_result() {
	local want
	want=$(jq -cnS --arg m "$2" --arg s "$NETNS_PATH" \
		'{cniVersion:"1.0.0",interfaces:[{name:"eth0",mac:$m,sandbox:$s}]} + '"$3")
	assert_eq "$(jq -cS . <<<"$1")" "$want" "result"
}
