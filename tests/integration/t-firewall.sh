#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# firewall after bridge: the nftables sets (exact elements and tags), CHECK,
# DEL with and without prevResult, the admin chain, ingressPolicy
# same-bridge isolation with real traffic between two bridges, the iptables
# backend's rules (compared with the reference's) and traffic through a
# dropping FORWARD policy, bad input for every key.
. "$(dirname "$0")/lib.sh"

h() { in_host "$@"; }

# br_conf BRIDGE SUBNET [SUBNET6]: a bridge config with a default route.
br_conf() {
	local r6=""
	[ -n "${3:-}" ] && r6=",[{\"subnet\":\"$3\"}]"
	printf '{"cniVersion":"1.0.0","name":"fwnet-%s","type":"bridge","bridge":"%s","isGateway":true,"isDefaultGateway":true,"ipam":{"type":"host-local","dataDir":"%s/ipam-%s","ranges":[[{"subnet":"%s"}]%s]}}' "$1" "$1" "$T" "$1" "$2" "$r6"
}
# fw_conf PREV [EXTRA]: a firewall config with prevResult ("" PREV: none).
fw_conf() {
	if [ -n "$1" ]; then
		printf '{"cniVersion":"1.0.0","name":"fwnet","type":"firewall"%s,"prevResult":%s}' "${2:-}" "$1"
	else
		printf '{"cniVersion":"1.0.0","name":"fwnet","type":"firewall"%s}' "${2:-}"
	fi
}
# attach NSNAME CID BRIDGE SUBNET [SUBNET6]: prints the bridge result.
attach() {
	CID=$2 NETNS_PATH=/run/netns/$1 cni bridge ADD "$(br_conf "$3" "$4" "${5:-}")"
}
detach() {
	CID=$2 NETNS_PATH=/run/netns/$1 cni bridge DEL "$(br_conf "$3" "$4" "${5:-}")" >/dev/null
}
# elems SET: the set's elements as "value comment" lines, sorted.
elems() {
	h nft -j list set inet ccni_firewall "$1" |
		jq -r '.nftables[] | select(.set) | .set.elem // [] | .[] |
			(.elem.val | if type == "object" then (.concat | map(tostring) | join(" . ")) else tostring end) + " " + (.elem.comment // "-")' | sort
}
pings() { in_ns "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
# outside: a namespace behind a routed veth of the host (10.91.9.2), the
# containers' destination for forwarded traffic.
outside() {
	local o
	o=$(mkns o)
	h ip link add fwo0 type veth peer name eth0 netns "$o"
	h ip addr add 10.91.9.1/24 dev fwo0
	h ip link set fwo0 up
	in_ns "$o" ip addr add 10.91.9.2/24 dev eth0
	in_ns "$o" ip link set eth0 up
	in_ns "$o" ip route add default via 10.91.9.1
	h sysctl -qw net.ipv4.ip_forward=1
	echo "$o"
}

test_nft_add_sets_check_del() {
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24 fd00:91:1::/64)
	c=$(fw_conf "$prev")
	out=$(cni firewall ADD "$c")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$prev")" "firewall passes prevResult on"
	assert_eq "$(elems addr4)" "10.91.1.2 fwnet $CID eth0" "addr4"
	assert_eq "$(elems addr6)" "fd00:91:1::2 fwnet $CID eth0" "addr6"
	assert_eq "$(elems iso4)" "" "iso4 with ingressPolicy open"
	chain=$(h nft -j list chain inet ccni_firewall forward)
	jq_eq "$chain" '.nftables[] | select(.chain) | .chain | "\(.hook) \(.prio) \(.policy)"' "forward 0 accept"
	jq_eq "$chain" '[.nftables[] | select(.rule)] | length' 7
	want='iifname . ip saddr @iso4 oifname . ip daddr @iso4 iifname . ip daddr != @iso4 drop
iifname . ip6 saddr @iso6 oifname . ip6 daddr @iso6 iifname . ip6 daddr != @iso6 drop
jump admin-jumps
ip daddr @addr4 ct state established,related accept
ip saddr @addr4 accept
ip6 daddr @addr6 ct state established,related accept
ip6 saddr @addr6 accept'
	assert_eq "$(h nft list chain inet ccni_firewall forward | sed -n 's/^\t\t//p' | grep -v '^type ')" "$want" "forward chain rules"
	assert_eq "$(h nft list chain inet ccni_firewall admin-jumps | sed -n 's/^\t\t//p')" "jump CNI-ADMIN" "admin-jumps"
	h nft list chain inet ccni_firewall CNI-ADMIN >/dev/null
	cni firewall CHECK "$c" >/dev/null || fail "CHECK after ADD: $(cat "$T/stderr")"
	# ADD again (a retried ADD): still one element each
	cni firewall ADD "$c" >/dev/null
	assert_eq "$(elems addr4)" "10.91.1.2 fwnet $CID eth0" "addr4 after a second ADD"
	# an element held by another attachment is not ours
	h nft delete element inet ccni_firewall addr4 '{ 10.91.1.2 }'
	h nft add element inet ccni_firewall addr4 '{ 10.91.1.2 comment "fwnet other eth0" }'
	out=$(cni firewall CHECK "$c") && fail "CHECK passed with another attachment's element"
	expect_error 108 "$out" 'belongs to "fwnet other eth0"'
	# ADD takes over an element a vanished attachment left
	cni firewall ADD "$c" >/dev/null
	assert_eq "$(elems addr4)" "10.91.1.2 fwnet $CID eth0" "addr4 after ADD over a stale element"
	h nft delete element inet ccni_firewall addr6 '{ fd00:91:1::2 }'
	out=$(cni firewall CHECK "$c") && fail "CHECK passed with an element gone"
	expect_error 108 "$out" "fd00:91:1::2"
	# DEL with prevResult tolerates the missing element and removes the rest
	cni firewall DEL "$c"
	assert_eq "$(elems addr4)" "" "addr4 after DEL"
	assert_eq "$(elems addr6)" "" "addr6 after DEL"
	cni firewall DEL "$c"
	out=$(cni firewall CHECK "$c") && fail "CHECK passed after DEL"
	expect_error 108 "$out" "10.91.1.2"
}

test_nft_retried_del_leaves_the_address_s_new_owner_alone() {
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24)
	cni firewall ADD "$(fw_conf "$prev")" >/dev/null
	cni firewall DEL "$(fw_conf "$prev")"
	# the address is another attachment's now; then the first DEL again
	h nft add element inet ccni_firewall addr4 '{ 10.91.1.2 comment "fwnet other eth0" }'
	cni firewall DEL "$(fw_conf "$prev")"
	assert_eq "$(elems addr4)" "10.91.1.2 fwnet other eth0" "the new owner's element"
}

