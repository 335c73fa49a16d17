#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vrf, chained after a plugin that made the interface: the interface a
# port of the VRF, its routes (IPv4 and IPv6) in the VRF's table, traffic
# bound to the VRF, the table chosen without colliding with what the
# namespace uses, two interfaces in one VRF and the VRF gone after the last
# DEL, DEL paths, CHECK, a failed ADD undone, bad input, and results beside
# the reference's. This kernel has no VRF: the tests that make one run in
# user-mode Linux, the others (errors before any VRF is made, DEL without
# one) here.
. "$(dirname "$0")/lib.sh"

h() { in_host "$@"; }

# plumb NS IFNAME N: a veth IFNAME in NS (peer vp<N> on the host, on bridge
# cvbr), 10.91.0.N/24 and fd00:91::N/64, routes 10.92.0.0/16 via 10.91.0.1
# and fd00:92::/64 via fd00:91::1 (metric N); the host bridge has
# 10.91.0.1 and fd00:91::1.
plumb() {
	h ip link show cvbr >/dev/null 2>&1 || {
		h ip link add cvbr type bridge
		h ip addr add 10.91.0.1/24 dev cvbr
		h ip addr add fd00:91::1/64 dev cvbr nodad
		h ip link set cvbr up
	}
	h ip link add "vp$3" master cvbr type veth peer name "$2" netns "$1"
	h ip link set "vp$3" up
	in_ns "$1" ip addr add "10.91.0.$3/24" dev "$2"
	in_ns "$1" ip addr add "fd00:91::$3/64" dev "$2" nodad
	in_ns "$1" ip link set "$2" up
	in_ns "$1" ip route add 10.92.0.0/16 via 10.91.0.1 dev "$2" metric "$3"
	in_ns "$1" ip route add fd00:92::/64 via fd00:91::1 dev "$2" metric "$3"
}
# prev NS IFNAME N [VERSION]: the result of the plugin that made IFNAME.
prev() {
	local v4= v6=
	case ${4:-1.0.0} in 0.*) v4='"version":"4",' v6='"version":"6",' ;; esac
	printf '{"cniVersion":"%s","interfaces":[{"name":"%s","sandbox":"/run/netns/%s"}],"ips":[{%s"interface":0,"address":"10.91.0.%s/24","gateway":"10.91.0.1"},{%s"interface":0,"address":"fd00:91::%s/64","gateway":"fd00:91::1"}]}' \
		"${4:-1.0.0}" "$2" "$1" "$v4" "$3" "$v6" "$3"
}
# vconf PREV [EXTRA-KEYS] [VERSION]
vconf() {
	printf '{"cniVersion":"%s","name":"vrfnet","type":"vrf","vrfname":"blue"%s,"prevResult":%s}' \
		"${3:-1.0.0}" "${2:-}" "$1"
}
vrf_table() { in_ns "$1" ip -d -j link show "$2" | jq -r '.[0].linkinfo.info_data.table'; }
master() { in_ns "$1" ip -j link show "$2" | jq -r '.[0].master // "-"'; }
routes() { # NS TABLE: its routes through a veth (not the kernel's local ones), sorted
	in_ns "$1" ip -j route show table "$2" | jq -r '[.[] | select(.type == null) | "\(.dst) \(.gateway // "-")"] | sort | join(",")'
	in_ns "$1" ip -j -6 route show table "$2" | jq -r '[.[] | select(.type == null and (.dst | startswith("fe80") | not)) | "\(.dst) \(.gateway // "-")"] | sort | join(",")'
}

