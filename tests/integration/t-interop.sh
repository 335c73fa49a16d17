#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interoperability: ccni's runtime (the ccni CLI) drives Debian's Go
# reference plugins, alone and mixed with ccni's plugins in one chain:
# bridge + host-local + portmap + tuning, ADD / CHECK / DEL, asserting the
# kernel state and the result JSON.
#
# Debian's reference portmap cannot pass CHECK for an IPv4 mapping when
# ip6tables works: it also looks for its IPv4 rules in ip6tables ("could not
# check ipv6 dnat"). Chains with that plugin expect exactly this failure.
. "$(dirname "$0")/lib.sh"

need_ref() {
	for p in bridge host-local portmap tuning; do
		[ -x "$REF_BIN/$p" ] || skip "no reference plugin $REF_BIN/$p (containernetworking-plugins)"
	done
}
# bin DIR TYPE=SRC...: a plugin dir whose TYPE links to SRC's binary.
bin() {
	local d=$1
	shift
	mkdir -p "$d"
	for kv in "$@"; do
		ln -sf "${kv#*=}/${kv%%=*}" "$d/${kv%%=*}"
	done
}
cli() {
	ip netns exec "$HOSTNS" env NETCONFPATH="$T/net.d" CNI_PATH="$CNI_PATH" \
		CNI_CACHE_DIR="$T/cache" CAP_ARGS="$CAP_ARGS" $CCNI_WRAP "$CCNI_CLI" "$@" 2>"$T/cli.err"
}
chain_conf() {
	mkdir -p "$T/net.d"
	cat >"$T/net.d/10-mix.conflist" <<EOF
{"cniVersion":"1.0.0","name":"mix","plugins":[
 {"type":"bridge","bridge":"mix0","isGateway":true,"isDefaultGateway":true,"ipMasq":true,
  "ipam":{"type":"host-local","dataDir":"$T/ipam","ranges":[[{"subnet":"10.97.0.0/24"}],[{"subnet":"fd00:97::/64"}]]}},
 {"type":"portmap","capabilities":{"portMappings":true}},
 {"type":"tuning","mtu":1400,"sysctl":{"net.ipv4.conf.eth0.arp_notify":"1"}}]}
EOF
}
CAP_ARGS='{"portMappings":[{"hostPort":8097,"containerPort":80,"protocol":"tcp"}]}'

# check_chain: CHECK passes, or fails only with the reference portmap's bug.
check_chain() {
	if [ "$(readlink -f "${CNI_PATH%%:*}/portmap")" = "$(readlink -f "$REF_BIN/portmap")" ]; then
		cli check mix "$NETNS_PATH" && return 0
		assert_contains "$(cat "$T/cli.err")" 'plugin "portmap" CHECK: could not check ipv6 dnat'
	else
		cli check mix "$NETNS_PATH" || fail "CHECK: $(cat "$T/cli.err")"
	fi
}
# run_chain: ADD, state checks, CHECK, DEL, nothing left.
run_chain() {
	chain_conf
	out=$(cli add mix "$NETNS_PATH") || fail "ADD: $(cat "$T/cli.err") $out"
	jq_eq "$out" '.ips[0].address' "10.97.0.2/24"
	jq_eq "$out" '[.interfaces[] | select(.sandbox)] | .[0].name' eth0
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].mtu' 1400
	assert_eq "$(in_ns "$NETNS" sysctl -n net.ipv4.conf.eth0.arp_notify)" 1 "tuning sysctl"
	jq_eq "$(in_ns "$NETNS" ip -j route show default)" '.[0].gateway' 10.97.0.1
	jq_eq "$(in_host ip -j addr show mix0)" '[.[0].addr_info[] | select(.family=="inet") | .local] | .[0]' 10.97.0.1
	[ -f "$T/ipam/mix/10.97.0.2" ] || fail "no host-local reservation file"
	check_chain
	cli del mix "$NETNS_PATH" || fail "DEL: $(cat "$T/cli.err")"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left after DEL"
	[ -e "$T/ipam/mix/10.97.0.2" ] && fail "reservation left after DEL"
	assert_eq "$(in_host ip -o link show master mix0 | wc -l)" 0 "ports left on mix0"
	true
}

test_runtime_drives_the_reference_plugins() {
	need_ref
	CNI_PATH=$REF_BIN
	run_chain
	# the reference portmap's chains were written and removed
	assert_not_contains "$(in_host iptables -t nat -S 2>/dev/null)" "10.97.0.2:80"
}

test_mixed_chain_ccni_bridge_with_reference_meta_plugins() {
	need_ref
	CNI_PATH=$T/mixbin
	bin "$T/mixbin" bridge="$CCNI_BIN" host-local="$REF_BIN" portmap="$REF_BIN" tuning="$CCNI_BIN"
	run_chain
}

test_mixed_chain_reference_bridge_with_ccni_meta_plugins() {
	need_ref
	CNI_PATH=$T/mixbin
	bin "$T/mixbin" bridge="$REF_BIN" host-local="$CCNI_BIN" portmap="$CCNI_BIN" tuning="$REF_BIN"
	chain_conf
	out=$(cli add mix "$NETNS_PATH") || fail "ADD: $(cat "$T/cli.err") $out"
	# ccni's portmap mapped the port for the reference bridge's address
	jq_eq "$(in_host nft -j list map inet ccni_portmap dnat4)" \
		'[.nftables[] | select(.map) | .map.elem[]] | length' 1
	cli check mix "$NETNS_PATH" || fail "CHECK: $(cat "$T/cli.err")"
	cli del mix "$NETNS_PATH" || fail "DEL: $(cat "$T/cli.err")"
	jq_eq "$(in_host nft -j list map inet ccni_portmap dnat4)" \
		'[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	[ -e "$T/ipam/mix/10.97.0.2" ] && fail "reservation left after DEL"
	true
}

run_tests