test_nft_gc_removes_the_elements_of_attachments_not_valid() {
	prev=$(attach "$NETNS" keep fwa0 10.91.1.0/24)
	ns2=$(mkns g)
	prev2=$(attach "$ns2" lost fwa0 10.91.1.0/24)
	CID=keep cni firewall ADD "$(fw_conf "$prev" ',"ingressPolicy":"same-bridge"')" >/dev/null
	CID=lost cni firewall ADD "$(fw_conf "$prev2" ',"ingressPolicy":"same-bridge"')" >/dev/null
	gc='{"cniVersion":"1.1.0","name":"fwnet","type":"firewall","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}'
	cni firewall GC "$gc" >/dev/null
	assert_eq "$(elems addr4)" "10.91.1.2 fwnet keep eth0" "addr4 after GC"
	assert_eq "$(elems iso4)" "fwa0 . 10.91.1.2 fwnet keep eth0" "iso4 after GC"
}

test_nft_del_without_prev_result_keeps_others() {
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24)
	ns2=$(mkns b)
	prev2=$(attach "$ns2" other fwa0 10.91.1.0/24)
	cni firewall ADD "$(fw_conf "$prev" ',"ingressPolicy":"same-bridge"')" >/dev/null
	CID=other cni firewall ADD "$(fw_conf "$prev2" ',"ingressPolicy":"same-bridge"')" >/dev/null
	assert_eq "$(elems addr4)" "$(printf '10.91.1.2 fwnet %s eth0\n10.91.1.3 fwnet other eth0' "$CID")" "addr4"
	assert_eq "$(elems iso4)" "$(printf 'fwa0 . 10.91.1.2 fwnet %s eth0\nfwa0 . 10.91.1.3 fwnet other eth0' "$CID")" "iso4"
	c2=$(fw_conf "$prev2" ',"ingressPolicy":"same-bridge"')
	CID=other cni firewall CHECK "$c2" >/dev/null || fail "CHECK: $(cat "$T/stderr")"
	h nft delete element inet ccni_firewall iso4 '{ "fwa0" . 10.91.1.3 }'
	out=$(CID=other cni firewall CHECK "$c2") && fail "CHECK passed without the iso4 element"
	expect_error 108 "$out" "10.91.1.3 on bridge fwa0 is not in set iso4"
	CID=other cni firewall ADD "$c2" >/dev/null
	cni firewall DEL "$(fw_conf "" ',"ingressPolicy":"same-bridge"')"
	assert_eq "$(elems addr4)" "10.91.1.3 fwnet other eth0" "addr4 after DEL without prevResult"
	assert_eq "$(elems iso4)" "fwa0 . 10.91.1.3 fwnet other eth0" "iso4 after DEL without prevResult"
	CID=other cni firewall DEL "$(fw_conf "" ',"ingressPolicy":"same-bridge"')"
	assert_eq "$(elems addr4)$(elems iso4)" "" "sets after both DELs"
	# the table gone altogether: DEL still succeeds
	h nft delete table inet ccni_firewall
	cni firewall DEL "$(fw_conf "")"
	cni firewall DEL "$(fw_conf "$prev")"
}

