#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vlan (+ host-local): tagged traffic to a peer VLAN interface with the same
# id and none to one with another id, kernel state, exact results beside the
# reference (0.2.0 and 1.0.0), every key, CHECK, DEL paths, failed ADDs
# (a (master, vlanId) pair already in use), bad input. This machine's kernel
# may lack 8021q: the file then runs in the user-mode Linux kernel (lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/links.sh"
T_NEEDS_KERNEL="vlan"

V4=',"ranges":[[{"subnet":"10.70.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]'
V46=',"ranges":[[{"subnet":"10.70.0.0/24"}],[{"subnet":"fd00:70::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]'

# vconf [EXTRA-KEYS] [IPAM-BODY] [DATADIR] [VERSION] [ID]: vlan ID (42) on vm0.
vconf() {
	printf '{"cniVersion":"%s","name":"vnet","type":"vlan","master":"vm0","vlanId":%s%s,"ipam":{"type":"host-local","dataDir":"%s"%s}}' \
		"${4:-1.0.0}" "${5:-42}" "${1:-}" "${3:-$T/ipam}" "${2-$V4}"
}
# peer_vlan ID ADDRESS: a namespace holding VLAN ID over the wire's far end
# (vm0p, in $PEER), with ADDRESS; its name is printed
peer_vlan() {
	local ns
	ns=$(mkns "v$1")
	in_ns "$PEER" ip link add link vm0p name "vp.$1" type vlan id "$1"
	in_ns "$PEER" ip link set "vp.$1" netns "$ns"
	in_ns "$ns" ip addr add "$2" dev "vp.$1"
	in_ns "$ns" ip link set "vp.$1" up
	echo "$ns"
}

test_tagged_traffic_reaches_the_same_vlan_id_only() {
	wire vm0
	p42=$(peer_vlan 42 10.70.0.100/24)
	p43=$(peer_vlan 43 10.70.0.101/24)
	ns2=$(mkns b)
	cni vlan ADD "$(vconf)" >/dev/null
	CID=two NETNS_PATH=/run/netns/$ns2 cni vlan ADD "$(vconf '' "$V4" "$T/ipam" 1.0.0 43)" >/dev/null
	in_ns "$NETNS" ping -c1 -W2 10.70.0.100 >/dev/null || fail "vlan 42 -> the peer's vlan 42"
	in_ns "$p42" ping -c1 -W2 10.70.0.2 >/dev/null || fail "the peer's vlan 42 -> vlan 42"
	in_ns "$ns2" ping -c1 -W2 10.70.0.101 >/dev/null || fail "vlan 43 -> the peer's vlan 43"
	in_ns "$NETNS" ping -c1 -W1 10.70.0.101 >/dev/null && fail "vlan 42 reached the peer's vlan 43"
	in_ns "$ns2" ping -c1 -W1 10.70.0.100 >/dev/null && fail "vlan 43 reached the peer's vlan 42"
	# the peer's vlan 43 never heard of vlan 42's address
	assert_eq "$(in_ns "$p43" ip -j neigh show 10.70.0.2 | jq length)" 0 "vlan 43's neighbours"
	# untagged, the wire's end hears none of it
	in_ns "$PEER" ip addr add 10.70.0.102/24 dev vm0p
	in_ns "$NETNS" ping -c1 -W1 10.70.0.102 >/dev/null && fail "vlan 42 reached the untagged end"
	true
}

test_kernel_state_exact_result_check_del() {
	wire vm0
	c=$(vconf ',"mtu":1400,"dns":{"nameservers":["10.70.0.53"]}' "$V46")
	out=$(cni vlan ADD "$c")
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	assert_result "$out" "$mac" '{
		ips:[{interface:0,address:"10.70.0.2/24",gateway:"10.70.0.1"},{interface:0,address:"fd00:70::2/64",gateway:"fd00:70::1"}],
		routes:[{dst:"0.0.0.0/0"},{dst:"::/0"}],dns:{nameservers:["10.70.0.53"]}}'
	assert_eq "$mac" "$(h cat /sys/class/net/vm0/address)" "the VLAN link's MAC is its master's"
	assert_eq "$(kind)" '{"kind":"vlan","id":42}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0] | "\(.link_index) \(.mtu) \(.operstate)"' \
		"$(h cat /sys/class/net/vm0/ifindex) 1400 UP"
	assert_eq "$(addrs)" "10.70.0.2/24,fd00:70::2/64" "addresses, settled"
	assert_eq "$(routes)" '["10.70.0.0/24 - eth0","default 10.70.0.1 eth0"]' "routes"
	assert_eq "$(hostlinks)" "lo vm0" "host links"
	pc=$(with_prev "$c" "$out")
	cni vlan CHECK "$pc"
	o=$(cni vlan CHECK "$(with_prev "$(vconf '' "$V46" "$T/ipam" 1.0.0 43)" "$out")") && fail "CHECK passed with vlanId 43"
	expect_error 108 "$o" "VLAN id 42, the config's vlanId is 43"
	o=$(cni vlan CHECK "$(with_prev "$(vconf ',"mtu":1300' "$V46")" "$out")") && fail "CHECK passed with mtu 1300"
	expect_error 108 "$o" "MTU 1400, the config's mtu is 1300"
	del_removes vlan "$pc" vnet
}

