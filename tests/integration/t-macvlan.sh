#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# macvlan (+ host-local): kernel state, exact results beside the reference in
# every spec version, traffic between containers and to a peer on the
# master's wire, every mode and key, the ARP/NDP announcements, CHECK, DEL
# paths, failed ADDs, bad input.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/links.sh"

V4=',"ranges":[[{"subnet":"10.66.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]'
V46=',"ranges":[[{"subnet":"10.66.0.0/24"}],[{"subnet":"fd00:66::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]'

# mvconf [EXTRA-KEYS] [IPAM-BODY] [DATADIR] [VERSION]: macvlan on mvm0.
mvconf() {
	printf '{"cniVersion":"%s","name":"mvnet","type":"macvlan","master":"mvm0"%s,"ipam":{"type":"host-local","dataDir":"%s"%s}}' \
		"${4:-1.0.0}" "${1:-}" "${3:-$T/ipam}" "${2-$V4}"
}
# the master mvm0 in the host namespace, its wire's other end in $PEER
# (10.66.0.100, fd00:66::100)
master() { wire mvm0 10.66.0.100/24 fd00:66::100/64; }

test_add_kernel_state_exact_result_check_del() {
	master
	c=$(mvconf ',"dns":{"nameservers":["10.66.0.53"],"search":["x.example"]}' "$V46")
	out=$(cni macvlan ADD "$c")
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	assert_result "$out" "$mac" '{
		ips:[{interface:0,address:"10.66.0.2/24",gateway:"10.66.0.1"},{interface:0,address:"fd00:66::2/64",gateway:"fd00:66::1"}],
		routes:[{dst:"0.0.0.0/0"},{dst:"::/0"}],
		dns:{nameservers:["10.66.0.53"],search:["x.example"]}}'
	assert_eq "$(kind)" '{"kind":"macvlan","mode":"bridge"}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0] | "\(.link_index) \(.operstate) \(.mtu)"' \
		"$(h cat /sys/class/net/mvm0/ifindex) UP 1500"
	# addresses settled (DAD done) before ADD returned, as the reference
	assert_eq "$(addrs)" "10.66.0.2/24,fd00:66::2/64" "addresses"
	assert_eq "$(routes)" '["10.66.0.0/24 - eth0","default 10.66.0.1 eth0"]' "v4 routes"
	jq_eq "$(in_ns "$NETNS" ip -j -6 route show default)" '.[0].gateway' fd00:66::1
	assert_eq "$(in_ns "$NETNS" sysctl -n net.ipv4.conf.eth0.arp_notify net.ipv6.conf.eth0.ndisc_notify net.ipv6.conf.eth0.keep_addr_on_down | tr '\n' ' ')" "1 1 1 " "sysctls"
	# nothing left in the host namespace but the master
	assert_eq "$(hostlinks)" "lo mvm0" "host links"
	pc=$(with_prev "$c" "$out")
	cni macvlan CHECK "$pc"
	in_ns "$NETNS" ip route del default
	o=$(cni macvlan CHECK "$pc") && fail "CHECK passed without the default route"
	expect_error 108 "$o" "0.0.0.0/0"
	del_removes macvlan "$pc" mvnet
}

test_two_containers_in_bridge_mode_and_the_peer_reach_each_other() {
	master
	ns2=$(mkns b)
	cni macvlan ADD "$(mvconf '' "$V46")" >/dev/null
	out2=$(CID=two NETNS_PATH=/run/netns/$ns2 cni macvlan ADD "$(mvconf '' "$V46")")
	jq_eq "$out2" '.ips[0].address' 10.66.0.3/24
	in_ns "$NETNS" ping -c1 -W2 10.66.0.3 >/dev/null || fail "v4 container 1 -> 2"
	in_ns "$ns2" ping -c1 -W2 10.66.0.2 >/dev/null || fail "v4 container 2 -> 1"
	in_ns "$NETNS" ping -6 -c1 -W2 fd00:66::3 >/dev/null || fail "v6 container 1 -> 2"
	in_ns "$NETNS" ping -c1 -W2 10.66.0.100 >/dev/null || fail "v4 container -> peer on the wire"
	in_ns "$PEER" ping -6 -c1 -W2 fd00:66::3 >/dev/null || fail "v6 peer -> container 2"
}

