#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bridge (+ host-local): kernel state, exact result fields, traffic, every
# key, DEL paths, failed ADDs, concurrency, the reference's result shape.
. "$(dirname "$0")/lib.sh"

# brconf [EXTRA-KEYS] [IPAM-BODY]: a bridge config on cbr0 with host-local.
brconf() {
	local ipam=${2-',"ranges":[[{"subnet":"10.88.7.0/24"}],[{"subnet":"fd00:88:7::/64"}]],"routes":[{"dst":"0.0.0.0/0"}]'}
	printf '{"cniVersion":"1.0.0","name":"brnet","type":"bridge","bridge":"cbr0"%s,"ipam":{"type":"host-local","dataDir":"%s"%s}}' \
		"${1:-}" "$T/ipam" "$ipam"
}
h() { in_host "$@"; }
link_json() { h ip -j -d link show "$1"; }

test_two_namespaces_reach_each_other_and_the_gateway() {
	ns2=$(mkns b)
	c=',"isGateway":true'
	out=$(cni bridge ADD "$(brconf "$c")")
	jq_eq "$out" '.interfaces | map(.name) | .[0]' cbr0
	jq_eq "$out" '.interfaces[1].name | test("^veth[0-9a-f]{8}$")' true
	jq_eq "$out" '.interfaces[2] | "\(.name) \(.sandbox)"' "eth0 $NETNS_PATH"
	jq_eq "$out" '.interfaces[0] | has("sandbox")' false
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' \
		"2 10.88.7.2/24 10.88.7.1,2 fd00:88:7::2/64 fd00:88:7::1"
	jq_eq "$out" '.interfaces[2].mac' "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)"
	jq_eq "$out" '.interfaces[0].mac' "$(h cat /sys/class/net/cbr0/address)"
	out2=$(CID=second NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf "$c")")
	jq_eq "$out2" '.ips[0].address' 10.88.7.3/24
	# kernel state
	jq_eq "$(link_json "$(jq -r '.interfaces[1].name' <<<"$out")")" '.[0].master' cbr0
	jq_eq "$(h ip -j addr show cbr0)" '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"] | join(",")' "10.88.7.1/24,fd00:88:7::1/64"
	jq_eq "$(in_ns "$NETNS" ip -j addr show eth0)" '[.[0].addr_info[] | select(.scope=="global") | .local] | join(",")' "10.88.7.2,fd00:88:7::2"
	jq_eq "$(in_ns "$NETNS" ip -j route show default)" '.[0].gateway' 10.88.7.1
	assert_eq "$(h sysctl -n net.ipv4.ip_forward)" 1 "ip_forward"
	# traffic, both families, both ways, and the gateway
	in_ns "$NETNS" ping -c1 -W2 10.88.7.3 >/dev/null || fail "v4 ns1 -> ns2"
	in_ns "$ns2" ping -c1 -W2 10.88.7.2 >/dev/null || fail "v4 ns2 -> ns1"
	in_ns "$NETNS" ping -c1 -W2 10.88.7.1 >/dev/null || fail "v4 -> gateway"
	in_ns "$NETNS" ping -6 -c1 -W3 fd00:88:7::3 >/dev/null || fail "v6 ns1 -> ns2"
	h ping -c1 -W2 10.88.7.2 >/dev/null || fail "host -> container"
	# no DAD stall: the v6 address is usable at once, never tentative
	jq_eq "$(in_ns "$NETNS" ip -j -6 addr show eth0)" '[.[0].addr_info[] | select(.tentative)] | length' 0
}

# Forwarding and the bridge's accept_ra are read through netlink and written
# only when off: an admin's change is undone by the next ADD, as the
# reference's writes do.
test_forwarding_and_accept_ra_are_put_back_when_turned_off() {
	c=',"isGateway":true'
	cni bridge ADD "$(brconf "$c")" >/dev/null
	assert_eq "$(h sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv6.conf.cbr0.accept_ra | tr '\n' ' ')" \
		"1 1 0 " "after the first ADD: ip_forward, IPv6 forwarding, cbr0 accept_ra"
	h sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 net.ipv6.conf.cbr0.accept_ra=2
	ns2=$(mkns b)
	CID=second NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf "$c")" >/dev/null
	assert_eq "$(h sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv6.conf.cbr0.accept_ra | tr '\n' ' ')" \
		"1 1 0 " "after an ADD with them turned off"
}

