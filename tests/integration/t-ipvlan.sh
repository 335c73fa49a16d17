#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ipvlan (+ host-local): kernel state, exact results beside the reference (0.2.0
# and 1.0.0), l2 and l3 traffic between containers, chained without
# ipam (prevResult's master and addresses), every mode and key, CHECK, DEL
# paths, failed ADDs, bad input. This machine's kernel may lack ipvlan: the
# file then runs in the user-mode Linux kernel (lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/links.sh"
T_NEEDS_KERNEL="ipvlan"

V4=',"ranges":[[{"subnet":"10.68.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]'
V46=',"ranges":[[{"subnet":"10.68.0.0/24"}],[{"subnet":"fd00:68::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]'

# ivconf [EXTRA-KEYS] [IPAM-BODY] [DATADIR] [VERSION]: ipvlan on ipm0.
ivconf() {
	printf '{"cniVersion":"%s","name":"ivnet","type":"ipvlan","master":"ipm0"%s,"ipam":{"type":"host-local","dataDir":"%s"%s}}' \
		"${4:-1.0.0}" "${1:-}" "${3:-$T/ipam}" "${2-$V4}"
}
# chained [VERSION] [MASTER] [ADDRESS]: ipvlan without master and ipam after a
# plugin whose result names MASTER (ipm0) and gives ADDRESS (10.68.0.9/24)
chained() {
	jq -cn --arg v "${1:-1.0.0}" --arg m "${2:-ipm0}" --arg a "${3:-10.68.0.9/24}" '{cniVersion:$v,name:"ivnet",type:"ipvlan",
		dns:{nameservers:["10.68.0.53"]},
		prevResult:{cniVersion:$v,interfaces:[{name:$m}],ips:[{address:$a,gateway:"10.68.0.1",interface:0}],
			routes:[{dst:"10.69.0.0/16"}],dns:{nameservers:["192.0.2.53"]}}}'
}
master() { wire ipm0 10.68.0.100/24 fd00:68::100/64; }

test_l2_kernel_state_exact_result_traffic_check_del() {
	master
	ns2=$(mkns b)
	c=$(ivconf ',"dns":{"nameservers":["10.68.0.53"]}' "$V46")
	out=$(cni ipvlan ADD "$c")
	mac=$(h cat /sys/class/net/ipm0/address)
	assert_result "$out" "$mac" '{
		ips:[{interface:0,address:"10.68.0.2/24",gateway:"10.68.0.1"},{interface:0,address:"fd00:68::2/64",gateway:"fd00:68::1"}],
		routes:[{dst:"0.0.0.0/0"},{dst:"::/0"}],dns:{nameservers:["10.68.0.53"]}}'
	assert_eq "$(kind)" '{"kind":"ipvlan","mode":"l2"}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0].link_index' "$(h cat /sys/class/net/ipm0/ifindex)"
	assert_eq "$(addrs)" "10.68.0.2/24,fd00:68::2/64" "addresses, settled"
	assert_eq "$(routes)" '["10.68.0.0/24 - eth0","default 10.68.0.1 eth0"]' "routes"
	assert_eq "$(in_ns "$NETNS" sysctl -n net.ipv4.conf.eth0.arp_notify net.ipv6.conf.eth0.ndisc_notify | tr '\n' ' ')" "1 1 " "sysctls"
	assert_eq "$(hostlinks)" "ipm0 lo" "host links"
	CID=two NETNS_PATH=/run/netns/$ns2 cni ipvlan ADD "$(ivconf '' "$V46")" >/dev/null
	in_ns "$NETNS" ping -c1 -W2 10.68.0.3 >/dev/null || fail "l2: container 1 -> 2"
	in_ns "$ns2" ping -c1 -W2 10.68.0.2 >/dev/null || fail "l2: container 2 -> 1"
	in_ns "$NETNS" ping -6 -c1 -W2 fd00:68::3 >/dev/null || fail "l2 v6: container 1 -> 2"
	in_ns "$NETNS" ping -c1 -W2 10.68.0.100 >/dev/null || fail "l2: container -> peer on the wire"
	pc=$(with_prev "$c" "$out")
	cni ipvlan CHECK "$pc"
	o=$(cni ipvlan CHECK "$(with_prev "$(ivconf ',"mode":"l3"' "$V46")" "$out")") && fail "CHECK passed with mode l3"
	expect_error 108 "$o" "ipvlan mode l2, the config's mode is l3"
	CID=two NETNS_PATH=/run/netns/$ns2 cni ipvlan DEL "$(ivconf '' "$V46")"
	del_removes ipvlan "$pc" ivnet
}