# Gratuitous ARP and unsolicited NA (arp_notify, ndisc_notify): a peer's
# stale neighbour entry for the container's address learns its MAC.
test_arp_and_ndp_announcements_reach_the_peer() {
	master
	in_ns "$PEER" ip neigh add 10.66.0.2 lladdr 02:00:00:00:00:99 dev mvm0p nud stale
	in_ns "$PEER" ip neigh add fd00:66::2 lladdr 02:00:00:00:00:99 dev mvm0p nud stale
	out=$(cni macvlan ADD "$(mvconf '' "$V46")")
	mac=$(jq -r '.interfaces[0].mac' <<<"$out")
	lladdr() { [ "$(in_ns "$PEER" ip -j neigh show "$1" dev mvm0p | jq -r '.[0].lladdr')" = "$mac" ]; }
	eventually lladdr 10.66.0.2 || fail "the peer did not learn 10.66.0.2 is at $mac"
	eventually lladdr fd00:66::2 || fail "the peer did not learn fd00:66::2 is at $mac"
}

test_every_mode() {
	master
	for mode in bridge private vepa passthru; do
		c=$(mvconf ",\"mode\":\"$mode\"")
		out=$(cni macvlan ADD "$c")
		assert_eq "$(kind)" "{\"kind\":\"macvlan\",\"mode\":\"$mode\"}" "mode $mode"
		cni macvlan CHECK "$(with_prev "$c" "$out")"
		other=bridge
		[ $mode = bridge ] && other=vepa
		o=$(cni macvlan CHECK "$(with_prev "$(mvconf ",\"mode\":\"$other\"")" "$out")") &&
			fail "CHECK passed with mode $other on a $mode link"
		expect_error 108 "$o" "mode $mode, the config's mode is $other"
		cni macvlan DEL "$c"
	done
	# private: two containers on one master do not reach each other
	ns2=$(mkns b)
	cni macvlan ADD "$(mvconf ',"mode":"private"')" >/dev/null
	CID=two NETNS_PATH=/run/netns/$ns2 cni macvlan ADD "$(mvconf ',"mode":"private"')" >/dev/null
	in_ns "$NETNS" ping -c1 -W1 10.66.0.100 >/dev/null || fail "private container -> peer"
	in_ns "$NETNS" ping -c1 -W1 10.66.0.3 >/dev/null && fail "private containers reached each other"
	# passthru takes the master alone: a second one is the kernel's refusal
	ns3=$(mkns c)
	CID=three NETNS_PATH=/run/netns/$ns3 cni macvlan ADD "$(mvconf ',"mode":"passthru"' "$V4" "$T/ipam3")" >/dev/null &&
		fail "passthru beside other macvlans accepted"
	assert_eq "$(in_ns "$ns3" ip -o link | wc -l)" 1 "links left in the refused container"
	assert_eq "$(ls "$T/ipam3/mvnet" 2>/dev/null | grep -c '^10\.')" 0 "reservation left by the refused ADD"
}

test_mtu() {
	master
	h ip link set mvm0 mtu 9000
	out=$(cni macvlan ADD "$(mvconf ',"mtu":1400')")
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 1400
	cni macvlan DEL "$(mvconf ',"mtu":1400')"
	cni macvlan ADD "$(mvconf ',"mtu":9000')" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 9000
	cni macvlan DEL "$(mvconf)"
	cni macvlan ADD "$(mvconf ',"mtu":0')" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 9000
	cni macvlan DEL "$(mvconf)"
	rejects macvlan "$(mvconf ',"mtu":9001')" "mtu: 9001 is above the MTU of master mvm0 (9000)"
	rejects macvlan "$(mvconf ',"mtu":-1')" "mtu"
	assert_eq "$(in_ns "$NETNS" ip -o link | wc -l)" 1 "container links"
}