test_del_removes_everything_and_is_idempotent() {
	out=$(cni bridge ADD "$(brconf ',"isGateway":true,"ipMasq":true')")
	veth=$(jq -r '.interfaces[1].name' <<<"$out")
	cni bridge DEL "$(brconf ',"isGateway":true,"ipMasq":true')"
	h ip link show "$veth" >/dev/null 2>&1 && fail "host veth left"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	assert_eq "$(ls "$T/ipam/brnet" | grep -c '^10\.\|:')" 0 "reservations left"
	jq_eq "$(h nft -j list map inet ccni_masq src4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	jq_eq "$(h nft -j list set inet ccni_masq m4_24)" '[.nftables[] | select(.set) | .set.elem // [] | length] | add' 0
	cni bridge DEL "$(brconf ',"isGateway":true,"ipMasq":true')"
}

test_del_with_netns_gone_releases_ipam() {
	cni bridge ADD "$(brconf)" >/dev/null
	ip netns del "$NETNS"
	cni bridge DEL "$(brconf)"
	assert_eq "$(ls "$T/ipam/brnet" | grep -c '^10\.\|:')" 0 "reservations left"
	NETNS_PATH="" cni bridge DEL "$(brconf)"
}

# gcconf EXTRA VALID-JSON: brconf with cni.dev/valid-attachments.
gcconf() { brconf "$1" | jq -c --argjson v "$2" '. + {"cniVersion": "1.1.0", "cni.dev/valid-attachments": $v}'; }

test_gc_removes_what_invalid_attachments_left_and_keeps_the_valid() {
	x=',"isGateway":true,"ipMasq":true,"macspoofchk":true'
	nb=$(mkns gb) nc=$(mkns gc)
	CID=keep cni bridge ADD "$(brconf "$x")" >/dev/null
	CID=lost NETNS_PATH=/run/netns/$nb cni bridge ADD "$(brconf "$x")" >/dev/null
	CID=gone NETNS_PATH=/run/netns/$nc cni bridge ADD "$(brconf "$x")" >/dev/null
	keepv=$(in_ns "$NETNS" ip -j link show eth0 | jq -r '.[0].link_index')
	keepv=$(h ip -j link show | jq -r --argjson i "$keepv" '.[] | select(.ifindex==$i) | .ifname')
	# the host end carries the attachment's tag
	assert_eq "$(h ip -j link show "$keepv" | jq -r '.[0].ifalias')" "brnet keep eth0" "host veth alias"
	# "gone": its namespace is deleted (its veth with it); "lost": the
	# runtime forgot it, its namespace lives on
	ip netns del "$nc"
	jq_eq "$(h nft -j list table inet ccni_masq)" '[.nftables[] | (.map // .set) | select(.) | .elem[]? | (if type == "array" then .[0] else . end) | .elem.comment] | unique | join(",")' \
		"brnet gone eth0,brnet keep eth0,brnet lost eth0"
	assert_eq "$(ls "$T/ipam/brnet" | grep -c '^10\.')" 3 "reservations before GC"
	out=$(cni bridge GC "$(gcconf "$x" '[{"containerID":"keep","ifname":"eth0"}]')")
	assert_eq "$out" "" "GC prints nothing"
	# kernel state, object by object: only "keep" is left
	assert_eq "$(h ip -j link show type veth | jq -r '[.[].ifalias // empty] | sort | join(",")')" "brnet keep eth0" "host veths"
	in_ns "$nb" ip link show eth0 >/dev/null 2>&1 && fail "lost's container link survived GC"
	s=$(h nft -j list table inet ccni_masq)
	jq_eq "$s" '[.nftables[] | (.map // .set) | select(.) | .elem[]? | (if type == "array" then .[0] else . end) | .elem.comment] | unique | join(",")' "brnet keep eth0"
	jq_eq "$(h nft -j list map bridge ccni_spoof ports)" '[.nftables[] | select(.map) | .map.elem[]? | .[0].elem.comment] | join(",")' "brnet keep eth0"
	assert_eq "$(h nft -j list chains bridge | jq -r '[.nftables[] | select(.chain) | .chain.name | select(startswith("port-"))] | join(",")')" "port-$keepv" "spoof chains"
	assert_eq "$(ls "$T/ipam/brnet" | grep '^10\.' | xargs -I{} sh -c 'head -1 "$0/{}"' "$T/ipam/brnet" | tr -d '\r' | sort | paste -sd,)" "keep" "reservations"
	# the valid attachment still works, and a second GC changes nothing
	in_ns "$NETNS" ping -c1 -W2 10.88.7.1 >/dev/null || fail "keep lost its network"
	cni bridge GC "$(gcconf "$x" '[{"containerID":"keep","ifname":"eth0"}]')" >/dev/null
	assert_eq "$(h ip -j link show type veth | jq -r '[.[].ifalias // empty] | join(",")')" "brnet keep eth0" "host veths after a second GC"
}

