#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bandwidth (after ptp or bridge + host-local): the qdiscs, filter and ifb read
# back from the kernel, the exact result, CHECK, DEL paths, failed ADDs
# leaving nothing, bad input for every key, the reference's qdiscs in the
# same run, and the achieved rate of real transfers both ways.
. "$(dirname "$0")/lib.sh"

NET=bwnet

# pconf [EXTRA-KEYS]: a ptp network with host-local.
pconf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"ptp"%s,"ipam":{"type":"host-local","dataDir":"%s","subnet":"10.78.%s.0/24"}}' \
		"$NET" "${1:-}" "$T/ipam" "${SUBNET:-1}"
}
# bconf PREV [EXTRA-KEYS]: a bandwidth config chained after PREV.
bconf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"bandwidth"%s,"prevResult":%s}' "$NET" "${2:-}" "$1"
}
ifb_of() { printf 'bwp%s' "$(printf '%s' "$NET$1" | sha512sum | cut -c1-12)"; }
h() { in_host "$@"; }
qd() { h tc -j qdisc show dev "$1" | jq -rc "$2"; }
need_ifb() { have_link_type ifb || skip "kernel has no ifb links (CONFIG_IFB)"; }

LIMITS=',"ingressRate":1000000,"ingressBurst":80000,"egressRate":2000000,"egressBurst":160000'

test_add_after_ptp_kernel_state_result_check_del() {
	need_ifb
	prev=$(cni ptp ADD "$(pconf ',"mtu":1400')")
	veth=$(jq -r '.interfaces[0].name' <<<"$prev")
	conf=$(bconf "$prev" "$LIMITS")
	out=$(cni bandwidth ADD "$conf")
	ifb=$(ifb_of "$CID")
	# the result: prevResult with the ifb appended (name and MAC only)
	mac=$(h cat "/sys/class/net/$ifb/address")
	want=$(jq -cS --arg n "$ifb" --arg m "$mac" '.interfaces += [{name: $n, mac: $m}]' <<<"$prev")
	assert_eq "$(jq -cS . <<<"$out")" "$want" "result"
	# ingress: tbf 1: on the host veth, ingress qdisc for the redirect
	assert_eq "$(qd "$veth" '[.[] | select(.kind=="tbf") | .handle, .root, .options]')" \
		'["1:",true,{"rate":125000,"burst":10000,"lat":25000}]' "host veth tbf"
	assert_eq "$(qd "$veth" '[.[] | select(.kind=="ingress") | .handle, .parent]')" \
		'["ffff:","ffff:fff1"]' "host veth ingress qdisc"
	# egress: the ifb (up, the veth's MTU, no queue) with its tbf
	l=$(h ip -j -d link show "$ifb")
	jq_eq "$l" '.[0].linkinfo.info_kind' ifb
	jq_eq "$l" '.[0].mtu' 1400
	jq_eq "$l" '.[0].flags | index("UP") != null' true
	jq_eq "$l" '.[0].txqlen // 0' 0
	assert_eq "$(qd "$ifb" '[.[] | .kind, .handle, .options]')" \
		'["tbf","1:",{"rate":250000,"burst":20000,"lat":25000}]' "ifb tbf"
	# the filter: u32, prio 1, all protocols, flow 1:1, redirect to the ifb
	f=$(h tc -j filter show dev "$veth" ingress | jq -c '[.[] | select(.options.actions)][0]')
	jq_eq "$f" '"\(.protocol) \(.pref) \(.kind) \(.options.flowid) \(.options.match.mask)"' "all 1 u32 1:1 0"
	jq_eq "$f" '.options.actions | map("\(.kind) \(.mirred_action) \(.direction) \(.to_dev) \(.control_action.type)") | join(",")' \
		"mirred redirect egress $ifb stolen,mirred redirect egress $ifb pass"
	# CHECK passes; then fails once a qdisc is gone
	cni bandwidth CHECK "$(bconf "$out" "$LIMITS")"
	h tc qdisc del dev "$ifb" root
	o=$(cni bandwidth CHECK "$(bconf "$out" "$LIMITS")") && fail "CHECK passed without the ifb's tbf"
	expect_error 108 "$o" "$ifb"
	h tc qdisc del dev "$veth" root
	o=$(cni bandwidth CHECK "$(bconf "$out" ',"ingressRate":1000000,"ingressBurst":80000')") &&
		fail "CHECK passed without the veth's tbf"
	expect_error 108 "$o" "ingressRate"
	# DEL removes the ifb; twice is fine
	cni bandwidth DEL "$conf"
	cni bandwidth DEL "$conf"
	h ip link show "$ifb" >/dev/null 2>&1 && fail "ifb left after DEL"
	true
}