test_mac_from_config_cni_args_and_runtime_config() {
	master
	cni macvlan ADD "$(mvconf ',"mac":"02:11:22:33:44:01"')" >/dev/null
	assert_eq "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)" 02:11:22:33:44:01 "mac key"
	cni macvlan DEL "$(mvconf)"
	out=$(CNI_ARGS_T="IgnoreUnknown=1;MAC=02:11:22:33:44:02" cni macvlan ADD "$(mvconf ',"mac":"02:11:22:33:44:01"')")
	assert_eq "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)" 02:11:22:33:44:02 "CNI_ARGS MAC over the key"
	jq_eq "$out" '.interfaces[0].mac' 02:11:22:33:44:02
	cni macvlan DEL "$(mvconf)"
	CNI_ARGS_T="IgnoreUnknown=1;MAC=02:11:22:33:44:02" cni macvlan ADD "$(mvconf ',"runtimeConfig":{"mac":"02:11:22:33:44:03"}')" >/dev/null
	assert_eq "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)" 02:11:22:33:44:03 "runtimeConfig.mac over CNI_ARGS"
	cni macvlan DEL "$(mvconf)"
	rejects macvlan "$(mvconf ',"runtimeConfig":{"mac":"02:zz"}')" 'runtimeConfig.mac: invalid MAC address "02:zz"'
	o=$(CNI_ARGS_T="IgnoreUnknown=1;MAC=nope" cni macvlan ADD "$(mvconf)") && fail "bad CNI_ARGS MAC accepted"
	expect_error 7 "$o" 'CNI_ARGS MAC: invalid MAC address "nope"'
	o=$(CNI_ARGS_T="FOO=1" cni macvlan ADD "$(mvconf)") && fail "unknown CNI_ARGS accepted"
	expect_error 2 "$o" "FOO"
}

test_master_defaults_to_the_default_route_interface() {
	master
	c=$(mvconf '' "$V4" | jq -c 'del(.master)')
	rejects macvlan "$c" "master: not given, and the host namespace has no default route"
	h ip addr add 10.67.0.1/24 dev mvm0
	h ip route add default via 10.67.0.254
	out=$(cni macvlan ADD "$c")
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0].link_index' "$(h cat /sys/class/net/mvm0/ifindex)"
	cni macvlan CHECK "$(with_prev "$c" "$out")"
	cni macvlan DEL "$c"
	# an IPv6 default route only
	h ip route del default
	h ip addr add fd00:67::1/64 dev mvm0 nodad
	h ip -6 route add default via fd00:67::fe
	cni macvlan ADD "$c" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0].link_index' "$(h cat /sys/class/net/mvm0/ifindex)"
}

# The kernel looks a new link's name up in the namespace that asks for it:
# a master named eth0 and CNI_IFNAME eth0 (Kubernetes' usual case).
test_master_with_the_container_ifname() {
	master
	h ip link set mvm0 down
	h ip link set mvm0 name eth0
	h ip link set eth0 up
	c=$(mvconf | jq -c '.master = "eth0"')
	out=$(cni macvlan ADD "$c")
	jq_eq "$out" '.interfaces[0].name' eth0
	assert_eq "$(kind)" '{"kind":"macvlan","mode":"bridge"}' "link"
	assert_eq "$(hostlinks)" "eth0 lo" "host links"
	in_ns "$NETNS" ping -c1 -W2 10.66.0.100 >/dev/null || fail "container -> peer"
}

test_link_in_container() {
	master
	h ip link set mvm0 netns "$NETNS"
	in_ns "$NETNS" ip link set mvm0 up
	c=$(mvconf ',"linkInContainer":true')
	out=$(IFNAME=net1 cni macvlan ADD "$c")
	jq_eq "$out" '.interfaces[0] | "\(.name) \(.sandbox)"' "net1 $NETNS_PATH"
	assert_eq "$(kind net1)" '{"kind":"macvlan","mode":"bridge"}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show net1)" '.[0].link' mvm0
	in_ns "$NETNS" ping -c1 -W2 10.66.0.100 >/dev/null || fail "container -> peer"
	IFNAME=net1 cni macvlan CHECK "$(with_prev "$c" "$out")"
	o=$(IFNAME=net1 cni macvlan CHECK "$(with_prev "$(mvconf ',"linkInContainer":false')" "$out")") &&
		fail "CHECK found the master in the host namespace"
	expect_error 108 "$o" 'master: no interface "mvm0" in the host namespace'
	IFNAME=net1 cni macvlan DEL "$c"
	in_ns "$NETNS" ip link show net1 >/dev/null 2>&1 && fail "net1 left"
	o=$(IFNAME=net1 cni macvlan ADD "$(mvconf)") && fail "master found in the host namespace"
	expect_error 7 "$o" 'master: no interface "mvm0" in the host namespace'
}