masq_tags() { h nft -j list table inet ccni_masq | jq -r '[.nftables[] | (.map // .set) | select(.) | .elem[]? | (if type == "array" then .[0] else . end) | .elem.comment] | sort | join(",")'; }

test_retried_del_leaves_the_masquerade_of_the_address_s_new_owner() {
	x=',"isGateway":true,"ipMasq":true'
	prev=$(CID=a cni bridge ADD "$(brconf "$x")")
	jq_eq "$prev" '.ips[0].address' 10.88.7.2/24
	CID=a cni bridge DEL "$(brconf "$x")"
	# the address goes to b, then a's DEL comes again (the spec allows it)
	nb=$(mkns rb)
	CID=b NETNS_PATH=/run/netns/$nb CNI_ARGS_T="IgnoreUnknown=1;IP=10.88.7.2" cni bridge ADD "$(brconf "$x")" >/dev/null
	jq_eq "$(in_ns "$nb" ip -j -4 addr show eth0)" '.[0].addr_info[0].local' 10.88.7.2
	assert_eq "$(masq_tags)" "brnet b eth0,brnet b eth0,brnet b eth0,brnet b eth0" "b's elements (v4 and v6)"
	ip netns del "$NETNS"
	CID=a cni bridge DEL "$(brconf "$x" | jq -c --argjson p "$prev" '. + {prevResult: $p}')"
	assert_eq "$(masq_tags)" "brnet b eth0,brnet b eth0,brnet b eth0,brnet b eth0" "b's elements after a's retried DEL"
}

spoof_state() {
	h nft -j list table bridge ccni_spoof | jq -r '[.nftables[] | ((.map.elem[]? | .[0].elem.comment), (.chain.name | select(. and startswith("port-"))))] | sort | join(",")'
}

test_del_without_netns_or_prev_result_finds_the_masquerade_and_spoof_check_by_tag() {
	x=',"isGateway":true,"ipMasq":true,"macspoofchk":true'
	nb=$(mkns sb)
	out=$(CID=b NETNS_PATH=/run/netns/$nb cni bridge ADD "$(brconf "$x")")
	bv=$(jq -r '.interfaces[1].name' <<<"$out")
	out=$(CID=a cni bridge ADD "$(brconf "$x")")
	av=$(jq -r '.interfaces[1].name' <<<"$out")
	assert_eq "$(masq_tags)" "brnet a eth0,brnet a eth0,brnet a eth0,brnet a eth0,brnet b eth0,brnet b eth0,brnet b eth0,brnet b eth0" "a's and b's elements (v4 and v6)"
	assert_eq "$(spoof_state)" "$(printf '%s\n' "brnet a eth0" "brnet b eth0" "port-$av" "port-$bv" | sort | paste -sd,)" "spoof checks"
	ip netns del "$NETNS"
	# the namespace goes some time after its last reference: wait for a's veth
	for _ in $(seq 100); do h ip link show "$av" >/dev/null 2>&1 || break; sleep 0.1; done
	CID=a cni bridge DEL "$(brconf "$x")"
	assert_eq "$(masq_tags)" "brnet b eth0,brnet b eth0,brnet b eth0,brnet b eth0" "elements after DEL with neither the link nor prevResult"
	assert_eq "$(spoof_state)" "$(printf '%s\n' "brnet b eth0" "port-$bv" | sort | paste -sd,)" "spoof checks after that DEL"
}

