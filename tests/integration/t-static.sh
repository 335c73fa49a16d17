#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# static IPAM: results field by field against the reference's in the same
# run for every version and every address source, applied by ptp (kernel
# state and traffic, beside the reference ptp + static), applied by
# macvlan (the same, on a veth master), CHECK, DEL,
# STATUS, and a catalogue of bad input.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/links.sh"

# sconf VERSION [IPAM-BODY] [TOP-LEVEL-KEYS]: a ptp config with static IPAM.
sconf() {
	printf '{"cniVersion":"%s","name":"stnet","type":"ptp"%s,"ipam":{"type":"static"%s}}' "$1" "${3:-}" "${2-$DUAL}"
}
DUAL=',"addresses":[{"address":"10.66.0.2/24","gateway":"10.66.0.1"},{"address":"fd00:66:0:01ff::2/64","gateway":"fd00:66:0:01ff::1"}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.66.0.9"},{"dst":"fd00:67::/64"}],"dns":{"nameservers":["10.66.0.53"],"domain":"example.com","search":["example.com"],"options":["ndots:2"]}'
VERSIONS="0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0"
need_ref() { [ -x "$REF_BIN/static" ] || skip "no reference static at $REF_BIN"; }

# same_as_ref CONFIG [CNI_ARGS]: ADD of both prints the same JSON, key order
# included; echo it.
same_as_ref() {
	local ours theirs
	ours=$(CNI_ARGS_T=${2:-} cni static ADD "$1" | jq -c .)
	theirs=$(CNI_ARGS_T=${2:-} ref static ADD "$1" | jq -c .)
	assert_eq "$ours" "$theirs" "result of $(jq -r .cniVersion <<<"$1")"
	echo "$ours"
}

test_every_version_field_by_field_as_the_reference() {
	need_ref
	local v out
	for v in $VERSIONS; do
		out=$(same_as_ref "$(sconf "$v")")
		case $v in
		0.1.0 | 0.2.0)
			jq_eq "$out" '[.ip4.ip, .ip4.gateway, (.ip4.routes | map(.dst) | join(" ")), .ip6.ip, .ip6.gateway, (.ip6.routes | map(.dst) | join(" "))] | join(",")' \
				"10.66.0.2/24,10.66.0.1,0.0.0.0/0 192.168.0.0/16,fd00:66:0:1ff::2/64,fd00:66:0:1ff::1,fd00:67::/64" ;;
		0.3.* | 0.4.0)
			jq_eq "$out" '.ips | map("\(.version) \(.address) \(.gateway)") | join(",")' \
				"4 10.66.0.2/24 10.66.0.1,6 fd00:66:0:1ff::2/64 fd00:66:0:1ff::1" ;;
		1.0.0)
			jq_eq "$out" '.ips | map(has("version")) | any' false ;;
		esac
		jq_eq "$out" 'has("interfaces")' false
		jq_eq "$out" '.dns | "\(.nameservers) \(.domain) \(.search) \(.options)"' '["10.66.0.53"] example.com ["example.com"] ["ndots:2"]'
	done
	# 1.1.0, which the reference (1.1.1) does not speak: the same content
	out=$(cni static ADD "$(sconf 1.1.0)")
	jq_eq "$out" '[.cniVersion, (.ips | map("\(.address) \(.gateway)") | join(",")), (.routes | map("\(.dst) \(.gw)") | join(","))] | join(" ")' \
		"1.1.0 10.66.0.2/24 10.66.0.1,fd00:66:0:1ff::2/64 fd00:66:0:1ff::1 0.0.0.0/0 null,192.168.0.0/16 10.66.0.9,fd00:67::/64 null"
}