test_empty_ipam_is_an_interface_without_addresses() {
	master
	c='{"cniVersion":"1.0.0","name":"mvnet","type":"macvlan","master":"mvm0","ipam":{}}'
	out=$(cni macvlan ADD "$c")
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	assert_result "$out" "$mac" '{dns:{}}'
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].flags | index("UP") != null' true
	assert_eq "$(addrs)" "" "addresses"
	cni macvlan CHECK "$(with_prev "$c" "$out")"
	cni macvlan DEL "$c"
	cni macvlan STATUS "$(jq -c '.cniVersion = "1.1.0"' <<<"$c")"
}

test_bcqueuelen() {
	master
	cni macvlan ADD "$(mvconf ',"bcqueuelen":4321')" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0].linkinfo.info_data.bcqueuelen' 4321
	rejects macvlan "$(mvconf ',"bcqueuelen":-5')" "bcqueuelen"
}

test_del_without_the_netns_and_repeated() {
	master
	del_paths macvlan "$(mvconf)" mvnet
	cni macvlan DEL "$(mvconf)"
}

test_failed_adds_leave_nothing() {
	master
	# IPAM refuses (its one address taken): the link goes
	c=$(mvconf '' ',"ranges":[[{"subnet":"10.66.0.0/24","rangeStart":"10.66.0.9","rangeEnd":"10.66.0.9"}]]')
	ns2=$(mkns b)
	CID=first NETNS_PATH=/run/netns/$ns2 cni macvlan ADD "$c" >/dev/null
	o=$(cni macvlan ADD "$c") && fail "ADD with the range exhausted passed"
	expect_error 103 "$o"
	assert_eq "$(in_ns "$NETNS" ip -o link | wc -l)" 1 "container links after IPAM refused"
	# a route the kernel refuses, after IPAM: the link and the reservation go
	refused_route_undone macvlan "$(mvconf '' "$(bad_route 10.66.0.0/24)" "$T/ipam/b")" b/mvnet
	# CNI_IFNAME taken
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	o=$(cni macvlan ADD "$(mvconf '' "$V4" "$T/c")") && fail "ADD over an existing eth0 passed"
	expect_error 4 "$o" "CNI_IFNAME"
	assert_eq "$(hostlinks)" "lo mvm0" "host links"
}

test_bad_input_names_the_key_and_value() {
	master
	rejects macvlan "$(mvconf | jq -c '.master = "nope0"')" 'master: no interface "nope0" in the host namespace'
	rejects macvlan "$(mvconf ',"mode":"bogus"')" 'mode: "bogus" is not one of bridge, private, vepa, passthru'
	rejects macvlan "$(mvconf ',"mode":5')" "mode"
	rejects macvlan "$(mvconf ',"linkInContainer":"yes"')" "linkInContainer"
	rejects macvlan "$(mvconf ',"mtu":"1500"')" "mtu"
	rejects macvlan "$(mvconf | jq -c '.master = "a/b"')" "master"
	rejects macvlan "$(mvconf | jq -c '.ipam = {"type": 7}')" "ipam"
	assert_eq "$(in_ns "$NETNS" ip -o link | wc -l)" 1 "container links"
	assert_eq "$(hostlinks)" "lo mvm0" "host links"
}

# macvlan leaves nothing in the host namespace: GC is IPAM's
test_gc_releases_the_reservations_of_attachments_not_valid() {
	master
	nb=$(mkns gb)
	CID=keep cni macvlan ADD "$(mvconf)" >/dev/null
	CID=lost NETNS_PATH=/run/netns/$nb cni macvlan ADD "$(mvconf)" >/dev/null
	cni macvlan GC "$(mvconf '' "$V4" "$T/ipam" 1.1.0 | jq -c '. + {"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}')"
	assert_eq "$(grep -l keep "$T"/ipam/mvnet/10.* | wc -l) $(ls "$T/ipam/mvnet" | grep -c '^10\.')" "1 1" "reservations: keep's only"
	assert_eq "$(hostlinks)" "lo mvm0" "host links"
}