test_ipam_of_another_origin_is_executed() {
	# ccni's own host-local runs inside the bridge process; a host-local of
	# any other origin under that name in CNI_PATH is executed as usual
	mkdir -p "$T/mix"
	ln -s "$CCNI_BIN/bridge" "$T/mix/bridge"
	printf '#!/bin/sh\ntouch "%s/ipam-ran"\nexec "%s/ccni-plugin" host-local\n' "$T" "$CCNI_BIN" >"$T/mix/host-local"
	chmod +x "$T/mix/host-local"
	out=$(cni bridge ADD "$(brconf)" CNI_PATH="$T/mix")
	[ -e "$T/ipam-ran" ] || fail "the foreign host-local was not executed"
	jq_eq "$out" '.ips[0].address' "10.88.7.2/24"
	cni bridge DEL "$(brconf)" CNI_PATH="$T/mix"
	assert_eq "$(ls "$T/ipam/brnet" | grep -c '^10\.')" 0 "reservations left"
}

test_failed_add_leaves_nothing_behind() {
	before=$(h ip -o link | wc -l)
	out=$(cni bridge ADD "$(brconf '' '' | jq -c '.ipam.type="no-such-ipam"')") && fail "ADD passed"
	expect_error 102 "$out" "no-such-ipam"
	assert_eq "$(h ip -o link | grep -c veth)" 0 "veths after failed ADD"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left in the netns"
	# IPAM exhausted after the veth exists: undone too
	small=',"ranges":[[{"subnet":"10.66.0.0/30"}]]'
	CID=first NETNS_PATH=/run/netns/$(mkns f) cni bridge ADD "$(brconf '' "$small")" >/dev/null
	out=$(cni bridge ADD "$(brconf '' "$small")") && fail "ADD passed with no address left"
	expect_error 103 "$out"
	assert_eq "$(h ip -o link | grep -c veth)" 1 "only the first container's veth remains"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left after IPAM failure"
	true
}

test_route_the_kernel_refuses_gives_the_device_and_the_kernel_reason() {
	# an IPAM route via a gateway no subnet of the container reaches
	ipam=',"ranges":[[{"subnet":"10.88.7.0/24"}]],"routes":[{"dst":"10.66.0.0/16","gw":"192.0.2.1"}]'
	out=$(cni bridge ADD "$(brconf ',"isGateway":true' "$ipam")") && fail "ADD passed with an off-link gateway"
	expect_error 101 "$out"
	jq_eq "$out" '.msg' "add route 10.66.0.0/16 via 192.0.2.1 dev eth0: Network is unreachable"
	jq_eq "$out" '.details' "kernel: Nexthop has invalid gateway"
	# and nothing is left: veth, container link, reservation
	assert_eq "$(h ip -o link | grep -c veth)" 0 "veths after the refused route"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left in the netns"
	assert_eq "$(ls "$T/ipam/brnet" | grep -c '^10\.')" 0 "reservations after the refused route"
}

test_ipmasq_nftables_masquerades_outbound_traffic() {
	out_ns=$(mkns o)
	h ip link add upl0 type veth peer name upl1 netns "$out_ns"
	h ip addr add 192.168.77.1/24 dev upl0
	h ip link set upl0 up
	in_ns "$out_ns" ip addr add 192.168.77.2/24 dev upl1
	in_ns "$out_ns" ip link set upl1 up
	cni bridge ADD "$(brconf ',"isGateway":true,"ipMasq":true')" >/dev/null
	ns2=$(mkns m)
	CID=second NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"isGateway":true,"ipMasq":true')" >/dev/null
	s=$(h nft -j list table inet ccni_masq)
	# each address jumps to the chain of its prefix length, whose set holds
	# (network . address)
	jq_eq "$s" '[.nftables[] | select(.map.name=="src4") | .map.elem[]? | "\(.[0].elem.val) \(.[1].jump.target)"] | sort | join(",")' \
		"10.88.7.2 m4_24,10.88.7.3 m4_24"
	jq_eq "$s" '[.nftables[] | select(.set.name=="m4_24") | .set.elem[]? | .elem.val.concat | join(" ")] | sort | join(",")' \
		"10.88.7.0 10.88.7.2,10.88.7.0 10.88.7.3"
	assert_contains "$(h nft list chain inet ccni_masq m4_24)" "ip daddr & 255.255.255.0 . ip saddr @m4_24 return" "own-subnet rule"
	# the outside namespace has no route back to 10.88.7.0/24: the ping
	# only works when the source is rewritten to 192.168.77.1
	in_ns "$NETNS" ping -c1 -W2 192.168.77.2 >/dev/null || fail "no masquerade"
	# what the peers see as the source: rewritten outside, not inside the subnet
	command -v socat >/dev/null || skip "socat missing"
	peer() { # NS: a one-shot TCP server printing the peer's address
		in_ns "$1" socat -T3 -t3 TCP-LISTEN:7007,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
		wait_listen "$1" tcp 7007
	}
	peer "$out_ns"
	assert_eq "$(in_ns "$NETNS" timeout 6 socat -T3 -t3 - TCP:192.168.77.2:7007 </dev/null 2>/dev/null)" 192.168.77.1 "source seen outside"
	peer "$ns2"
	assert_eq "$(in_ns "$NETNS" timeout 6 socat -T3 -t3 - TCP:10.88.7.3:7007 </dev/null 2>/dev/null)" 10.88.7.2 "source seen in the subnet"
}