test_every_address_source_as_the_reference() {
	need_ref
	local out
	# CNI_ARGS IP= appended, GATEWAY= to those addresses only, spaces trimmed
	out=$(same_as_ref "$(sconf 1.0.0 ',"addresses":[{"address":"10.1.1.5/24"}]')" "IP= 10.1.1.1/24 , fd00::5/64;GATEWAY=10.2.2.1, 10.1.1.9")
	jq_eq "$out" '.ips | map("\(.address) \(.gateway)") | join(",")' "10.1.1.5/24 null,10.1.1.1/24 10.1.1.9,fd00::5/64 null"
	same_as_ref "$(sconf 1.0.0 "$DUAL")" "IgnoreUnknown=1;K8S_POD_NAME=p;IP=" >/dev/null
	# args.cni.ips replaces the config's addresses and CNI_ARGS', runtimeConfig.ips all of them
	out=$(same_as_ref "$(sconf 0.3.1 "$DUAL" ',"args":{"cni":{"ips":["10.3.3.3/24","fd00::3/64"]}}')" "IP=10.4.4.4/24")
	jq_eq "$out" '.ips | map("\(.version) \(.address) \(.gateway)") | join(",")' "4 10.3.3.3/24 null,6 fd00::3/64 null"
	out=$(same_as_ref "$(sconf 1.0.0 "$DUAL" ',"args":{"cni":{"ips":["10.3.3.3/24"]}},"runtimeConfig":{"ips":["10.2.2.2/24"]}')")
	jq_eq "$out" '.ips | map(.address) | join(",")' 10.2.2.2/24
	# IPv4-mapped addresses are IPv4; no addresses, an empty result
	out=$(same_as_ref "$(sconf 0.4.0 ',"addresses":[{"address":"::ffff:10.5.5.5/120","gateway":"::ffff:10.5.5.1"}]')")
	jq_eq "$out" '.ips[0] | "\(.version) \(.address) \(.gateway)"' "4 10.5.5.5/24 10.5.5.1"
	out=$(same_as_ref "$(sconf 1.0.0 '')")
	assert_eq "$out" '{"cniVersion":"1.0.0","dns":{}}' "empty"
}

# cstate NS: the container side, as ip shows it: eth0's addresses, routes.
cstate() {
	in_ns "$1" ip -j addr show eth0 | jq -r '[.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | join(",")'
	in_ns "$1" ip -j route show | jq -r 'map("\(.dst) \(.gateway // "-") \(.scope // "-")") | sort | join(",")'
	in_ns "$1" ip -j -6 route show | jq -r '[.[] | select(.dst != "fe80::/64") | "\(.dst) \(.gateway // "-")"] | sort | join(",")'
}

test_ptp_applies_the_addresses_and_routes_as_the_reference_ptp() {
	local c out ns2 rout
	# (ptp's container reaches only the gateway on its link: every route goes through it)
	c=$(sconf 1.0.0 "$(sed 's/"gw":"10.66.0.9"/"gw":"10.66.0.1"/' <<<"$DUAL")")
	out=$(cni ptp ADD "$c")
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' \
		"1 10.66.0.2/24 10.66.0.1,1 fd00:66:0:1ff::2/64 fd00:66:0:1ff::1"
	jq_eq "$out" '.dns.nameservers | join(",")' 10.66.0.53
	# routes without a gw go through the address's gateway
	assert_eq "$(cstate "$NETNS")" "10.66.0.2/24,fd00:66:0:1ff::2/64
10.66.0.0/24 10.66.0.1 -,10.66.0.1 - link,192.168.0.0/16 10.66.0.1 -,default 10.66.0.1 -
fd00:66:0:1ff::/64 fd00:66:0:1ff::1,fd00:66:0:1ff::1 -,fd00:67::/64 fd00:66:0:1ff::1" "container state"
	in_ns "$NETNS" ping -c1 -W2 10.66.0.1 >/dev/null || fail "container -> gateway (host side)"
	in_host ping -c1 -W2 10.66.0.2 >/dev/null || fail "host -> container"
	# the reference ptp with the reference static, in another host namespace:
	# the same container state
	[ -x "$REF_BIN/ptp" ] && [ -x "$REF_BIN/static" ] || return 0
	local h2
	h2=$(mkns r)
	ns2=$(mkns s)
	rout=$(HOSTNS=$h2 CID=ref NETNS_PATH=/run/netns/$ns2 ref ptp ADD "$c")
	assert_eq "$(jq -c 'del(.interfaces) | .ips |= map(del(.interface))' <<<"$rout")" \
		"$(jq -c 'del(.interfaces) | .ips |= map(del(.interface))' <<<"$out")" "result beside the reference's"
	assert_eq "$(cstate "$ns2")" "$(cstate "$NETNS")" "container state beside the reference's"
	cni ptp DEL "$c"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	HOSTNS=$h2 CID=ref NETNS_PATH=/run/netns/$ns2 ref ptp DEL "$c"
}