# Also the two containers each with a VRF of that name, and a global IPv6
# address with DAD (not nodad) that the move drops and vrf gives back.
test_enslaved_routes_in_the_vrf_table_traffic_check_and_del() {
	needs_kernel vrf
	plumb "$NETNS" eth0 2
	ns2=$(mkns b)
	plumb "$ns2" eth0 3
	in_ns "$NETNS" ip addr add fd00:93::2/64 dev eth0
	in_ns "$NETNS" sh -c 'while ip -6 addr show dev eth0 | grep -q tentative; do sleep 0.1; done'
	in_ns "$NETNS" sysctl -qw net.ipv6.conf.eth0.keep_addr_on_down=0
	p=$(prev "$NETNS" eth0 2)
	out=$(cni vrf ADD "$(vconf "$p")")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS '. + {dns: {}}' <<<"$p")" "result: prevResult"
	assert_eq "$(master "$NETNS" eth0)" blue "eth0's master"
	jq_eq "$(in_ns "$NETNS" ip -d -j link show blue)" '.[0] | "\(.linkinfo.info_kind) \(.flags | index("UP") != null)"' "vrf true"
	t=$(vrf_table "$NETNS" blue)
	assert_eq "$t" 1 "the first free table"
	assert_eq "$(routes "$NETNS" "$t")" "10.91.0.0/24 -,10.92.0.0/16 10.91.0.1
fd00:91::/64 -,fd00:92::/64 fd00:91::1,fd00:93::/64 -" "routes in the VRF's table"
	assert_eq "$(routes "$NETNS" main)" "" "routes left in main"
	jq_eq "$(in_ns "$NETNS" ip -j -6 addr show eth0)" '[.[0].addr_info[] | select(.scope=="global") | "\(.local) \(.tentative // false)"] | sort | join(",")' \
		"fd00:91::2 false,fd00:93::2 false"
	jq_eq "$(in_ns "$NETNS" ip -j -6 route show table "$t" fd00:93::2)" '.[0].type' local
	# the other container: its own VRF of that name; traffic bound to the
	# VRFs goes, traffic not bound does not
	NETNS_PATH=/run/netns/$ns2 cni vrf ADD "$(vconf "$(prev "$ns2" eth0 3)")" >/dev/null
	in_ns "$NETNS" ping -c1 -W2 -I blue 10.91.0.3 >/dev/null || fail "ping in the VRF"
	in_ns "$ns2" ping -6 -c1 -W2 -I blue fd00:91::2 >/dev/null || fail "ping6 VRF to VRF"
	in_ns "$NETNS" ping -c1 -W1 10.91.0.3 >/dev/null 2>&1 && fail "reached 10.91.0.3 outside the VRF"
	# CHECK, then DEL: the interface leaves and the VRF with its last port
	cni vrf CHECK "$(vconf "$out")"
	in_ns "$NETNS" ip link set eth0 nomaster
	o=$(cni vrf CHECK "$(vconf "$out")") && fail "CHECK passed with eth0 out of the VRF"
	expect_error 108 "$o" "CNI_IFNAME: eth0 is not a port of VRF blue"
	in_ns "$NETNS" ip link set eth0 master blue
	cni vrf DEL "$(vconf "$out")"
	assert_eq "$(master "$NETNS" eth0)" - "eth0's master after DEL"
	in_ns "$NETNS" ip link show blue >/dev/null 2>&1 && fail "VRF left after its last DEL"
	in_ns "$ns2" ip link show blue >/dev/null || fail "the other container's VRF went"
	cni vrf DEL "$(vconf "$out")"
}