test_ipmasq_iptables_backend() {
	command -v iptables-restore >/dev/null || skip "no iptables-restore"
	h iptables -t nat -S >/dev/null 2>&1 || skip "iptables cannot work here"
	cni bridge ADD "$(brconf ',"isGateway":true,"ipMasq":true,"ipMasqBackend":"iptables"')" >/dev/null
	chain="CNI-$(printf '%s' "brnet$CID" | sha512sum | cut -c1-24)"
	rules=$(h iptables -t nat -S)
	assert_contains "$rules" "-A POSTROUTING -s 10.88.7.2/32 -m comment --comment \"name: \\\"brnet\\\" id: \\\"$CID\\\"\" -j $chain"
	assert_contains "$rules" "-A $chain -d 10.88.7.0/24"
	assert_contains "$rules" "-A $chain ! -d 224.0.0.0/4"
	cni bridge DEL "$(brconf ',"isGateway":true,"ipMasq":true,"ipMasqBackend":"iptables"')"
	assert_not_contains "$(h iptables -t nat -S)" "$chain"
}

test_mtu_promisc_hairpin_isolation() {
	cni bridge ADD "$(brconf ',"mtu":1400,"hairpinMode":true,"portIsolation":true')" >/dev/null
	veth=$(h ip -j link show master cbr0 | jq -r '.[0].ifname')
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 1400
	jq_eq "$(link_json "$veth")" '.[0].mtu' 1400
	jq_eq "$(link_json cbr0)" '.[0].mtu' 1400
	jq_eq "$(link_json "$veth")" '.[0].linkinfo.info_slave_data.hairpin' true
	jq_eq "$(link_json "$veth")" '.[0].linkinfo.info_slave_data.isolated' true
	ns2=$(mkns p)
	h ip link add cbr9 type bridge
	CID=p NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"promiscMode":true' | jq -c '.bridge="cbr9" | .name="other"')" >/dev/null
	jq_eq "$(link_json cbr9)" '.[0].flags | index("PROMISC") != null' true
	out=$(cni bridge ADD "$(brconf ',"promiscMode":true,"hairpinMode":true')") && fail "accepted"
	expect_error 7 "$out" "hairpinMode"
}

test_vlan_and_trunk() {
	needs_kernel vlan_filtering
	cni bridge ADD "$(brconf ',"vlan":100')" >/dev/null
	veth=$(h ip -j link show master cbr0 | jq -r '.[0].ifname')
	jq_eq "$(link_json cbr0)" '.[0].linkinfo.info_data.vlan_filtering' 1
	v=$(h bridge -j vlan show dev "$veth")
	jq_eq "$v" '[.[0].vlans[] | "\(.vlan) \(.flags // [] | join("+"))"] | join(",")' "100 PVID+Egress Untagged"
	ns2=$(mkns t)
	CID=trunk NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"vlanTrunk":[{"minID":200,"maxID":202},{"id":300}],"preserveDefaultVlan":true')" >/dev/null
	veth2=$(h ip -j link show master cbr0 | jq -r --arg a "$veth" '[.[] | select(.ifname != $a)][0].ifname')
	v2=$(h bridge -j vlan show dev "$veth2")
	jq_eq "$v2" '[.[0].vlans[] | .vlan] | join(",")' "1,200,201,202,300"
}