test_after_bridge_runtime_config_and_precedence() {
	need_ifb
	bc=$(printf '{"cniVersion":"0.4.0","name":"%s","type":"bridge","bridge":"bwbr0","isGateway":true,"ipam":{"type":"host-local","dataDir":"%s","subnet":"10.78.9.0/24"}}' "$NET" "$T/ipam")
	prev=$(cni bridge ADD "$bc")
	veth=$(jq -r '.interfaces[1].name' <<<"$prev")
	# runtimeConfig alone is used
	conf=$(printf '{"cniVersion":"0.4.0","name":"%s","type":"bandwidth","runtimeConfig":{"bandwidth":{"egressRate":800000,"egressBurst":64000}},"prevResult":%s}' "$NET" "$prev")
	out=$(cni bandwidth ADD "$conf")
	ifb=$(ifb_of "$CID")
	jq_eq "$out" '.cniVersion' 0.4.0
	jq_eq "$out" '.interfaces | map(.name) | join(",")' "bwbr0,$veth,eth0,$ifb"
	assert_eq "$(qd "$ifb" '.[0].options')" '{"rate":100000,"burst":8000,"lat":25000}' "ifb tbf"
	assert_eq "$(qd "$veth" '[.[] | select(.kind=="tbf")] | length')" 0 "no ingress shaping asked"
	cni bandwidth CHECK "$(jq -c --argjson r "$out" '.prevResult = $r' <<<"$conf")"
	cni bandwidth DEL "$conf"
	# any of the four keys in the config wins over runtimeConfig as a whole
	conf=$(printf '{"cniVersion":"0.4.0","name":"%s","type":"bandwidth","ingressRate":0,"runtimeConfig":{"bandwidth":{"egressRate":800000,"egressBurst":64000}},"prevResult":%s}' "$NET" "$prev")
	out=$(cni bandwidth ADD "$conf")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$prev")" "result without limits"
	h ip link show "$ifb" >/dev/null 2>&1 && fail "ifb made though the config set no limits"
	true
}

test_no_limits_passes_prev_result_through() {
	prev=$(cni ptp ADD "$(pconf)")
	out=$(cni bandwidth ADD "$(bconf "$prev")")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$prev")" "result"
	assert_eq "$(h tc -j qdisc show | jq -c '[.[] | select(.kind=="tbf" or .kind=="ingress")]')" "[]" "qdiscs"
	o=$(cni bandwidth ADD '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","egressRate":8,"egressBurst":8}') &&
		fail "ADD without prevResult passed"
	expect_error 7 "$o" "prevResult"
	o=$(cni bandwidth ADD '{"cniVersion":"0.2.0","name":"bwnet","type":"bandwidth"}') && fail "0.2.0 accepted"
	expect_error 1 "$o"
	true
}

test_del_without_prev_result_and_with_netns_gone() {
	need_ifb
	prev=$(cni ptp ADD "$(pconf)")
	cni bandwidth ADD "$(bconf "$prev" "$LIMITS")" >/dev/null
	ifb=$(ifb_of "$CID")
	h ip link show "$ifb" >/dev/null || fail "no ifb"
	ip netns del "$NETNS"
	cni bandwidth DEL "{\"cniVersion\":\"1.0.0\",\"name\":\"$NET\",\"type\":\"bandwidth\"$LIMITS}"
	h ip link show "$ifb" >/dev/null 2>&1 && fail "ifb left"
	NETNS_PATH="" cni bandwidth DEL "{\"cniVersion\":\"1.0.0\",\"name\":\"$NET\",\"type\":\"bandwidth\"}"
}