test_macvlan_applies_the_addresses_and_routes_as_the_reference_macvlan() {
	local c out ns2 h2 rout mac
	wire stm0 10.66.0.1/24 fd00:66:0:1ff::1/64
	c=$(sed 's/"type":"ptp"/"type":"macvlan","master":"stm0"/' <<<"$(sconf 1.0.0)")
	out=$(cni macvlan ADD "$c")
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	jq_eq "$out" '[.interfaces[0].name, .interfaces[0].mac, .interfaces[0].sandbox] | join(" ")' \
		"eth0 $mac /run/netns/$NETNS"
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' \
		"0 10.66.0.2/24 10.66.0.1,0 fd00:66:0:1ff::2/64 fd00:66:0:1ff::1"
	# macvlan's dns is its config's own (none here), as the reference's
	jq_eq "$out" '.dns // {} | length' 0
	assert_eq "$(kind)" '{"kind":"macvlan","mode":"bridge"}' "link"
	assert_eq "$(addrs)" "10.66.0.2/24,fd00:66:0:1ff::2/64" "addresses"
	# a route without gw goes through its family's gateway
	assert_eq "$(routes)" '["10.66.0.0/24 - eth0","192.168.0.0/16 10.66.0.9 eth0","default 10.66.0.1 eth0"]' "v4 routes"
	jq_eq "$(in_ns "$NETNS" ip -j -6 route show fd00:67::/64)" '.[0].gateway' fd00:66:0:1ff::1
	in_ns "$NETNS" ping -c1 -W2 10.66.0.1 >/dev/null || fail "container -> peer on the wire"
	in_ns "$PEER" ping -c1 -W2 10.66.0.2 >/dev/null || fail "peer -> container"
	if [ -x "$REF_BIN/macvlan" ] && [ -x "$REF_BIN/static" ]; then
		h2=$(mkns r)
		ns2=$(mkns s)
		ip netns exec "$h2" ip link add stm0 type veth peer name stm0q
		ip netns exec "$h2" ip link set stm0 up
		rout=$(HOSTNS=$h2 CID=ref NETNS_PATH=/run/netns/$ns2 ref macvlan ADD "$c")
		assert_eq "$(jq -c 'del(.interfaces) | .ips |= map(del(.interface))' <<<"$rout")" \
			"$(jq -c 'del(.interfaces) | .ips |= map(del(.interface))' <<<"$out")" "result beside the reference's"
		# (the reference returns before DAD is done: its IPv6 address may still be tentative)
		assert_eq "$(addrs eth0 "$ns2" | sed 's/ tentative//g')" "$(addrs)" "addresses beside the reference's"
		assert_eq "$(routes "$ns2")" "$(routes)" "routes beside the reference's"
		HOSTNS=$h2 CID=ref NETNS_PATH=/run/netns/$ns2 ref macvlan DEL "$c"
	fi
	cni macvlan DEL "$c"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	cni macvlan DEL "$c"
}

test_check_del_and_status() {
	local c prev good bad
	c=$(sconf 1.0.0 "$DUAL")
	prev=$(cni static ADD "$c")
	good=$(jq -c --argjson p "$prev" '.prevResult = $p' <<<"$c")
	cni static CHECK "$good"
	# a gateway other than the config's fails, here and in the reference
	bad=$(jq -c '.prevResult.ips[0].gateway = "10.66.0.99"' <<<"$good")
	out=$(cni static CHECK "$bad") && fail "CHECK passed a changed gateway"
	expect_error 108 "$out" "gateway 10.66.0.99 in prevResult, the config says 10.66.0.1"
	if [ -x "$REF_BIN/static" ]; then
		ref static CHECK "$good"
		ref static CHECK "$bad" >/dev/null 2>&1 && fail "the reference passed it"
	fi
	# an address prevResult lacks fails here (the reference passes it; the spec wants an error)
	out=$(cni static CHECK "$(jq -c '.prevResult.ips |= .[:1]' <<<"$good")") && fail "CHECK passed a missing address"
	expect_error 108 "$out" "fd00:66:0:1ff::2/64 on interface eth0 is not in prevResult"
	out=$(cni static CHECK "$c") && fail "CHECK without prevResult"
	expect_error 7 "$out" "prevResult"
	# nothing was reserved: DEL, repeated, and DEL of a config ADD refuses succeed
	cni static DEL "$c"
	cni static DEL "$c"
	cni static DEL "$(sconf 1.0.0 ',"addresses":[{"address":"zz"}]')"
	cni static DEL '{"cniVersion":"1.0.0","name":"stnet","type":"ptp"}'
	# STATUS and GC (1.1.0)
	cni static STATUS "$(sconf 1.1.0)"
	out=$(cni static STATUS "$(sconf 1.1.0 ',"addresses":[{"address":"10.66.0.2"}]')") && fail "STATUS passed a config ADD refuses"
	expect_error 7 "$out" '"10.66.0.2"'
	cni static GC "$(jq -c '.["cni.dev/valid-attachments"] = []' <<<"$(sconf 1.1.0)")"
}

