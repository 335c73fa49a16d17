#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ptp (+ host-local): kernel state, exact result, traffic through the host,
# ipMasq, CHECK, DEL paths, failed ADDs, bad keys, the reference's shape.
. "$(dirname "$0")/lib.sh"

# pconf [EXTRA-KEYS] [IPAM-BODY] [DATADIR]
pconf() {
	local ipam=${2:-',"ranges":[[{"subnet":"10.77.5.0/24"}],[{"subnet":"fd00:77:5::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]'}
	printf '{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp"%s,"ipam":{"type":"host-local","dataDir":"%s"%s}}' \
		"${1:-}" "${3:-$T/ipam}" "$ipam"
}
h() { in_host "$@"; }

test_gc_removes_what_invalid_attachments_left_and_keeps_the_valid() {
	nb=$(mkns gb)
	gc() { pconf ',"ipMasq":true' | jq -c '. + {"cniVersion":"1.1.0","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}'; }
	CID=keep cni ptp ADD "$(pconf ',"ipMasq":true')" >/dev/null
	CID=lost NETNS_PATH=/run/netns/$nb cni ptp ADD "$(pconf ',"ipMasq":true')" >/dev/null
	assert_eq "$(h ip -j link show type veth | jq -r '[.[].ifalias // empty] | sort | join(",")')" "ptpnet keep eth0,ptpnet lost eth0" "tagged host veths"
	cni ptp GC "$(gc)" >/dev/null
	assert_eq "$(h ip -j link show type veth | jq -r '[.[].ifalias // empty] | join(",")')" "ptpnet keep eth0" "host veths after GC"
	in_ns "$nb" ip link show eth0 >/dev/null 2>&1 && fail "lost's container link survived GC"
	jq_eq "$(h nft -j list table inet ccni_masq)" '[.nftables[] | (.map // .set) | select(.) | .elem[]? | (if type == "array" then .[0] else . end) | .elem.comment] | unique | join(",")' "ptpnet keep eth0"
	assert_eq "$(grep -l keep "$T"/ipam/ptpnet/10.* "$T"/ipam/ptpnet/fd00* | wc -l) $(ls "$T/ipam/ptpnet" | grep -c '^10\.\|^fd00')" "2 2" "reservations: keep's two only"
	# the host route of the lost address went with its veth
	assert_eq "$(h ip route show 10.77.5.3)" "" "host route of the lost address"
	in_ns "$NETNS" ping -c1 -W2 10.77.5.1 >/dev/null || fail "keep lost its network"
}