# Tables in use: a VRF's (1), a route's (2), a rule's (3): the new VRF
# takes 4; two interfaces in it, and it goes with the last; a table given.
test_tables_and_two_interfaces_in_one_vrf() {
	needs_kernel vrf
	plumb "$NETNS" eth0 2
	plumb "$NETNS" eth1 4
	plumb "$NETNS" eth2 5
	in_ns "$NETNS" ip link add red type vrf table 1
	in_ns "$NETNS" ip route add 10.99.0.0/16 dev eth2 table 2
	in_ns "$NETNS" ip rule add from 10.98.0.0/16 lookup 3
	cni vrf ADD "$(vconf "$(prev "$NETNS" eth0 2)")" >/dev/null
	assert_eq "$(vrf_table "$NETNS" blue)" 4 "table past the used ones"
	# a table for an existing VRF must be its own
	o=$(IFNAME=eth1 cni vrf ADD "$(vconf "$(prev "$NETNS" eth1 4)" ',"table":7')") && fail "another table passed"
	expect_error 7 "$o" "table: VRF blue already exists with table 4, not 7"
	assert_eq "$(master "$NETNS" eth1)" - "eth1 untouched"
	IFNAME=eth1 cni vrf ADD "$(vconf "$(prev "$NETNS" eth1 4)" ',"table":4')" >/dev/null
	assert_eq "$(master "$NETNS" eth0) $(master "$NETNS" eth1)" "blue blue" "masters"
	# a table given for a new VRF
	IFNAME=eth2 cni vrf ADD "$(vconf "$(prev "$NETNS" eth2 5)" ',"vrfname":"green","table":100')" >/dev/null
	assert_eq "$(vrf_table "$NETNS" green) $(master "$NETNS" eth2)" "100 green" "green"
	assert_eq "$(routes "$NETNS" 100 | head -1)" "10.91.0.0/24 -,10.92.0.0/16 10.91.0.1" "green's routes"
	o=$(IFNAME=eth2 cni vrf CHECK "$(vconf "$(prev "$NETNS" eth2 5)" ',"vrfname":"green","table":101')") && fail "CHECK passed another table"
	expect_error 108 "$o" "table: VRF green has table 100, not 101"
	# the VRF stays while a port is left
	cni vrf DEL "$(vconf "$(prev "$NETNS" eth0 2)")"
	in_ns "$NETNS" ip link show blue >/dev/null || fail "VRF deleted with a port left"
	assert_eq "$(master "$NETNS" eth1)" blue "eth1 still in it"
	IFNAME=eth1 cni vrf DEL "$(vconf "$(prev "$NETNS" eth1 4)")"
	in_ns "$NETNS" ip link show blue >/dev/null 2>&1 && fail "VRF left after the last DEL"
	in_ns "$NETNS" ip link show red >/dev/null || fail "red went"
}

test_del_without_a_vrf() {
	plumb "$NETNS" eth0 2
	p=$(prev "$NETNS" eth0 2)
	# no VRF: nothing to do; a link of that name that is not a VRF is not ours
	cni vrf DEL "$(vconf "$p")"
	in_ns "$NETNS" ip link add blue type bridge
	cni vrf DEL "$(vconf "$p")"
	in_ns "$NETNS" ip link show blue >/dev/null || fail "DEL deleted a bridge"
	# the namespace gone, or none given
	ip netns del "$NETNS"
	cni vrf DEL "$(vconf "$p")"
	NETNS_PATH="" cni vrf DEL "$(vconf "$p")"
}

test_del_with_the_interface_or_the_namespace_gone() {
	needs_kernel vrf
	plumb "$NETNS" eth0 2
	p=$(prev "$NETNS" eth0 2)
	# the main plugin's DEL went first
	cni vrf ADD "$(vconf "$p")" >/dev/null
	in_ns "$NETNS" ip link del eth0
	cni vrf DEL "$(vconf "$p")"
	in_ns "$NETNS" ip link show blue >/dev/null 2>&1 && fail "VRF left without ports"
	plumb "$NETNS" eth0 2
	cni vrf ADD "$(vconf "$p")" >/dev/null
	ip netns del "$NETNS"
	cni vrf DEL "$(vconf "$p")"
}

# A route whose gateway the VRF's table cannot reach (it was reachable
# through a scope-link route, which does not move, as in the reference):
# the copy fails, and everything is put back.
test_failed_add_is_undone() {
	needs_kernel vrf
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	in_ns "$NETNS" ip link set eth0p up
	in_ns "$NETNS" ip link set eth0 up
	in_ns "$NETNS" ip addr add 10.94.0.2/32 dev eth0
	in_ns "$NETNS" ip route add 10.94.0.1/32 dev eth0 scope link
	in_ns "$NETNS" ip route add 10.95.0.0/16 via 10.94.0.1 dev eth0
	before=$(routes "$NETNS" main)
	p='{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"ips":[{"interface":0,"address":"10.94.0.2/32"}]}'
	o=$(cni vrf ADD "$(vconf "$p")") && fail "an unreachable gateway passed"
	expect_error 101 "$o" "10.95.0.0/16 via 10.94.0.1"
	in_ns "$NETNS" ip link show blue >/dev/null 2>&1 && fail "VRF left after a failed ADD"
	assert_eq "$(master "$NETNS" eth0)" - "eth0's master"
	assert_eq "$(routes "$NETNS" main | head -1)" "$(head -1 <<<"$before")" "main table routes back"
	jq_eq "$(in_ns "$NETNS" ip -j route show 10.95.0.0/16)" '.[0].gateway' 10.94.0.1
}

