#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sbr (after ptp + host-local): rules and tables inside the container, routes
# leaving the main table, the next interface's tables, the "table" option,
# traffic picking its table by source address, DEL paths, bad input leaving
# nothing behind, and the same kernel state as the reference's sbr.
. "$(dirname "$0")/lib.sh"

# pconf NET SUBNETS-JSON: a ptp network with host-local ranges.
pconf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"ptp","ipam":{"type":"host-local","dataDir":"%s","ranges":%s,"routes":[{"dst":"0.0.0.0/0"}]}}' \
		"$1" "$T/ipam" "$2"
}
DUAL='[[{"subnet":"10.77.5.0/24"}],[{"subnet":"fd00:77:5::/64"}]]'
# sconf CONF PREV [EXTRA]: the sbr config chained after CONF with PREV.
sconf() { jq -c --argjson p "$2" '. + {type: "sbr", prevResult: $p}'"${3:+ + $3}" <<<"$1"; }
# attach NET SUBNETS [IFNAME]: ptp ADD; prints the sbr config to use next.
attach() {
	local c out i
	c=$(pconf "$1" "$2")
	out=$(IFNAME=${3:-eth0} cni ptp ADD "$c")
	# The kernel adds the link's fe80::/64 route when it sees the carrier, a
	# moment after ptp returns (linkwatch runs from a workqueue), and sbr
	# moves the routes there are: wait for it, or a slow machine races.
	for i in $(seq 200); do
		[ -z "$(in_ns "$NETNS" ip -6 route show fe80::/64 dev "${3:-eth0}")" ] || break
		sleep 0.05
	done
	sconf "$c" "$out"
}
# rules [-6] [NS]: "priority src table" of each rule.
rules() {
	local f=-4
	[ "${1:-}" = -6 ] && { f=-6; shift; }
	in_ns "${1:-$NETNS}" ip -j $f rule | jq -r 'map("\(.priority) \(.src) \(.table)") | join(",")'
}
# routes [-6] TABLE [NS]: the table's routes, every attribute ip shows.
routes() {
	local f=-4
	[ "$1" = -6 ] && { f=-6; shift; }
	in_ns "${2:-$NETNS}" ip -d -j $f route show table "$1" |
		jq -r 'map("\(.dst) \(.gateway // "-") \(.dev) \(.protocol) \(.scope) \(.prefsrc // "-") \(.metric // "-")") | join(",")'
}
V4_RULES_BASE="0 all local,32766 all main,32767 all default"
V6_RULES_BASE="0 all local,32766 all main"

test_add_moves_the_routes_to_tables_100_and_101() {
	sc=$(attach net5 "$DUAL")
	prev=$(jq -c .prevResult <<<"$sc")
	out=$(cni sbr ADD "$sc")
	# the result is prevResult, unchanged
	assert_eq "$(jq -S . <<<"$out")" "$(jq -S . <<<"$prev")" "result"
	# one table per address, the kernel's priority for each rule
	assert_eq "$(rules)" "0 all local,32765 10.77.5.2 100,32766 all main,32767 all default" "v4 rules"
	assert_eq "$(rules -6)" "0 all local,32765 fd00:77:5::2 101,32766 all main" "v6 rules"
	assert_eq "$(routes 100)" "default 10.77.5.1 eth0 boot global - -,10.77.5.0/24 10.77.5.1 eth0 boot global 10.77.5.2 -,10.77.5.1 - eth0 boot link 10.77.5.2 -" "table 100"
	# a route with neither source nor gateway goes to every table, as in the reference
	assert_eq "$(routes -6 100)" "fe80::/64 - eth0 kernel global - 256" "table 100 v6"
	assert_eq "$(routes -6 101)" "fd00:77:5::1 - eth0 boot global fd00:77:5::2 1024,fd00:77:5::/64 fd00:77:5::1 eth0 boot global fd00:77:5::2 1024,fe80::/64 - eth0 kernel global - 256,default fd00:77:5::1 eth0 boot global - 1024" "table 101 v6"
	assert_eq "$(routes 101)" "" "table 101 v4"
	# the main table keeps nothing of eth0
	assert_eq "$(in_ns "$NETNS" ip route show table main)" "" "main v4"
	assert_eq "$(in_ns "$NETNS" ip -6 route show table main)" "" "main v6"
	# CHECK does nothing, as in the reference
	cni sbr CHECK "$(jq -c --argjson p "$out" '.prevResult = $p' <<<"$sc")"
	cni sbr DEL "$sc"
	assert_eq "$(rules)" "$V4_RULES_BASE" "v4 rules after DEL"
	assert_eq "$(rules -6)" "$V6_RULES_BASE" "v6 rules after DEL"
}