test_add_kernel_state_result_and_traffic() {
	ns2=$(mkns b)
	out=$(cni ptp ADD "$(pconf ',"mtu":1400,"dns":{"nameservers":["10.77.5.53"]}')")
	veth=$(jq -r '.interfaces[0].name' <<<"$out")
	assert_match "$veth" '^veth[0-9a-f]{8}$' "host veth name"
	jq_eq "$out" '.interfaces | length' 2
	jq_eq "$out" '.interfaces[0] | has("sandbox")' false
	jq_eq "$out" '.interfaces[1] | "\(.name) \(.sandbox)"' "eth0 $NETNS_PATH"
	jq_eq "$out" '.interfaces[1].mac' "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)"
	jq_eq "$out" '.interfaces[0].mac' "$(h cat /sys/class/net/$veth/address)"
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' \
		"1 10.77.5.2/24 10.77.5.1,1 fd00:77:5::2/64 fd00:77:5::1"
	jq_eq "$out" '.routes | map(.dst) | join(",")' "0.0.0.0/0,::/0"
	jq_eq "$out" '.dns.nameservers | join(",")' 10.77.5.53
	# host side
	jq_eq "$(h ip -j addr show "$veth")" '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"] | join(",")' \
		"10.77.5.1/32,fd00:77:5::1/128"
	jq_eq "$(h ip -j link show "$veth")" '.[0].mtu' 1400
	jq_eq "$(h ip -j route show 10.77.5.2/32)" '.[0].dev' "$veth"
	jq_eq "$(h ip -j -6 route show fd00:77:5::2/128)" '.[0].dev' "$veth"
	assert_eq "$(h sysctl -n net.ipv4.ip_forward)" 1 "ip_forward"
	assert_eq "$(h sysctl -n net.ipv6.conf.all.forwarding)" 1 "ipv6 forwarding"
	# container side
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 1400
	jq_eq "$(in_ns "$NETNS" ip -j addr show eth0)" '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"] | join(",")' \
		"10.77.5.2/24,fd00:77:5::2/64"
	jq_eq "$(in_ns "$NETNS" ip -j route show)" 'map("\(.dst) \(.gateway // "-") \(.scope // "-") \(.prefsrc // "-")") | sort | join(",")' \
		"10.77.5.0/24 10.77.5.1 - 10.77.5.2,10.77.5.1 - link 10.77.5.2,default 10.77.5.1 - -"
	jq_eq "$(in_ns "$NETNS" ip -j -6 route show)" '[.[] | select(.dst != "fe80::/64") | "\(.dst) \(.gateway // "-")"] | sort | join(",")' \
		"default fd00:77:5::1,fd00:77:5::/64 fd00:77:5::1,fd00:77:5::1 -"
	# a second namespace, traffic host <-> ns and ns <-> ns through the host
	out2=$(CID=second NETNS_PATH=/run/netns/$ns2 cni ptp ADD "$(pconf)")
	jq_eq "$out2" '.ips[0].address' 10.77.5.3/24
	h ping -c1 -W2 10.77.5.2 >/dev/null || fail "host -> ns v4"
	in_ns "$NETNS" ping -c1 -W2 10.77.5.1 >/dev/null || fail "ns -> gateway"
	in_ns "$NETNS" ping -c1 -W2 10.77.5.3 >/dev/null || fail "ns1 -> ns2 v4"
	in_ns "$ns2" ping -c1 -W2 10.77.5.2 >/dev/null || fail "ns2 -> ns1 v4"
	in_ns "$NETNS" ping -6 -c1 -W3 fd00:77:5::3 >/dev/null || fail "ns1 -> ns2 v6"
	h ping -6 -c1 -W3 fd00:77:5::2 >/dev/null || fail "host -> ns v6"
	# CHECK passes, then fails once a route is gone
	c=$(pconf)
	pc=$(jq -c --argjson p "$out" '. + {prevResult: $p}' <<<"$c")
	cni ptp CHECK "$pc"
	in_ns "$NETNS" ip route del default
	o=$(cni ptp CHECK "$pc") && fail "CHECK passed without the default route"
	expect_error 108 "$o" "0.0.0.0/0"
	# DEL twice removes everything
	cni ptp DEL "$pc"
	cni ptp DEL "$pc"
	h ip link show "$veth" >/dev/null 2>&1 && fail "host veth left"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	assert_eq "$(h ip route show 10.77.5.2/32)" "" "host route left"
	assert_eq "$(ls "$T/ipam/ptpnet" | grep -c '^10\.77\.5\.2$\|^fd00:77:5::2$')" 0 "reservations left"
	in_ns "$ns2" ping -c1 -W2 10.77.5.1 >/dev/null || fail "ns2 lost its gateway"
}

test_ipmasq_nftables_and_iptables() {
	c=$(pconf ',"ipMasq":true')
	out=$(cni ptp ADD "$c")
	s=$(h nft list map inet ccni_masq src4)
	assert_contains "$s" "10.77.5.2 comment \"ptpnet $CID eth0\" : jump m4_24" "masq map"
	pc=$(jq -c --argjson p "$out" '. + {prevResult: $p}' <<<"$c")
	cni ptp DEL "$pc"
	assert_not_contains "$(h nft list map inet ccni_masq src4)" "10.77.5.2" "masq map after DEL"
	assert_not_contains "$(h nft list set inet ccni_masq m4_24)" "10.77.5.2" "masq set after DEL"
	command -v iptables-save >/dev/null || skip "no iptables"
	c=$(pconf ',"ipMasq":true,"ipMasqBackend":"iptables"')
	cni ptp ADD "$c" >/dev/null
	assert_contains "$(h iptables-save -t nat)" "-A POSTROUTING -s 10.77.5." "iptables masq"
	cni ptp DEL "$c"
	assert_not_contains "$(h iptables-save -t nat)" "10.77.5." "iptables masq after DEL"
}