test_l3_traffic_between_two_containers() {
	master
	ns2=$(mkns b)
	c=$(ivconf ',"mode":"l3"')
	out=$(cni ipvlan ADD "$c")
	CID=two NETNS_PATH=/run/netns/$ns2 cni ipvlan ADD "$c" >/dev/null
	assert_eq "$(kind)" '{"kind":"ipvlan","mode":"l3"}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].flags | index("NOARP") != null' true
	in_ns "$NETNS" ping -c1 -W2 10.68.0.3 >/dev/null || fail "l3: container 1 -> 2"
	in_ns "$ns2" ping -c1 -W2 10.68.0.2 >/dev/null || fail "l3: container 2 -> 1"
	cni ipvlan CHECK "$(with_prev "$c" "$out")"
	cni ipvlan DEL "$c"
	CID=two NETNS_PATH=/run/netns/$ns2 cni ipvlan DEL "$c"
	# l3s: the kernel's mode, and traffic
	c=$(ivconf ',"mode":"l3s"' "$V4" "$T/l3s")
	out=$(cni ipvlan ADD "$c")
	CID=two NETNS_PATH=/run/netns/$ns2 cni ipvlan ADD "$c" >/dev/null
	assert_eq "$(kind)" '{"kind":"ipvlan","mode":"l3s"}' "link"
	in_ns "$NETNS" ping -c1 -W2 10.68.0.3 >/dev/null || fail "l3s: container 1 -> 2"
	cni ipvlan CHECK "$(with_prev "$c" "$out")"
}

# Chained: no master (prevResult's one interface is it) and no ipam
# (prevResult's addresses and routes go on the link), as the reference.
test_chained_without_ipam() {
	master
	ns2=$(mkns b)
	out=$(cni ipvlan ADD "$(chained)")
	mac=$(h cat /sys/class/net/ipm0/address)
	assert_result "$out" "$mac" '{
		ips:[{interface:0,address:"10.68.0.9/24",gateway:"10.68.0.1"}],
		routes:[{dst:"10.69.0.0/16"}],dns:{nameservers:["10.68.0.53"]}}'
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0].link_index' "$(h cat /sys/class/net/ipm0/ifindex)"
	assert_eq "$(addrs)" "10.68.0.9/24" "addresses"
	assert_eq "$(routes)" '["10.68.0.0/24 - eth0","10.69.0.0/16 10.68.0.1 eth0"]' "routes"
	in_ns "$NETNS" ping -c1 -W2 10.68.0.100 >/dev/null || fail "chained container -> peer"
	# CHECK with the result as prevResult: the link's lower device exists
	cni ipvlan CHECK "$(with_prev "$(chained | jq -c 'del(.prevResult)')" "$out")"
	# beside the reference, on a second master
	wire ipm1
	b=$(NETNS_PATH=/run/netns/$ns2 ref ipvlan ADD "$(chained 1.0.0 ipm1 10.68.0.8/24)")
	norm='del(.interfaces[].mac, .interfaces[].sandbox, .ips[].address)'
	assert_eq "$(jq -cS "$norm" <<<"$out")" "$(jq -cS "$norm" <<<"$b")" "result beside the reference"
	assert_eq "$(routes "$ns2")" "$(routes)" "routes beside the reference"
	cni ipvlan DEL "$(chained)"
	NETNS_PATH=/run/netns/$ns2 ref ipvlan DEL "$(chained 1.0.0 ipm1)"
	assert_eq "$(links "$NETNS") $(links "$ns2")" "1 1" "container links after DEL"
	# prevResult without one named interface, and no master
	rejects ipvlan "$(chained | jq -c '.prevResult.interfaces += [{"name":"x"}]')" "master: not given, and prevResult has 2 interfaces"
	# no ipam and no addresses to take
	rejects ipvlan "$(chained | jq -c '.prevResult.ips = []')" "ipam: missing"
	assert_eq "$(links "$NETNS")" 1 "container links"
}