test_gc_removes_the_ifbs_of_attachments_not_valid() {
	need_ifb
	prev=$(CID=keep cni ptp ADD "$(pconf)")
	CID=keep cni bandwidth ADD "$(bconf "$prev" "$LIMITS")" >/dev/null
	nb=$(mkns gl)
	prev2=$(CID=lost NETNS_PATH=/run/netns/$nb cni ptp ADD "$(pconf)")
	CID=lost NETNS_PATH=/run/netns/$nb cni bandwidth ADD "$(bconf "$prev2" "$LIMITS")" >/dev/null
	assert_eq "$(h ip -j link show "$(ifb_of keep)" | jq -r '.[0].ifalias')" "$NET keep eth0" "the ifb's tag"
	# an ifb of another network stays whatever GC says
	h ip link add bwpother0 type ifb
	h ip link set bwpother0 alias "othernet lost eth0"
	gc=$(printf '{"cniVersion":"1.1.0","name":"%s","type":"bandwidth","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}' "$NET")
	cni bandwidth GC "$gc" >/dev/null
	h ip link show "$(ifb_of lost)" >/dev/null 2>&1 && fail "lost's ifb survived GC"
	h ip link show "$(ifb_of keep)" >/dev/null || fail "keep's ifb was removed"
	h ip link show bwpother0 >/dev/null || fail "another network's ifb was removed"
}

# An ADD killed between making the ifb and tagging it leaves an ifb without
# a tag; its device group (set at creation) still says whose network it is.
test_gc_removes_an_untagged_ifb_of_the_network_s_group() {
	need_ifb
	for c in keep lost; do
		ns=$(mkns "u$c")
		prev=$(CID=$c NETNS_PATH=/run/netns/$ns cni ptp ADD "$(pconf)")
		CID=$c NETNS_PATH=/run/netns/$ns cni bandwidth ADD "$(bconf "$prev" "$LIMITS")" >/dev/null
		h ip link set "$(ifb_of "$c")" alias ""
	done
	group=$(h ip -j -d link show "$(ifb_of lost)" | jq -r '.[0].group')
	[ "$group" != default ] || fail "the ifb has no device group"
	# an untagged ifb of the default group is not ours to judge
	h ip link add bwpuntagged0 type ifb
	gc=$(printf '{"cniVersion":"1.1.0","name":"%s","type":"bandwidth","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}' "$NET")
	cni bandwidth GC "$gc" >/dev/null
	h ip link show "$(ifb_of lost)" >/dev/null 2>&1 && fail "lost's untagged ifb survived GC"
	h ip link show "$(ifb_of keep)" >/dev/null || fail "keep's untagged ifb was removed"
	h ip link show bwpuntagged0 >/dev/null || fail "an ifb of the default group was removed"
}

test_ifb_name_taken_names_the_device_and_the_kernel_reason() {
	need_ifb
	prev=$(cni ptp ADD "$(pconf)")
	veth=$(jq -r '.interfaces[0].name' <<<"$prev")
	ifb=$(ifb_of "$CID")
	# another link already has the ifb's name
	h ip link add "$ifb" type veth peer name bwclash
	o=$(cni bandwidth ADD "$(bconf "$prev" "$LIMITS")") && fail "ADD passed over a taken ifb name"
	expect_error 101 "$o"
	assert_contains "$(jq -r .msg <<<"$o")" "ifb link $ifb: create: File exists" "error names the ifb"
	# the ingress shaping made before it is gone again; the other link stays
	assert_eq "$(qd "$veth" '[.[] | .kind] | join(",")')" "noqueue" "qdiscs after the clash"
	h ip link show bwclash >/dev/null || fail "the other link was removed"
}

test_failed_add_leaves_nothing() {
	need_ifb
	prev=$(cni ptp ADD "$(pconf)")
	veth=$(jq -r '.interfaces[0].name' <<<"$prev")
	ifb=$(ifb_of "$CID")
	# the ingress qdisc is taken: the tbf and ifb already made go again
	h tc qdisc add dev "$veth" ingress
	o=$(cni bandwidth ADD "$(bconf "$prev" "$LIMITS")") && fail "ADD passed over a taken ingress qdisc"
	expect_error 101 "$o" "egressRate 2000000, egressBurst 160000: $veth: create ingress qdisc"
	h ip link show "$ifb" >/dev/null 2>&1 && fail "ifb left after a failed ADD"
	assert_eq "$(qd "$veth" '[.[] | .kind] | join(",")')" "noqueue,ingress" "qdiscs after a failed ADD"
	h tc qdisc del dev "$veth" ingress
	# a rate the kernel refuses (under one byte per second)
	o=$(cni bandwidth ADD "$(bconf "$prev" ',"egressRate":7,"egressBurst":80000,"ingressRate":8000,"ingressBurst":8000')") &&
		fail "ADD passed with egressRate 7"
	expect_error 101 "$o" "egressRate 7"
	h ip link show "$ifb" >/dev/null 2>&1 && fail "ifb left after a refused tbf"
	assert_eq "$(qd "$veth" '[.[] | .kind] | join(",")')" "noqueue" "qdiscs after a refused tbf"
	# the container interface is not a veth
	o=$(IFNAME=lo cni bandwidth ADD "$(bconf "$prev" "$LIMITS")") && fail "ADD on lo passed"
	expect_error 7 "$o" "container interface lo has no veth peer"
	o=$(IFNAME=eth9 cni bandwidth ADD "$(bconf "$prev" "$LIMITS")") && fail "ADD on a missing link passed"
	expect_error 107 "$o" "eth9"
	# prevResult does not list the host veth
	o=$(cni bandwidth ADD "$(bconf "$(jq -c '.interfaces[0].name = "vethother"' <<<"$prev")" "$LIMITS")") &&
		fail "ADD without the host veth in prevResult passed"
	expect_error 7 "$o" "$veth"
	h ip -o link show type ifb | grep -q . && fail "an ifb was left"
	true
}

