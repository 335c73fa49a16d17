#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dummy (+ host-local): the dummy link in the container with its addresses
# and routes, the exact result (dns IPAM's, as the reference), CHECK, DEL
# paths, failed ADDs, bad input. The reference 1.1.1 has no dummy plugin to
# compare with. This machine's kernel may lack dummy links: the file then
# runs in the user-mode Linux kernel (lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/links.sh"
T_NEEDS_KERNEL="dummy"

V46=',"ranges":[[{"subnet":"10.72.0.0/24"}],[{"subnet":"fd00:72::/64"}]],"routes":[{"dst":"10.73.0.0/16"}]'

# dconf [EXTRA-KEYS] [IPAM-BODY] [DATADIR] [VERSION]
dconf() {
	printf '{"cniVersion":"%s","name":"dnet","type":"dummy"%s,"ipam":{"type":"host-local","dataDir":"%s"%s}}' \
		"${4:-1.0.0}" "${1:-}" "${3:-$T/ipam}" "${2-$V46}"
}

test_the_link_with_its_addresses_exact_result_check_del() {
	printf 'nameserver 10.72.0.53\nsearch d.example\n' >"$T/resolv.conf"
	c=$(dconf ',"dns":{"nameservers":["192.0.2.1"]}' "$V46"',"resolvConf":"'"$T/resolv.conf"'"')
	out=$(cni dummy ADD "$c")
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	# dns is IPAM's (the config's "dns" is not read, as the reference)
	assert_result "$out" "$mac" '{
		ips:[{interface:0,address:"10.72.0.2/24",gateway:"10.72.0.1"},{interface:0,address:"fd00:72::2/64",gateway:"fd00:72::1"}],
		routes:[{dst:"10.73.0.0/16"}],dns:{nameservers:["10.72.0.53"],search:["d.example"]}}'
	assert_eq "$(kind)" '{"kind":"dummy"}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].flags | index("UP") != null' true
	assert_eq "$(addrs)" "10.72.0.2/24,fd00:72::2/64" "addresses, settled"
	assert_eq "$(routes)" '["10.72.0.0/24 - eth0","10.73.0.0/16 10.72.0.1 eth0"]' "routes"
	assert_eq "$(hostlinks)" "lo" "host links"
	# the addresses answer inside the container
	in_ns "$NETNS" ping -c1 -W2 10.72.0.2 >/dev/null || fail "ping the dummy's address"
	in_ns "$NETNS" ping -6 -c1 -W2 fd00:72::2 >/dev/null || fail "ping the dummy's IPv6 address"
	pc=$(with_prev "$c" "$out")
	cni dummy CHECK "$pc"
	in_ns "$NETNS" ip link set eth0 down
	o=$(cni dummy CHECK "$pc") && fail "CHECK passed with the link down"
	expect_error 108 "$o" "interface eth0: down"
	in_ns "$NETNS" ip link set eth0 up
	in_ns "$NETNS" ip addr del 10.72.0.2/24 dev eth0
	o=$(cni dummy CHECK "$pc") && fail "CHECK passed without the address"
	expect_error 108 "$o" "10.72.0.2"
	del_removes dummy "$pc" dnet
}

test_every_version() {
	for v in 0.2.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		ns=$(mkns v)
		out=$(NETNS_PATH=/run/netns/$ns cni dummy ADD "$(dconf '' ',"ranges":[[{"subnet":"10.72.0.0/24"}]]' "$T/$v" "$v")")
		jq_eq "$out" '.cniVersion' "$v"
		case $v in
		0.2.0) jq_eq "$out" '.ip4.ip' 10.72.0.2/24 ;;
		0.3.1) jq_eq "$out" '.ips[0] | "\(.version) \(.address) \(.interface)"' "4 10.72.0.2/24 0" ;;
		*) jq_eq "$out" '.ips[0] | "\(.address) \(.interface)"' "10.72.0.2/24 0" ;;
		esac
	done
}

test_del_without_the_netns_failed_adds_bad_input() {
	del_paths dummy "$(dconf)" dnet
	refused_route_undone dummy "$(dconf '' "$(bad_route 10.72.0.0/24)")" dnet
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	o=$(cni dummy ADD "$(dconf)") && fail "ADD over an existing eth0 passed"
	expect_error 4 "$o" "CNI_IFNAME"
	rejects dummy '{"cniVersion":"1.0.0","name":"dnet","type":"dummy"}' "ipam: missing"
	rejects dummy '{"cniVersion":"1.0.0","name":"dnet","type":"dummy","ipam":{}}' "ipam.type: missing"
	cni dummy STATUS "$(dconf '' "$V46" "$T/ipam" 1.1.0)"
}

run_tests