test_vlan_bad_values() {
	out=$(cni bridge ADD "$(brconf ',"vlan":5000')") && fail "accepted"
	expect_error 7 "$out" "VLAN"
	out=$(cni bridge ADD "$(brconf ',"vlanTrunk":[{"minID":10}]')") && fail "accepted"
	expect_error 7 "$out" "maxID"
	out=$(cni bridge ADD "$(brconf ',"vlanTrunk":[{"minID":10,"maxID":5}]')") && fail "accepted"
	expect_error 7 "$out" "greater"
}

test_macspoofchk_drops_spoofed_frames() {
	ns2=$(mkns s)
	cni bridge ADD "$(brconf ',"macspoofchk":true')" >/dev/null
	CID=peer NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf)" >/dev/null
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	t=$(h nft -j list table bridge ccni_spoof)
	assert_contains "$t" "$mac"
	in_ns "$NETNS" ping -c1 -W2 10.88.7.3 >/dev/null || fail "genuine MAC dropped"
	in_ns "$NETNS" ip link set eth0 address 02:00:00:00:00:99
	in_ns "$NETNS" ip neigh flush all
	in_ns "$ns2" ip neigh flush all
	in_ns "$NETNS" ping -c1 -W1 10.88.7.3 >/dev/null && fail "spoofed MAC passed"
	cni bridge DEL "$(brconf ',"macspoofchk":true')"
	assert_not_contains "$(h nft -j list table bridge ccni_spoof)" "$mac"
	assert_not_contains "$(h nft -j list table bridge ccni_spoof)" "veth"
}

test_mac_from_args_and_runtime_config() {
	CNI_ARGS_T='IgnoreUnknown=1;MAC=02:11:22:33:44:55' cni bridge ADD "$(brconf)" >/dev/null
	assert_eq "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)" 02:11:22:33:44:55
	ns2=$(mkns m)
	out=$(CID=m2 NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"runtimeConfig":{"mac":"02:aa:bb:cc:dd:ee"}')")
	jq_eq "$out" '.interfaces[2].mac' 02:aa:bb:cc:dd:ee
	out=$(CID=m3 cni bridge ADD "$(brconf ',"args":{"cni":{"mac":"zz"}}')") && fail "accepted"
	expect_error 7 "$out" '"zz"'
}

test_is_default_gateway_and_force_address() {
	out=$(cni bridge ADD "$(brconf ',"isDefaultGateway":true' ',"subnet":"10.55.0.0/24"')")
	jq_eq "$out" '.routes | map("\(.dst) \(.gw)") | join(",")' "0.0.0.0/0 10.55.0.1"
	jq_eq "$(in_ns "$NETNS" ip -j route show default)" '.[0].gateway' 10.55.0.1
	ns2=$(mkns g)
	out=$(CID=g2 NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"isGateway":true' ',"subnet":"10.56.0.0/24"' | jq -c '.name="other"')") && fail "second gateway accepted"
	expect_error 7 "$out" "forceAddress"
	CID=g3 NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"isGateway":true,"forceAddress":true' ',"subnet":"10.56.0.0/24"' | jq -c '.name="other"')" >/dev/null
	jq_eq "$(h ip -j -4 addr show cbr0)" '[.[0].addr_info[].local] | join(",")' 10.56.0.1
}

test_layer2_only_and_disabled_container_interface() {
	out=$(cni bridge ADD '{"cniVersion":"1.0.0","name":"l2","type":"bridge","bridge":"cbr2"}')
	jq_eq "$out" 'has("ips")' false
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].flags | index("UP") != null' true
	ns2=$(mkns d)
	NETNS_PATH=/run/netns/$ns2 CID=d cni bridge ADD '{"cniVersion":"1.0.0","name":"l2","type":"bridge","bridge":"cbr2","disableContainerInterface":true}' >/dev/null
	jq_eq "$(in_ns "$ns2" ip -j link show eth0)" '.[0].flags | index("UP") == null' true
	out=$(cni bridge ADD "$(brconf ',"disableContainerInterface":true')") && fail "accepted"
	expect_error 7 "$out" "disableContainerInterface"
}

test_enabledad() {
	cni bridge ADD "$(brconf ',"enabledad":true')" >/dev/null
	assert_eq "$(in_ns "$NETNS" sysctl -n net.ipv6.conf.eth0.accept_dad)" 1 "accept_dad"
	ns2=$(mkns e)
	CID=e NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf)" >/dev/null
	assert_eq "$(in_ns "$ns2" sysctl -n net.ipv6.conf.eth0.accept_dad)" 0 "accept_dad"
}