test_bad_inputs_name_the_key() {
	prev=$(cni ptp ADD "$(pconf)")
	for k in ingressRate ingressBurst egressRate egressBurst; do
		for v in -1 '"1000"' 1.5 true; do
			o=$(cni bandwidth ADD "$(bconf "$prev" ",\"$k\":$v")") && fail "$k=$v accepted"
			expect_error 7 "$o" "$k"
		done
		o=$(cni bandwidth ADD "$(bconf "$prev" ",\"runtimeConfig\":{\"bandwidth\":{\"$k\":-5}}")") &&
			fail "runtimeConfig $k=-5 accepted"
		expect_error 7 "$o" "runtimeConfig.bandwidth.$k"
	done
	o=$(cni bandwidth ADD "$(bconf "$prev" ',"ingressRate":1000')") && fail "rate without burst"
	expect_error 7 "$o" "ingressBurst"
	o=$(cni bandwidth ADD "$(bconf "$prev" ',"egressBurst":1000')") && fail "burst without rate"
	expect_error 7 "$o" "egressRate"
	o=$(cni bandwidth ADD "$(bconf "$prev" ',"egressRate":1000,"egressBurst":34359738360')") && fail "burst of 4 GB"
	expect_error 7 "$o" "egressBurst: 34359738360"
	o=$(cni bandwidth ADD "$(bconf "$prev" ',"runtimeConfig":{"bandwidth":[1]}')") && fail "bandwidth array"
	expect_error 7 "$o" "runtimeConfig.bandwidth"
	# DEL and CHECK validate as ADD does
	o=$(cni bandwidth DEL "$(bconf "$prev" ',"ingressRate":1000')") && fail "DEL with rate without burst"
	expect_error 7 "$o" "ingressBurst"
	o=$(cni bandwidth CHECK "$(bconf "$prev" ',"ingressBurst":1000')") && fail "CHECK with burst without rate"
	expect_error 7 "$o" "ingressRate"
	assert_eq "$(h tc -j qdisc show | jq -c '[.[] | select(.kind=="tbf" or .kind=="ingress")]')" "[]" "qdiscs"
}