test_mtu_and_link_in_container() {
	master
	h ip link set ipm0 mtu 4000
	cni ipvlan ADD "$(ivconf ',"mtu":1400')" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 1400
	cni ipvlan DEL "$(ivconf)"
	cni ipvlan ADD "$(ivconf)" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 4000
	cni ipvlan DEL "$(ivconf)"
	rejects ipvlan "$(ivconf ',"mtu":4001')" "mtu: 4001 is above the MTU of master ipm0 (4000)"
	h ip link set ipm0 netns "$NETNS"
	in_ns "$NETNS" ip link set ipm0 up
	c=$(ivconf ',"linkInContainer":true')
	out=$(IFNAME=net1 cni ipvlan ADD "$c")
	jq_eq "$out" '.interfaces[0] | "\(.name) \(.sandbox)"' "net1 $NETNS_PATH"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show net1)" '.[0].link' ipm0
	in_ns "$NETNS" ping -c1 -W2 10.68.0.100 >/dev/null || fail "linkInContainer -> peer"
	IFNAME=net1 cni ipvlan CHECK "$(with_prev "$c" "$out")"
	IFNAME=net1 cni ipvlan DEL "$c"
	assert_eq "$(links "$NETNS")" 2 "container links (lo, ipm0)"
}

test_master_defaults_to_the_default_route_interface() {
	master
	c=$(ivconf | jq -c 'del(.master)')
	rejects ipvlan "$c" "master: not given, and the host namespace has no default route"
	h ip addr add 10.67.0.1/24 dev ipm0
	h ip route add default via 10.67.0.254
	cni ipvlan ADD "$c" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0].link_index' "$(h cat /sys/class/net/ipm0/ifindex)"
}

test_del_without_the_netns_failed_adds_bad_input() {
	master
	del_paths ipvlan "$(ivconf)" ivnet
	refused_route_undone ipvlan "$(ivconf '' "$(bad_route 10.68.0.0/24)")" ivnet
	rejects ipvlan "$(ivconf ',"mode":"l4"')" 'mode: "l4" is not one of l2, l3, l3s'
	rejects ipvlan "$(ivconf | jq -c '.master = "nope0"')" 'master: no interface "nope0" in the host namespace'
	rejects ipvlan "$(ivconf ',"linkInContainer":"no"')" "linkInContainer"
	assert_eq "$(hostlinks)" "ipm0 lo" "host links"
	cni ipvlan STATUS "$(ivconf '' "$V4" "$T/ipam" 1.1.0)"
}

test_same_results_and_kernel_state_as_the_reference() {
	[ -x "$REF_BIN/ipvlan" ] || fail "no reference ipvlan in $REF_BIN"
	master
	ns2=$(mkns r)
	norm='del(.interfaces[]?.mac, .interfaces[]?.sandbox)'
	for v in 0.2.0 1.0.0; do
		# each on its own master: ipvlan refuses one address on two links of a master
		a=$(cni ipvlan ADD "$(ivconf ',"mode":"l3","mtu":1400,"dns":{"nameservers":["1.1.1.1"]}' "$V4" "$T/a$v" "$v")")
		wire ipm1
		b=$(NETNS_PATH=/run/netns/$ns2 ref ipvlan ADD "$(ivconf ',"mode":"l3","mtu":1400,"dns":{"nameservers":["1.1.1.1"]}' "$V4" "$T/b$v" "$v" | jq -c '.master = "ipm1"')")
		assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result $v"
		assert_eq "$(kind eth0 "$NETNS")" "$(kind eth0 "$ns2")" "link $v"
		assert_eq "$(addrs eth0 "$NETNS")" "$(addrs eth0 "$ns2")" "addresses $v"
		assert_eq "$(routes "$NETNS")" "$(routes "$ns2")" "routes $v"
		if [ "$v" = 1.0.0 ]; then
			c=$(ivconf ',"mode":"l3"' "$V4" "$T/b$v" "$v" | jq -c '.master = "ipm1"')
			NETNS_PATH=/run/netns/$ns2 cni ipvlan CHECK "$(with_prev "$c" "$b")"
			NETNS_PATH=/run/netns/$ns2 ref ipvlan CHECK "$(with_prev "$c" "$b")"
		fi
		cni ipvlan DEL "$(ivconf '' "$V4" "$T/a$v" "$v")"
		NETNS_PATH=/run/netns/$ns2 ref ipvlan DEL "$(ivconf '' "$V4" "$T/b$v" "$v" | jq -c '.master = "ipm1"')"
		h ip link del ipm1
	done
}

run_tests