test_check_against_prev_result() {
	c=$(brconf ',"isGateway":true')
	out=$(cni bridge ADD "$c")
	withprev=$(jq -c --argjson p "$out" '.prevResult=$p' <<<"$c")
	cni bridge CHECK "$withprev"
	in_ns "$NETNS" ip addr del 10.88.7.2/24 dev eth0
	out=$(cni bridge CHECK "$withprev") && fail "CHECK passed with an address gone"
	expect_error 108 "$out" "10.88.7.2/24"
}

test_check_finds_a_flushed_masquerade() {
	c=$(brconf ',"isGateway":true,"ipMasq":true')
	out=$(cni bridge ADD "$c")
	withprev=$(jq -c --argjson p "$out" '.prevResult=$p' <<<"$c")
	cni bridge CHECK "$withprev"
	# one element taken over by another attachment does not count as ours
	h nft delete element inet ccni_masq src4 '{ 10.88.7.2 }'
	h nft add element inet ccni_masq src4 '{ 10.88.7.2 comment "brnet other eth0" : jump m4_24 }'
	out=$(cni bridge CHECK "$withprev") && fail "CHECK passed with another's element"
	expect_error 108 "$out" 'belongs to "brnet other eth0"'
	# what "nft flush ruleset" (or a firewall reload) does
	h nft flush ruleset
	out=$(cni bridge CHECK "$withprev") && fail "CHECK passed with the masquerade gone"
	expect_error 108 "$out" "ipMasq: 10.88.7.2 is not masqueraded"
}

test_existing_non_bridge_name_is_an_error() {
	h ip link add cbr0 type veth peer name cbr0p
	out=$(cni bridge ADD "$(brconf)") && fail "accepted"
	expect_error 7 "$out" '"cbr0" already exists and is not a bridge'
	assert_eq "$(ls "$T/ipam/brnet" 2>/dev/null | grep -c '^10\.')" 0 "reservation left"
}

test_concurrent_adds_create_one_bridge() {
	for i in $(seq 8); do
		n=$(mkns x$i)
		(CID=par$i NETNS_PATH=/run/netns/$n cni bridge ADD "$(brconf ',"isGateway":true')" >"$T/par.$i" 2>&1) &
	done
	wait
	for i in $(seq 8); do jq -e .ips "$T/par.$i" >/dev/null || fail "ADD $i: $(cat "$T/par.$i")"; done
	assert_eq "$(cat "$T"/par.* | jq -r '.ips[0].address' | sort | uniq -d)" "" "duplicate addresses"
	assert_eq "$(h ip -j link show master cbr0 | jq length)" 8 "bridge ports"
}

test_result_shape_matches_reference() {
	[ -x "$REF_BIN/bridge" ] || skip "no reference bridge"
	c=$(brconf ',"isGateway":true' ',"subnet":"10.57.0.0/24"')
	a=$(cni bridge ADD "$c")
	ns2=$(mkns r)
	b=$(CID=refc NETNS_PATH=/run/netns/$ns2 ref bridge ADD "$(jq -c '.bridge="cbr8" | .ipam.dataDir+="-ref"' <<<"$c")")
	shape='{v: .cniVersion, i: [.interfaces[] | keys], ips: [.ips[] | keys], r: .routes, dns: .dns}'
	assert_eq "$(jq -cS "$shape" <<<"$a")" "$(jq -cS "$shape" <<<"$b")" "result shape"
	jq_eq "$a" '.ips[0].address' "$(jq -r '.ips[0].address' <<<"$b")"
}