test_bad_input_refused_naming_the_value() {
	local ipam extra args want out
	while IFS='|' read -r ipam extra args want; do
		out=$(CNI_ARGS_T=$args cni static ADD "$(sconf 1.0.0 "$ipam" "$extra")") && fail "accepted: $ipam $extra $args"
		expect_error 7 "$out" "$want"
		# the reference refuses all of these too but the last three
		case $want in *"not of the family"* | *"ipam: missing"*) continue ;; esac
		[ ! -x "$REF_BIN/static" ] || ! CNI_ARGS_T=$args ref static ADD "$(sconf 1.0.0 "$ipam" "$extra")" >/dev/null 2>&1 ||
			fail "the reference accepted: $ipam $extra $args"
	done <<'EOF'
,"addresses":[{"address":"10.66.0.2"}]|||ipam.addresses[0].address: "10.66.0.2" is not an address in CIDR notation
,"addresses":[{"address":"10.66.0.300/24"}]|||"10.66.0.300/24"
,"addresses":[{"address":"10.66.0.2/33"}]|||"10.66.0.2/33"
,"addresses":[{"address":"fd00::1/129"}]|||"fd00::1/129"
,"addresses":[{"address":"10.66.0.2/24","gateway":"10.66.0.x"}]|||ipam.addresses[0].gateway: "10.66.0.x" is not an IP address
,"addresses":[{"gateway":"10.66.0.1"}]|||ipam.addresses[0].address: missing
,"addresses":"10.66.0.2/24"|||ipam.addresses: expected an array
,"routes":[{"dst":"10.0.0.0/33"}]|||ipam.routes[0].dst: invalid CIDR "10.0.0.0/33"
,"routes":[{"dst":"10.0.0.0/8","gw":"10.1"}]|||ipam.routes[0].gw: invalid IP address "10.1"
,"dns":{"search":"example.com"}|||ipam.dns.search: expected an array
||IP=10.66.0.2|CNI_ARGS IP: "10.66.0.2" is not an address in CIDR notation
||IP=10.66.0.2/24;GATEWAY=10.66.0.256|CNI_ARGS GATEWAY: "10.66.0.256" is not an IP address
|,"args":{"cni":{"ips":["10.66.0.2/24","x"]}}||args.cni.ips[1]: "x" is not an address in CIDR notation
|,"runtimeConfig":{"ips":["10.66.0.2"]}||runtimeConfig.ips[0]: "10.66.0.2" is not an address in CIDR notation
,"addresses":[{"address":"10.66.0.2/24","gateway":"fd00::1"}]|||gateway fd00::1 is not of the family of the address "10.66.0.2/24"
,"routes":[{"dst":"10.0.0.0/8","gw":"fd00::1"}]|||ipam.routes[0].gw: fd00::1 is not of the family of dst 10.0.0.0/8
EOF
	out=$(cni static ADD '{"cniVersion":"1.0.0","name":"stnet","type":"ptp"}') && fail "accepted no ipam"
	expect_error 7 "$out" "ipam: missing"
	out=$(cni static ADD "$(sconf 0.2.0 ',"addresses":[{"address":"10.66.0.2/24"},{"address":"10.66.0.3/24"}]')") && fail "accepted two v4 in 0.2.0"
	expect_error 7 "$out" "CNI version 0.2.0 does not support more than one address per family"
	out=$(CNI_ARGS_T="IP=10.66.0.2/24;NOPE=1" cni static ADD "$(sconf 1.0.0 '')") && fail "accepted an unknown CNI_ARGS key"
	expect_error 2 "$out" "NOPE"
	# a failed ptp + static ADD leaves nothing behind
	out=$(cni ptp ADD "$(sconf 1.0.0 ',"addresses":[{"address":"10.66.0.2"}]')") && fail "ptp accepted it"
	expect_error 7 "$out" '"10.66.0.2"'
	assert_eq "$(in_host ip -o link show type veth | wc -l)" 0 "host veths left"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	true
}

run_tests