test_nft_admin_chain() {
	o=$(outside)
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24)
	c=$(fw_conf "$prev" ',"iptablesAdminChainName":"MY-ADMIN"')
	cni firewall ADD "$c" >/dev/null
	cni firewall ADD "$c" >/dev/null
	jumps=$(h nft -j list chain inet ccni_firewall admin-jumps | jq -r '[.nftables[] | select(.rule) | .rule.expr[0].jump.target] | join(",")')
	assert_eq "$jumps" "CNI-ADMIN,MY-ADMIN" "admin jumps"
	pings "$NETNS" 10.91.9.2 || fail "container -> outside before an admin rule"
	# the admin's own rule is obeyed, and the plugin never touches it
	h nft add rule inet ccni_firewall MY-ADMIN ip daddr 10.91.9.2 drop
	pings "$NETNS" 10.91.9.2 && fail "admin drop rule not obeyed"
	cni firewall DEL "$c"
	cni firewall ADD "$c" >/dev/null
	jq_eq "$(h nft -j list chain inet ccni_firewall MY-ADMIN)" '[.nftables[] | select(.rule)] | length' 1
	h nft flush chain inet ccni_firewall MY-ADMIN
	pings "$NETNS" 10.91.9.2 || fail "container -> outside after the admin rule went"
	cni firewall DEL "$c"
	assert_eq "$(elems addr4)" "" "addr4 after DEL"
}

# The iptables backend: the reference's rules, exactly.
ipt_ok() {
	command -v iptables-restore >/dev/null || skip "no iptables-restore"
	h iptables -t filter -S >/dev/null 2>&1 || skip "iptables cannot work here"
}
ipt_reset() {
	h iptables -P FORWARD ACCEPT
	h iptables -F
	h iptables -X
	h ip6tables -F
	h ip6tables -X
}