test_bad_inputs_name_the_key() {
	out=$(cni bridge ADD "$(brconf ',"mtu":"big"')") && fail "accepted"
	expect_error 7 "$out" "mtu"
	out=$(cni bridge ADD "$(brconf ',"ipMasqBackend":"pf"')") && fail "accepted"
	expect_error 7 "$out" '"pf"'
	out=$(cni bridge ADD "$(brconf | jq -c '.bridge="averyveryverylongbridgename"')") && fail "accepted"
	expect_error 7 "$out" "averyveryverylongbridgename"
	out=$(cni bridge ADD "$(brconf ',"isGateway":"yes"')") && fail "accepted"
	expect_error 7 "$out" "isGateway"
	out=$(cni bridge ADD "$(brconf | jq -c '.ipam.type="../x"')") && fail "accepted"
	expect_error 7 "$out" "ipam.type"
	assert_eq "$(h ip -o link | grep -c veth)" 0 "veths after bad input"
}

test_container_ifname_taken_is_an_error() {
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	out=$(cni bridge ADD "$(brconf)") && fail "accepted"
	expect_error 4 "$out" 'CNI_IFNAME: interface "eth0" already exists'
	assert_eq "$(h ip -o link | grep -c veth)" 0 "veths after failed ADD"
	assert_eq "$(ls "$T/ipam/brnet" 2>/dev/null | grep -c '^10\.')" 0 "reservation left"
	# the container's own eth0 is left alone
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].link' eth0p
}

test_empty_ipam_type_is_layer2() {
	out=$(cni bridge ADD '{"cniVersion":"1.0.0","name":"l2","type":"bridge","bridge":"cbr3","ipam":{"type":""}}')
	jq_eq "$out" 'has("ips")' false
	jq_eq "$out" '.interfaces | length' 3
	out=$(cni bridge ADD '{"cniVersion":"1.0.0","name":"l2","type":"bridge","bridge":"cbr3","ipam":"x"}') && fail "accepted"
	expect_error 7 "$out" "ipam"
	true
}

test_vlan_gateway_interface() {
	needs_kernel vlan_filtering
	out=$(cni bridge ADD "$(brconf ',"vlan":100,"isGateway":true')")
	jq_eq "$out" '[.interfaces[].name] | .[0], .[3]' "cbr0
cbr0.100"
	jq_eq "$out" '.interfaces | length' 4
	jq_eq "$(h ip -j addr show cbr0.100)" '[.[0].addr_info[] | select(.scope=="global") | .local] | join(",")' "10.88.7.1,fd00:88:7::1"
	jq_eq "$(h ip -j addr show cbr0)" '[.[0].addr_info[] | select(.scope=="global")] | length' 0
	in_ns "$NETNS" ping -c1 -W2 10.88.7.1 >/dev/null || fail "container -> vlan gateway"
	# a second container on the same VLAN reuses the gateway interface
	ns2=$(mkns v)
	out2=$(CID=v2 NETNS_PATH=/run/netns/$ns2 cni bridge ADD "$(brconf ',"vlan":100,"isGateway":true')")
	jq_eq "$out2" '.interfaces[3].name' cbr0.100
	# the reference's gateway interface: a veth pair, cbr0.100 and its peer in the bridge
	jq_eq "$(h ip -j link show)" '[.[] | select(.ifname == "cbr0.100")] | length' 1
	jq_eq "$(link_json cbr0.100)" '.[0].linkinfo.info_kind' veth
}

test_macspoofchk_del_with_netns_gone_uses_prev_result() {
	c=$(brconf ',"macspoofchk":true')
	out=$(cni bridge ADD "$c")
	veth=$(jq -r '.interfaces[1].name' <<<"$out")
	assert_contains "$(h nft -j list table bridge ccni_spoof)" "port-$veth"
	ip netns del "$NETNS"
	cni bridge DEL "$(jq -c --argjson p "$out" '.prevResult=$p' <<<"$c")"
	assert_not_contains "$(h nft -j list table bridge ccni_spoof)" "$veth"
	assert_eq "$(ls "$T/ipam/brnet" | grep -c '^10\.\|:')" 0 "reservations left"
}

test_status_asks_ipam() {
	cni bridge STATUS "$(brconf | jq -c '.cniVersion="1.1.0"')"
	out=$(cni bridge STATUS "$(brconf | jq -c '.cniVersion="1.1.0" | .ipam.type="no-such-ipam"')") && fail "STATUS passed"
	expect_error 102 "$out" "no-such-ipam"
	cni bridge STATUS '{"cniVersion":"1.1.0","name":"l2","type":"bridge"}'
}

[ -n "${T_DEBUG:-}" ] && set -x
run_tests