test_vlan_id_zero_and_the_pair_in_use() {
	wire vm0
	out=$(cni vlan ADD "$(vconf '' "$V4" "$T/ipam" 1.0.0 0)")
	assert_eq "$(kind)" '{"kind":"vlan","id":0}' "link"
	ns2=$(mkns b)
	o=$(CID=two NETNS_PATH=/run/netns/$ns2 cni vlan ADD "$(vconf '' "$V4" "$T/ipam" 1.0.0 0)") &&
		fail "a second link for (vm0, 0) accepted"
	expect_error 101 "$o" "master vm0"
	assert_contains "$(jq -r .details <<<"$o")" "VLAN device already exists" "the kernel's reason"
	assert_eq "$(links "$ns2") $(ls "$T/ipam/vnet" | grep -c '^10\.')" "1 1" "links and reservations after the refusal"
	assert_eq "$(hostlinks)" "lo vm0" "host links"
}

test_mtu_link_in_container_dns() {
	wire vm0
	h ip link set vm0 mtu 3000
	cni vlan ADD "$(vconf)" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 3000
	cni vlan DEL "$(vconf)"
	rejects vlan "$(vconf ',"mtu":3001')" "mtu: 3001 is above the MTU of master vm0 (3000)"
	h ip link set vm0 netns "$NETNS"
	in_ns "$NETNS" ip link set vm0 up
	p42=$(peer_vlan 42 10.70.0.100/24)
	c=$(vconf ',"linkInContainer":true,"dns":{"nameservers":["10.70.0.53"],"domain":"v.example"}')
	out=$(IFNAME=net1 cni vlan ADD "$c")
	jq_eq "$out" '.dns | "\(.nameservers[0]) \(.domain)"' "10.70.0.53 v.example"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show net1)" '.[0] | "\(.link) \(.linkinfo.info_data.id)"' "vm0 42"
	in_ns "$NETNS" ping -c1 -W2 10.70.0.100 >/dev/null || fail "linkInContainer vlan 42 -> peer"
	IFNAME=net1 cni vlan CHECK "$(with_prev "$c" "$out")"
	IFNAME=net1 cni vlan DEL "$c"
	assert_eq "$(links "$NETNS")" 2 "container links (lo, vm0)"
}

test_del_without_the_netns_failed_adds_bad_input() {
	wire vm0
	del_paths vlan "$(vconf)" vnet
	# DEL needs no master (the reference's fails when the master is gone)
	h ip link del vm0
	cni vlan DEL "$(vconf)"
	wire vm0
	refused_route_undone vlan "$(vconf '' "$(bad_route 10.70.0.0/24)")" vnet
	rejects vlan "$(vconf | jq -c 'del(.master)')" "master: missing"
	rejects vlan "$(vconf | jq -c '.master = "nope0"')" 'master: no interface "nope0" in the host namespace'
	rejects vlan "$(vconf '' "$V4" "$T/ipam" 1.0.0 4095)" "vlanId"
	rejects vlan "$(vconf | jq -c 'del(.vlanId)')" "vlanId: missing"
	rejects vlan "$(vconf | jq -c 'del(.ipam)')" "ipam"
	assert_eq "$(hostlinks)" "lo vm0" "host links"
	assert_eq "$(links "$NETNS")" 1 "container links"
	cni vlan STATUS "$(vconf '' "$V4" "$T/ipam" 1.1.0)"
}

test_same_results_and_kernel_state_as_the_reference() {
	[ -x "$REF_BIN/vlan" ] || fail "no reference vlan in $REF_BIN"
	wire vm0
	ns2=$(mkns r)
	norm='del(.interfaces[]?.mac, .interfaces[]?.sandbox)'
	id=100
	for v in 0.2.0 1.0.0; do
		# each its own VLAN id: one link per (master, id)
		a=$(cni vlan ADD "$(vconf ',"mtu":1400,"dns":{"nameservers":["1.1.1.1"]}' "$V4" "$T/a$v" "$v" $id)")
		b=$(NETNS_PATH=/run/netns/$ns2 ref vlan ADD "$(vconf ',"mtu":1400,"dns":{"nameservers":["1.1.1.1"]}' "$V4" "$T/b$v" "$v" $((id + 1)))")
		assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result $v"
		assert_eq "$(kind eth0 "$NETNS" | sed "s/$id/ID/")" "$(kind eth0 "$ns2" | sed "s/$((id + 1))/ID/")" "link $v"
		assert_eq "$(addrs eth0 "$NETNS")" "$(addrs eth0 "$ns2")" "addresses $v"
		assert_eq "$(routes "$NETNS")" "$(routes "$ns2")" "routes $v"
		if [ "$v" = 1.0.0 ]; then
			c=$(vconf ',"mtu":1400' "$V4" "$T/b$v" "$v" $((id + 1)))
			NETNS_PATH=/run/netns/$ns2 cni vlan CHECK "$(with_prev "$c" "$b")"
			NETNS_PATH=/run/netns/$ns2 ref vlan CHECK "$(with_prev "$c" "$b")"
		fi
		cni vlan DEL "$(vconf '' "$V4" "$T/a$v" "$v" $id)"
		NETNS_PATH=/run/netns/$ns2 ref vlan DEL "$(vconf '' "$V4" "$T/b$v" "$v" $((id + 1)))"
		id=$((id + 2))
	done
}

run_tests