test_bad_input_and_check_without_a_vrf() {
	plumb "$NETNS" eth0 2
	p=$(prev "$NETNS" eth0 2)
	o=$(cni vrf CHECK "$(vconf "$p")") && fail "CHECK passed without the VRF"
	expect_error 108 "$o" 'vrfname: no VRF "blue" in the container'
	o=$(cni vrf ADD '{"cniVersion":"1.0.0","name":"vrfnet","type":"vrf","vrfname":"blue"}') && fail "no prevResult passed"
	expect_error 7 "$o" prevResult
	o=$(cni vrf ADD "$(vconf "$p" ',"vrfname":""')") && fail "empty vrfname passed"
	expect_error 7 "$o" "vrfname: missing"
	o=$(cni vrf ADD "$(vconf "$p" ',"table":-2')") && fail "negative table passed"
	expect_error 7 "$o" table
	o=$(IFNAME=eth9 cni vrf ADD "$(vconf "$p")") && fail "a missing interface passed"
	expect_error 107 "$o" 'CNI_IFNAME: no link "eth9" in the container'
	in_ns "$NETNS" ip link add br0 type bridge
	in_ns "$NETNS" ip link set eth0 master br0
	o=$(cni vrf ADD "$(vconf "$p")") && fail "an interface with a master passed"
	expect_error 7 "$o" "CNI_IFNAME: interface eth0 already has a master: br0"
	in_ns "$NETNS" ip link set eth0 nomaster
	o=$(cni vrf ADD "$(vconf "$p" ',"vrfname":"br0"')") && fail "a bridge as the VRF passed"
	expect_error 7 "$o" 'vrfname: "br0" is a bridge link in the container, not a VRF'
	o=$(cni vrf ADD "$(vconf "$p" '' 0.2.0)") && fail "version 0.2.0 passed"
	expect_error 1 "$o" 0.2.0
	in_ns "$NETNS" ip link show blue >/dev/null 2>&1 && fail "VRF made"
	o=$(cni vrf CHECK '{"cniVersion":"1.0.0","name":"vrfnet","type":"vrf","vrfname":"blue"}') && fail "CHECK passed without prevResult"
	expect_error 7 "$o" prevResult
}

test_same_results_as_the_reference() {
	needs_kernel vrf
	[ -x "$REF_BIN/vrf" ] || skip "no reference vrf"
	ns2=$(mkns r)
	plumb "$NETNS" eth0 2
	plumb "$ns2" eth0 3
	for v in 0.3.1 0.4.0 1.0.0; do
		a=$(cni vrf ADD "$(vconf "$(prev "$NETNS" eth0 2 "$v")" '' "$v")")
		b=$(NETNS_PATH=/run/netns/$ns2 ref vrf ADD "$(vconf "$(prev "$ns2" eth0 3 "$v")" '' "$v")")
		norm='(.interfaces[]?.sandbox) |= "S" | (.ips[]?.address) |= sub("::[23]/"; "::N/") | (.ips[]?.address) |= sub("\\.[23]/"; ".N/")'
		assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result $v"
		assert_eq "$(master "$NETNS" eth0) $(vrf_table "$NETNS" blue)" "$(master "$ns2" eth0) $(vrf_table "$ns2" blue)" "VRF and table $v"
		cni vrf DEL "$(vconf "$a" '' "$v")"
		NETNS_PATH=/run/netns/$ns2 ref vrf DEL "$(vconf "$b" '' "$v")"
		assert_eq "$(in_ns "$NETNS" ip -j link show type vrf | jq length) $(in_ns "$ns2" ip -j link show type vrf | jq length)" "0 0" "VRFs after DEL $v"
	done
}

run_tests