test_same_qdiscs_filter_and_result_as_the_reference() {
	[ -x "$REF_BIN/bandwidth" ] || skip "no reference bandwidth at $REF_BIN"
	need_ifb
	ns2=$(mkns r)
	# round numbers, odd numbers, and a huge burst at a tiny rate (where the
	# reference's 32-bit truncations show)
	for lim in "$LIMITS" \
		',"ingressRate":123457,"ingressBurst":45679,"egressRate":987654321,"egressBurst":1234567' \
		',"ingressRate":1000,"ingressBurst":34359738359,"egressRate":40000000000,"egressBurst":8000000'; do
		a=$(cni ptp ADD "$(pconf)")
		b=$(CID=refctr NETNS_PATH=/run/netns/$ns2 cni ptp ADD "$(pconf)")
		va=$(jq -r '.interfaces[0].name' <<<"$a")
		vb=$(jq -r '.interfaces[0].name' <<<"$b")
		ra=$(cni bandwidth ADD "$(bconf "$a" "$lim")")
		rb=$(CID=refctr NETNS_PATH=/run/netns/$ns2 ref bandwidth ADD "$(bconf "$b" "$lim")")
		ia=$(ifb_of "$CID")
		ib=$(ifb_of refctr)
		jq_eq "$rb" '.interfaces[2].name' "$ib"
		norm='del(.interfaces[].mac) | del(.interfaces[].sandbox) | .interfaces[0].name |= "V" | .interfaces[2].name |= "I" | del(.ips)'
		assert_eq "$(jq -cS "$norm" <<<"$ra")" "$(jq -cS "$norm" <<<"$rb")" "result for $lim"
		for dev in "$va $vb" "$ia $ib"; do
			set -- $dev
			assert_eq "$(h tc -d -j qdisc show dev "$1" | jq -c 'map(del(.dev))')" \
				"$(h tc -d -j qdisc show dev "$2" | jq -c 'map(del(.dev))')" "qdiscs of $1 for $lim"
		done
		# (action indexes count up per namespace)
		flt='map(if .options.actions then .options.actions |= map(del(.index)) else . end)'
		assert_eq "$(h tc -j filter show dev "$va" ingress | sed "s/$ia/IFB/g" | jq -c "$flt")" \
			"$(h tc -j filter show dev "$vb" ingress | sed "s/$ib/IFB/g" | jq -c "$flt")" "filters for $lim"
		# the same link, but for ccni's tag in its alias (for GC; the
		# reference leaves none)
		assert_eq "$(h ip -j -d link show "$ia" | jq -r '.[0].ifalias')" "$NET $CID eth0" "ccni's ifb alias"
		[ "$(h ip -j -d link show "$ia" | jq -r '.[0].group')" != default ] || fail "ccni's ifb has no group"
		assert_eq "$(h ip -j -d link show "$ia" | jq -c '.[0] | del(.ifindex, .ifname, .address, .operstate, .ifalias, .group)')" \
			"$(h ip -j -d link show "$ib" | jq -c '.[0] | del(.ifindex, .ifname, .address, .operstate, .group)')" "ifb links"
		# each accepts the other's state in CHECK
		cni bandwidth CHECK "$(bconf "$ra" "$lim")"
		cni bandwidth DEL "$(bconf "$ra" "$lim")"
		CID=refctr NETNS_PATH=/run/netns/$ns2 ref bandwidth DEL "$(bconf "$rb" "$lim")"
		cni ptp DEL "$(pconf)"
		CID=refctr NETNS_PATH=/run/netns/$ns2 cni ptp DEL "$(pconf)"
	done
}

# rate_of NS-RECV ADDR NS-SEND: send 3 MB over TCP from NS-SEND to a listener
# in NS-RECV at ADDR; print the receiver's rate (bytes per second, from the
# first byte to the end).
rate_of() {
	local recv=$1 addr=$2 send=$3 port=$((20000 + RANDOM % 20000)) size=3000000
	(in_ns "$recv" timeout 30 socat -u "TCP-LISTEN:$port,bind=$addr,reuseaddr" STDOUT |
		{ dd bs=1 count=1 status=none >/dev/null; date +%s.%N >"$T/t0"; wc -c >"$T/n"; date +%s.%N >"$T/t1"; }) &
	local lpid=$! i
	for i in $(seq 50); do
		in_ns "$recv" ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	head -c "$size" /dev/zero | in_ns "$send" timeout 30 socat -u STDIN "TCP:$addr:$port" ||
		fail "transfer to $addr failed"
	wait "$lpid"
	awk -v n="$(cat "$T/n")" -v a="$(cat "$T/t0")" -v b="$(cat "$T/t1")" 'BEGIN { printf "%d", n / (b - a) }'
}

test_achieved_rate_within_20_percent_both_ways() {
	need_ifb
	command -v socat >/dev/null || skip "no socat"
	prev=$(cni ptp ADD "$(pconf)")
	cip=$(jq -r '.ips[0].address | split("/")[0]' <<<"$prev")
	gw=$(jq -r '.ips[0].gateway' <<<"$prev")
	# 8 Mbit/s to the container, 12 Mbit/s from it (bytes: 1000000, 1500000)
	cni bandwidth ADD "$(bconf "$prev" ',"ingressRate":8000000,"ingressBurst":100000,"egressRate":12000000,"egressBurst":100000')" >/dev/null
	r=$(rate_of "$NETNS" "$cip" "$HOSTNS")
	echo "ingress: $r bytes/s for a limit of 1000000" >&2
	[ "$r" -ge 800000 ] && [ "$r" -le 1200000 ] || fail "ingress rate $r not within 20% of 1000000"
	r=$(rate_of "$HOSTNS" "$gw" "$NETNS")
	echo "egress: $r bytes/s for a limit of 1500000" >&2
	[ "$r" -ge 1200000 ] && [ "$r" -le 1800000 ] || fail "egress rate $r not within 20% of 1500000"
}

run_tests