# isolation BACKEND-EXTRA: three containers, two bridges, real pings.
isolation() {
	a2=$(mkns a)
	b1=$(mkns b)
	pa1=$(attach "$NETNS" a1 fwa0 10.91.1.0/24)
	pa2=$(attach "$a2" a2 fwa0 10.91.1.0/24)
	pb1=$(attach "$b1" b1 fwb0 10.91.2.0/24)
	h sysctl -qw net.ipv4.ip_forward=1
	# without the plugin the host routes between the bridges
	pings "$NETNS" 10.91.2.2 || fail "a1 -> b1 before firewall"
	sb=',"ingressPolicy":"same-bridge"'"$1"
	CID=a1 cni firewall ADD "$(fw_conf "$pa1" "$sb")" >/dev/null
	CID=a2 cni firewall ADD "$(fw_conf "$pa2" "$sb")" >/dev/null
	CID=b1 cni firewall ADD "$(fw_conf "$pb1" "$sb")" >/dev/null
	[ -z "$1" ] && assert_eq "$(elems iso4)" "$(printf 'fwa0 . 10.91.1.2 fwnet a1 eth0\nfwa0 . 10.91.1.3 fwnet a2 eth0\nfwb0 . 10.91.2.2 fwnet b1 eth0')" "iso4"
	CID=b1 cni firewall CHECK "$(fw_conf "$pb1" "$sb")" >/dev/null || fail "CHECK: $(cat "$T/stderr")"
	pings "$NETNS" 10.91.1.3 || fail "a1 -> a2 (same bridge) dropped"
	pings "$a2" 10.91.1.2 || fail "a2 -> a1 (same bridge) dropped"
	pings "$NETNS" 10.91.2.2 && fail "a1 -> b1 (other bridge) passed"
	pings "$b1" 10.91.1.2 && fail "b1 -> a1 (other bridge) passed"
	pings "$b1" 10.91.1.1 || fail "b1 -> host address dropped"
	[ -n "$1" ] && return 0
	# after b1's DEL its bridge is no longer isolated: traffic flows again
	CID=b1 cni firewall DEL "$(fw_conf "$pb1" "$sb")"
	assert_eq "$(elems iso4)" "$(printf 'fwa0 . 10.91.1.2 fwnet a1 eth0\nfwa0 . 10.91.1.3 fwnet a2 eth0')" "iso4 after b1's DEL"
	pings "$NETNS" 10.91.2.2 || fail "a1 -> b1 after b1's DEL"
	CID=a1 cni firewall DEL "$(fw_conf "$pa1" "$sb")"
	CID=a2 cni firewall DEL "$(fw_conf "$pa2" "$sb")"
	assert_eq "$(elems iso4)$(elems addr4)" "" "sets after all DELs"
}

test_same_bridge_isolation() {
	isolation ""
}

test_same_bridge_isolation_iptables() {
	ipt_ok
	isolation ',"backend":"iptables"'
	# the reference keeps the per-bridge rules after DEL: so does ccni
	x=',"backend":"iptables","ingressPolicy":"same-bridge"'
	CID=a1 cni firewall DEL "$(fw_conf "$pa1" "$x")"
	CID=a2 cni firewall DEL "$(fw_conf "$pa2" "$x")"
	CID=b1 cni firewall DEL "$(fw_conf "$pb1" "$x")"
	assert_eq "$(h iptables -S CNI-FORWARD)" '-N CNI-FORWARD
-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN' "CNI-FORWARD after the DELs"
	assert_contains "$(h iptables -S CNI-ISOLATION-STAGE-2)" "-A CNI-ISOLATION-STAGE-2 -o fwb0"
	ipt_reset
}

test_iptables_backend_rules_and_traffic() {
	ipt_ok
	o=$(outside)
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24)
	h iptables -P FORWARD DROP
	pings "$NETNS" 10.91.9.2 && fail "forwarded despite the DROP policy"
	c=$(fw_conf "$prev" ',"backend":"iptables"')
	out=$(cni firewall ADD "$c")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$prev")" "result"
	want='-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N CNI-ADMIN
-N CNI-FORWARD
-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
-A CNI-FORWARD -d 10.91.1.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A CNI-FORWARD -s 10.91.1.2/32 -j ACCEPT'
	assert_eq "$(h iptables -S)" "$want" "iptables -S after ADD"
	pings "$NETNS" 10.91.9.2 || fail "container -> outside not accepted"
	cni firewall CHECK "$c" >/dev/null || fail "CHECK: $(cat "$T/stderr")"
	h iptables -D CNI-FORWARD -s 10.91.1.2/32 -j ACCEPT
	out=$(cni firewall CHECK "$c") && fail "CHECK passed with a rule gone"
	expect_error 108 "$out" "CNI-FORWARD"
	h iptables -A CNI-FORWARD -s 10.91.1.2/32 -j ACCEPT
	cni firewall DEL "$c"
	assert_eq "$(h iptables -S CNI-FORWARD)" '-N CNI-FORWARD