# DEL returns once the host end and its routes are gone (the kernel's
# freeing goes on in a detached process): an ADD right after it that gets
# the same address has its own host route and traffic.
test_readd_of_the_same_address_right_after_del() {
	c=$(pconf '' ',"ranges":[[{"subnet":"10.77.8.0/24","rangeStart":"10.77.8.2","rangeEnd":"10.77.8.2"}]]')
	ns2=$(mkns d)
	out=$(cni ptp ADD "$c")
	v1=$(jq -r '.interfaces[0].name' <<<"$out")
	cni ptp DEL "$c"
	h ip link show "$v1" >/dev/null 2>&1 && fail "host veth $v1 still listed after DEL"
	out2=$(CID=again NETNS_PATH=/run/netns/$ns2 cni ptp ADD "$c")
	v2=$(jq -r '.interfaces[0].name' <<<"$out2")
	jq_eq "$out2" '.ips[0].address' 10.77.8.2/24
	jq_eq "$(h ip -j route show 10.77.8.2/32)" 'map(.dev) | join(",")' "$v2"
	h ping -c1 -W2 10.77.8.2 >/dev/null || fail "host -> re-added namespace"
	CID=again NETNS_PATH=/run/netns/$ns2 cni ptp DEL "$c"
}

test_del_with_netns_gone() {
	cni ptp ADD "$(pconf)" >/dev/null
	ip netns del "$NETNS"
	cni ptp DEL "$(pconf)"
	assert_eq "$(ls "$T/ipam/ptpnet" | grep -c '^10\.\|:')" 0 "reservations left"
	NETNS_PATH="" cni ptp DEL "$(pconf)"
}

test_failed_add_leaves_nothing() {
	before=$(h ip -o link | wc -l)
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	o=$(cni ptp ADD "$(pconf)") && fail "ADD over an existing eth0 passed"
	expect_error 4 "$o" "CNI_IFNAME"
	# IPAM without a gateway: undone after the reservation
	o=$(cni ptp ADD "$(pconf '' ',"subnet":"10.77.6.0/24","gateway":""')" IFNAME=eth1) || true
	assert_eq "$(h ip -o link | wc -l)" "$before" "host links"
	assert_eq "$(ls "$T/ipam/ptpnet" 2>/dev/null | grep -c '^10\.')" 0 "reservations left"
}

test_bad_inputs() {
	o=$(cni ptp ADD "$(pconf ',"mtu":10')") && fail "mtu 10 accepted"
	expect_error 7 "$o" "mtu"
	o=$(cni ptp ADD "$(pconf ',"mtu":"x"')") && fail "mtu string accepted"
	expect_error 7 "$o" "mtu"
	o=$(cni ptp ADD "$(pconf ',"ipMasqBackend":"junk"')") && fail "backend junk accepted"
	expect_error 7 "$o" "ipMasqBackend"
	o=$(cni ptp ADD "$(pconf ',"ipMasq":"yes"')") && fail "ipMasq string accepted"
	expect_error 7 "$o" "ipMasq"
	o=$(cni ptp ADD '{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp"}') && fail "no ipam accepted"
	expect_error 7 "$o" "ipam"
	assert_eq "$(h ip -o link | wc -l)" 1 "host links"
}

test_same_results_as_the_reference() {
	[ -x "$REF_BIN/ptp" ] || skip "no reference ptp"
	ns2=$(mkns r)
	a=$(cni ptp ADD "$(pconf ',"dns":{"nameservers":["1.1.1.1"]}' '' "$T/a")")
	b=$(NETNS_PATH=/run/netns/$ns2 ref ptp ADD "$(pconf ',"dns":{"nameservers":["1.1.1.1"]}' '' "$T/b")")
	norm='del(.interfaces[].mac) | .interfaces[0].name |= "V" | .interfaces[1].sandbox |= "S"'
	assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result"
	rt() { in_ns "$1" ip -j route show | jq -c 'map("\(.dst) \(.gateway // "-") \(.scope // "-") \(.prefsrc // "-")") | sort'; }
	assert_eq "$(rt "$NETNS")" "$(rt "$ns2" | sed 's/10.77.5.2/10.77.5.2/g')" "container routes"
	cni ptp DEL "$(pconf '' '' "$T/a")"
	NETNS_PATH=/run/netns/$ns2 ref ptp DEL "$(pconf '' '' "$T/b")"
}

run_tests