# count_to PEER... : an nftables counter in the host namespace per host-side
# veth, of the packets to 192.0.2.1 that came in on it (only those: the
# container's own IPv6 chatter, router solicitations and MLD reports, comes
# whenever the kernel sends it); sent PEER prints one's count.
count_to() {
	local v
	in_host nft add table inet ccni_sbrtest
	in_host nft add chain inet ccni_sbrtest in '{ type filter hook prerouting priority 0; }'
	for v in "$@"; do
		in_host nft add counter inet ccni_sbrtest "$v"
		in_host nft add rule inet ccni_sbrtest in iifname "$v" ip daddr 192.0.2.1 counter name "$v"
	done
}
sent() { in_host nft -j list counter inet ccni_sbrtest "$1" | jq '.nftables[] | select(.counter) | .counter.packets'; }

test_second_interface_next_table_and_traffic_by_source() {
	a=$(attach neta '[[{"subnet":"10.77.6.0/24"}]]')
	b=$(attach netb '[[{"subnet":"10.77.7.0/24"}]]' net1)
	cni sbr ADD "$a" >/dev/null
	IFNAME=net1 cni sbr ADD "$b" >/dev/null
	assert_eq "$(rules)" "0 all local,32764 10.77.7.2 101,32765 10.77.6.2 100,32766 all main,32767 all default" "rules"
	assert_eq "$(routes 101)" "default 10.77.7.1 net1 boot global - -,10.77.7.0/24 10.77.7.1 net1 boot global 10.77.7.2 -,10.77.7.1 - net1 boot link 10.77.7.2 -" "table 101"
	assert_eq "$(routes 100)" "default 10.77.6.1 eth0 boot global - -,10.77.6.0/24 10.77.6.1 eth0 boot global 10.77.6.2 -,10.77.6.1 - eth0 boot link 10.77.6.2 -" "table 100"
	assert_eq "$(in_ns "$NETNS" ip route show table main)" "" "main"
	# a peer on the host's loopback: reachable only through the tables now
	in_host ip addr add 192.0.2.1/32 dev lo
	vb=$(jq -r '.prevResult.interfaces[0].name' <<<"$b")
	va=$(jq -r '.prevResult.interfaces[0].name' <<<"$a")
	jq_eq "$(in_ns "$NETNS" ip -j route get 192.0.2.1 from 10.77.7.2)" '.[0] | "\(.dev) \(.gateway)"' "net1 10.77.7.1"
	in_ns "$NETNS" ping -c1 -W1 192.0.2.1 >/dev/null 2>&1 && fail "reached the peer without a source address"
	count_to "$vb" "$va"
	in_ns "$NETNS" ping -c3 -i0.2 -W2 -I 10.77.7.2 192.0.2.1 >/dev/null || fail "ping from net1's address"
	assert_eq "$(sent "$vb") $(sent "$va")" "3 0" "pings that came in on net1's and eth0's host sides"
	in_ns "$NETNS" ping -c1 -W2 -I 10.77.6.2 192.0.2.1 >/dev/null || fail "ping from eth0's address"
	assert_eq "$(sent "$vb") $(sent "$va")" "3 1" "the same after a ping from eth0's address"
	# DEL of one interface leaves the other's rule
	IFNAME=net1 cni sbr DEL "$b"
	assert_eq "$(rules)" "0 all local,32765 10.77.6.2 100,32766 all main,32767 all default" "rules after DEL net1"
}

test_table_option_adds_rules_only() {
	sc=$(attach net5 "$DUAL")
	main4=$(in_ns "$NETNS" ip -j route show table main)
	main6=$(in_ns "$NETNS" ip -j -6 route show table main)
	in_ns "$NETNS" ip rule add from 10.77.5.2 table 300
	out=$(cni sbr ADD "$(sconf "$sc" "$(jq -c .prevResult <<<"$sc")" '{table: 200}')")
	jq_eq "$out" '.ips | length' 2
	assert_eq "$(rules)" "0 all local,32764 10.77.5.2 200,32765 10.77.5.2 300,32766 all main,32767 all default" "v4 rules"
	assert_eq "$(rules -6)" "0 all local,32765 fd00:77:5::2 200,32766 all main" "v6 rules"
	assert_eq "$(in_ns "$NETNS" ip -j route show table main)" "$main4" "main v4 untouched"
	assert_eq "$(in_ns "$NETNS" ip -j -6 route show table main)" "$main6" "main v6 untouched"
	assert_eq "$(routes 200)" "" "table 200"
	assert_eq "$(routes 100)" "" "table 100"
	# DEL with the table removes only that table's rules
	cni sbr DEL "$(jq -c '. + {table: 200}' <<<"$sc")"
	assert_eq "$(rules)" "0 all local,32765 10.77.5.2 300,32766 all main,32767 all default" "v4 rules after DEL"
	assert_eq "$(rules -6)" "$V6_RULES_BASE" "v6 rules after DEL"
}