-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN' "CNI-FORWARD after DEL"
	pings "$NETNS" 10.91.9.2 && fail "forwarded after DEL"
	cni firewall DEL "$c"
	cni firewall DEL "$(fw_conf "" ',"backend":"iptables"')"
	ipt_reset
}

test_iptables_backend_same_as_reference() {
	ipt_ok
	[ -x "$REF_BIN/firewall" ] || skip "no reference firewall plugin"
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24 fd00:91:1::/64)
	extra=',"backend":"iptables","ingressPolicy":"same-bridge","iptablesAdminChainName":"ADM-1"'
	c=$(fw_conf "$prev" "$extra")
	cni firewall ADD "$c" >/dev/null
	cni firewall ADD "$c" >/dev/null 2>&1 || true
	cni firewall DEL "$c"
	cni firewall ADD "$c" >/dev/null
	mine4=$(h iptables -S)
	mine6=$(h ip6tables -S)
	assert_contains "$mine4" '-A CNI-ISOLATION-STAGE-1 -i fwa0 ! -o fwa0 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge)" -j CNI-ISOLATION-STAGE-2'
	assert_contains "$mine6" '-A CNI-FORWARD -s fd00:91:1::2/128 -j ACCEPT'
	cni firewall DEL "$c"
	ipt_reset
	ref firewall ADD "$c" >/dev/null
	ref firewall DEL "$c" >/dev/null
	ref firewall ADD "$c" >/dev/null
	assert_eq "$mine4" "$(h iptables -S)" "iptables -S: ccni vs reference"
	assert_eq "$mine6" "$(h ip6tables -S)" "ip6tables -S: ccni vs reference"
	ref firewall DEL "$c" >/dev/null
	ipt_reset
}

test_bad_inputs() {
	prev=$(attach "$NETNS" "$CID" fwa0 10.91.1.0/24)
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"backend":5')") && fail "backend 5"
	expect_error 7 "$out" "backend"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"backend":"pf"')") && fail "backend pf"
	expect_error 7 "$out" "backend"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"backend":"firewalld"')") && fail "backend firewalld"
	expect_error 2 "$out" "firewalld"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"iptablesAdminChainName":"bad name"')") && fail "admin chain"
	expect_error 7 "$out" "iptablesAdminChainName"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"iptablesAdminChainName":"A23456789012345678901234567890"')") && fail "long admin chain"
	expect_error 7 "$out" "iptablesAdminChainName"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"iptablesAdminChainName":["x"]')") && fail "admin chain array"
	expect_error 7 "$out" "iptablesAdminChainName"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"firewalldZone":1')") && fail "zone 1"
	expect_error 7 "$out" "firewalldZone"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"ingressPolicy":"closed"')") && fail "policy closed"
	expect_error 7 "$out" "ingressPolicy"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"ingressPolicy":"isolated"')") && fail "policy isolated"
	expect_error 2 "$out" "ingressPolicy"
	out=$(cni firewall ADD "$(fw_conf "$prev" ',"ingressPolicy":true')") && fail "policy true"
	expect_error 7 "$out" "ingressPolicy"
	out=$(cni firewall ADD "$(fw_conf "")") && fail "ADD without prevResult"
	expect_error 7 "$out" "prevResult"
	noif=$(jq -c 'del(.interfaces) | .ips[].interface |= empty' <<<"$prev" 2>/dev/null || jq -c 'del(.interfaces)' <<<"$prev")
	out=$(cni firewall ADD "$(fw_conf "$noif" ',"ingressPolicy":"same-bridge"')") && fail "same-bridge without interfaces"
	expect_error 7 "$out" "ingressPolicy"
	# nothing was made by the failed ADDs
	h nft list table inet ccni_firewall >/dev/null 2>&1 && fail "table made by a failed ADD"
	# firewalldZone alone is accepted (and ignored)
	cni firewall ADD "$(fw_conf "$prev" ',"firewalldZone":"trusted"')" >/dev/null
	assert_contains "$(cat "$T/stderr")" "firewalldZone"
	cni firewall DEL "$(fw_conf "$prev")"
	assert_eq "$(elems addr4)" "" "addr4 after DEL"
}

run_tests