test_status_asks_ipam() {
	master
	cni macvlan STATUS "$(mvconf '' "$V4" "$T/ipam" 1.1.0)"
	o=$(cni macvlan STATUS "$(mvconf '' "$V4" "$T/ipam" 1.1.0 | jq -c '.ipam.type = "no-such-ipam"')") &&
		fail "STATUS passed without its IPAM plugin"
	expect_error 102 "$o" "no-such-ipam"
}

# Field by field beside the reference in the same run, in every version it
# speaks, and kernel state; each CHECKs the other's attachment.
test_same_results_and_kernel_state_as_the_reference() {
	[ -x "$REF_BIN/macvlan" ] || fail "no reference macvlan in $REF_BIN"
	master
	ns2=$(mkns r)
	norm='del(.interfaces[]?.mac, .interfaces[]?.sandbox)'
	for v in 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0; do
		a=$(cni macvlan ADD "$(mvconf ',"mode":"vepa","mtu":1400,"dns":{"nameservers":["1.1.1.1"]}' "$V4" "$T/a$v" "$v")")
		b=$(NETNS_PATH=/run/netns/$ns2 ref macvlan ADD "$(mvconf ',"mode":"vepa","mtu":1400,"dns":{"nameservers":["1.1.1.1"]}' "$V4" "$T/b$v" "$v")")
		assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result $v"
		assert_eq "$(kind eth0 "$NETNS")" "$(kind eth0 "$ns2")" "link $v"
		assert_eq "$(addrs eth0 "$NETNS")" "$(addrs eth0 "$ns2")" "addresses $v"
		assert_eq "$(routes "$NETNS")" "$(routes "$ns2")" "routes $v"
		jq_eq "$(in_ns "$ns2" ip -j link show eth0)" '.[0].mtu' "$(in_ns "$NETNS" ip -j link show eth0 | jq '.[0].mtu')"
		if [ "$v" = 1.0.0 ] || [ "$v" = 0.4.0 ]; then
			c=$(mvconf ',"mode":"vepa"' "$V4" "$T/b$v" "$v")
			NETNS_PATH=/run/netns/$ns2 cni macvlan CHECK "$(with_prev "$c" "$b")"
			NETNS_PATH=/run/netns/$ns2 ref macvlan CHECK "$(with_prev "$c" "$b")"
			cni macvlan CHECK "$(with_prev "$(mvconf ',"mode":"vepa"' "$V4" "$T/a$v" "$v")" "$a")"
		fi
		cni macvlan DEL "$(mvconf '' "$V4" "$T/a$v" "$v")"
		NETNS_PATH=/run/netns/$ns2 ref macvlan DEL "$(mvconf '' "$V4" "$T/b$v" "$v")"
	done
	# both families, the routes and the settled addresses
	a=$(cni macvlan ADD "$(mvconf '' "$V46" "$T/a6")")
	b=$(NETNS_PATH=/run/netns/$ns2 ref macvlan ADD "$(mvconf '' "$V46" "$T/b6")")
	assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result v4+v6"
	# the reference 1.1.1 returns with the IPv6 address still tentative (its
	# settle wait was 10 ns); ccni waits for DAD as the newest reference does
	assert_eq "$(addrs eth0 "$NETNS")" "10.66.0.2/24,fd00:66::2/64" "addresses v4+v6"
	assert_eq "$(addrs eth0 "$ns2" | sed 's/ tentative//')" "10.66.0.2/24,fd00:66::2/64" "the reference's addresses"
	r6() { in_ns "$1" ip -j -6 route show | jq -c 'map("\(.dst) \(.gateway // "-")") | sort'; }
	assert_eq "$(r6 "$NETNS")" "$(r6 "$ns2")" "v6 routes"
	# ccni's 1.1.0 result is 1.0.0's with its version
	o=$(IFNAME=net2 cni macvlan ADD "$(mvconf '' "$V4" "$T/a11" 1.1.0)")
	jq_eq "$o" '.cniVersion + " " + (.interfaces | length | tostring) + " " + .ips[0].address' "1.1.0 1 10.66.0.2/24"
}

run_tests