test_del_twice_without_prevresult_and_with_things_gone() {
	sc=$(attach net5 "$DUAL")
	cni sbr ADD "$sc" >/dev/null
	bare=$(jq -c 'del(.prevResult)' <<<"$sc")
	out=$(cni sbr DEL "$bare")
	assert_eq "$out" "" "DEL output"
	assert_eq "$(rules)" "$V4_RULES_BASE" "rules after DEL"
	assert_eq "$(rules -6)" "$V6_RULES_BASE" "v6 rules after DEL"
	cni sbr DEL "$sc"
	IFNAME=nope cni sbr DEL "$sc"
	NETNS_PATH=/run/netns/ccni-no-such-ns cni sbr DEL "$sc"
	NETNS_PATH= cni sbr DEL "$bare"
	[ -e /run/netns/ccni-no-such-ns ] && fail "DEL made a file for a missing namespace"
	return 0
}

# snapshot NS: rules and every table but local, the container's own
# addresses written as A4/A6 so two containers compare.
snapshot() {
	local ns=$1 f
	for f in -4 -6; do
		in_ns "$ns" ip -d -j $f rule
		in_ns "$ns" ip -d -j $f route show table all | jq -c 'map(select(.table != "local"))'
	done | sed -E 's/10\.77\.(5|8)\.[23]"/A4"/g; s/fd00:77:5::[23]"/A6"/g'
}

test_kernel_state_same_as_reference() {
	[ -x "$REF_BIN/sbr" ] || skip "no reference sbr in $REF_BIN"
	ns2=$(mkns r)
	for who in ccni ref; do
		if [ $who = ccni ]; then NS=$NETNS P=cni; else NS=$ns2 P=ref; fi
		e=$(NETNS_PATH=/run/netns/$NS CID=c$who attach net5 "$DUAL")
		n=$(NETNS_PATH=/run/netns/$NS CID=c$who attach net8 '[[{"subnet":"10.77.8.0/24"}]]' net1)
		NETNS_PATH=/run/netns/$NS $P sbr ADD "$e" >"$T/$who.add"
		NETNS_PATH=/run/netns/$NS IFNAME=net1 $P sbr ADD "$n" >/dev/null
		snapshot "$NS" >"$T/$who.state"
		NETNS_PATH=/run/netns/$NS $P sbr DEL "$e"
		snapshot "$NS" >"$T/$who.del"
	done
	diff "$T/ref.state" "$T/ccni.state" >&2 || fail "state after ADD differs from the reference"
	diff "$T/ref.del" "$T/ccni.del" >&2 || fail "state after DEL differs from the reference"
	grep -q '"table":"102"' "$T/ccni.state" || fail "net1 did not get table 102"
	jq_eq "$(cat "$T/ccni.add")" '.ips | length' 2
	assert_eq "$(jq -S 'del(.interfaces, .ips)' "$T/ccni.add")" "$(jq -S 'del(.interfaces, .ips)' "$T/ref.add")" "result"
}

test_bad_input_names_the_field_and_changes_nothing() {
	sc=$(attach net5 "$DUAL")
	before=$(snapshot "$NETNS")
	o=$(cni sbr ADD "$(jq -c 'del(.prevResult)' <<<"$sc")") && fail "ADD without prevResult"
	expect_error 7 "$o" "prevResult"
	for t in '"100"' 0 -1 4294967296 1.5 true '[100]'; do
		o=$(cni sbr ADD "$(jq -c ". + {table: $t}" <<<"$sc")") && fail "ADD with table $t"
		expect_error 7 "$o" "table"
		o=$(cni sbr DEL "$(jq -c ". + {table: $t}" <<<"$sc")") && fail "DEL with table $t"
		expect_error 7 "$o" "table"
	done
	o=$(cni sbr ADD "$(jq -c '.prevResult.ips = []' <<<"$sc")") && fail "ADD without IPs"
	expect_error 7 "$o" "prevResult.ips"
	o=$(IFNAME=net1 cni sbr ADD "$sc") && fail "ADD for an interface with no IP in prevResult"
	expect_error 7 "$o" "net1"
	o=$(IFNAME=eth9 cni sbr ADD "$(jq -c '.prevResult.ips |= map(del(.interface))' <<<"$sc")") && fail "ADD for a missing link"
	expect_error 107 "$o" "eth9"
	o=$(NETNS_PATH=/run/netns/ccni-no-such-ns cni sbr ADD "$sc") && fail "ADD in a missing namespace"
	expect_error 3 "$o" "CNI_NETNS"
	assert_eq "$(snapshot "$NETNS")" "$before" "kernel state"
}

test_failed_add_takes_back_what_it_added() {
	sc=$(attach net5 "$DUAL")
	# table 101 already holds a default route (no rule names it): the IPv6
	# address's default route cannot be added there
	in_ns "$NETNS" ip -6 route add default dev eth0 table 101
	before=$(snapshot "$NETNS")
	o=$(cni sbr ADD "$sc") && fail "ADD over an existing default route"
	expect_error 101 "$o" "table 101"
	assert_eq "$(snapshot "$NETNS")" "$before" "kernel state"
}

run_tests
