#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# portmap after bridge: real traffic through host ports (tcp/udp, v4/v6,
# from the host, localhost, a second namespace and hairpin), kernel state,
# conflicts, DEL with and without prevResult, the iptables backend.
. "$(dirname "$0")/lib.sh"

h() { in_host "$@"; }
command -v socat >/dev/null || { echo "skip: socat missing"; }

bridge_conf() {
	printf '{"cniVersion":"1.0.0","name":"pmnet","type":"bridge","bridge":"pm0","isGateway":true,"isDefaultGateway":true,"hairpinMode":true,"ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.89.0.0/24"}],[{"subnet":"fd00:89::/64"}]]}}' "$T/ipam"
}
# pm_conf PREV MAPPINGS [EXTRA]: a portmap config with prevResult.
pm_conf() {
	printf '{"cniVersion":"1.0.0","name":"pmnet","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":%s}%s,"prevResult":%s}' "$2" "${3:-}" "$1"
}
attach() { # NS-PATH CID -> prints the bridge result
	CID=$2 NETNS_PATH=$1 cni bridge ADD "$(bridge_conf)"
}
# serve NS PROTO PORT: an echo-ish server answering "hello-from-NS". It reads
# the client's line first: a program that exits before socat has handed it
# the client's data makes socat fail on the write and drop the answer.
serve() {
	local opt=TCP-LISTEN
	[ "$2" = udp ] && opt=UDP-RECVFROM
	in_ns "$1" socat -T3 -t3 "$opt:$3,fork,reuseaddr" SYSTEM:"read -r _; echo hello-from-$1" >/dev/null 2>&1 &
	wait_listen "$1" "$2" "$3"
}
# ask NS PROTO HOST PORT: prints the answer ("" when none). Both ends wait
# (-t) for the other's data after their own input ends: socat's default of
# 0.5 s is less than a loaded machine can take to start the server's echo.
ask() {
	local t=TCP
	[ "$2" = udp ] && t=UDP
	if [ "$1" = host ]; then
		echo ping | h timeout 6 socat -T3 -t3 - "$t:$3:$4" 2>/dev/null || true
	else
		echo ping | in_ns "$1" timeout 6 socat -T3 -t3 - "$t:$3:$4" 2>/dev/null || true
	fi
}

test_tcp_and_udp_reach_the_container_v4() {
	command -v socat >/dev/null || skip "socat missing"
	prev=$(attach "$NETNS_PATH" "$CID")
	c=$(pm_conf "$prev" '[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp"}]')
	out=$(cni portmap ADD "$c")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$prev")" "portmap passes prevResult on"
	serve "$NETNS" tcp 80
	serve "$NETNS" udp 53
	assert_eq "$(ask host tcp 10.89.0.1 8080)" "hello-from-$NETNS" "host -> bridge IP:8080"
	assert_eq "$(ask host tcp 127.0.0.1 8080)" "hello-from-$NETNS" "host -> localhost:8080"
	assert_eq "$(ask host udp 10.89.0.1 5353)" "hello-from-$NETNS" "udp host -> bridge IP:5353"
	ns2=$(mkns b)
	attach "/run/netns/$ns2" other >/dev/null
	assert_eq "$(ask "$ns2" tcp 10.89.0.1 8080)" "hello-from-$NETNS" "second namespace -> host port"
	assert_eq "$(ask "$NETNS" tcp 10.89.0.1 8080)" "hello-from-$NETNS" "hairpin"
	assert_eq "$(ask host udp 127.0.0.1 5353)" "hello-from-$NETNS" "udp host -> localhost:5353"
	assert_eq "$(ask "$ns2" udp 10.89.0.1 5353)" "hello-from-$NETNS" "udp second namespace -> host port"
	assert_eq "$(ask "$NETNS" udp 10.89.0.1 5353)" "hello-from-$NETNS" "udp hairpin"
	# kernel state: the map holds exactly our two entries
	m=$(h nft -j list map inet ccni_portmap dnat4)
	jq_eq "$m" '[.nftables[] | select(.map) | .map.elem[]] | length' 2
	# hairpin: the address jumps to its prefix length's chain and set
	jq_eq "$(h nft -j list map inet ccni_portmap hairpin4)" \
		'[.nftables[] | select(.map) | .map.elem[] | "\(.[0].elem.val) \(.[1].jump.target)"] | join(",")' "10.89.0.2 hp4_24"
	jq_eq "$(h nft -j list set inet ccni_portmap hp4_24)" \
		'[.nftables[] | select(.set) | .set.elem[] | .elem.val.concat | join(" ")] | join(",")' "10.89.0.0 10.89.0.2"
	assert_contains "$(h nft list chain inet ccni_portmap hp4_24)" "ip saddr & 255.255.255.0 . ip daddr @hp4_24 masquerade" "hairpin rule"
	cni portmap DEL "$c"
	assert_eq "$(ask host tcp 10.89.0.1 8080)" "" "still forwarded after DEL"
	assert_eq "$(ask "$ns2" tcp 10.89.0.1 8080)" "" "still forwarded to the second namespace after DEL"
	m=$(h nft -j list map inet ccni_portmap dnat4)
	jq_eq "$m" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	jq_eq "$(h nft -j list set inet ccni_portmap local4)" '[.nftables[] | select(.set) | .set.elem // [] | length] | add' 0
	jq_eq "$(h nft -j list map inet ccni_portmap hairpin4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	jq_eq "$(h nft -j list set inet ccni_portmap hp4_24)" '[.nftables[] | select(.set) | .set.elem // [] | length] | add' 0
}

test_check_compares_the_kernel_maps() {
	prev=$(attach "$NETNS_PATH" "$CID")
	c=$(pm_conf "$prev" '[{"hostPort":8087,"containerPort":80,"protocol":"tcp"},{"hostPort":8088,"containerPort":88,"protocol":"udp"}]')
	cni portmap ADD "$c" >/dev/null
	cni portmap CHECK "$c" >/dev/null || fail "CHECK after ADD: $(cat "$T/stderr")"
	h nft delete element inet ccni_portmap dnat4 '{ udp . 8088 }'
	out=$(cni portmap CHECK "$c") && fail "CHECK passed with a mapping gone"
	expect_error 108 "$out" "8088/udp"
	h nft delete element inet ccni_portmap dnat6 '{ udp . 8088 }'
	h nft add element inet ccni_portmap dnat4 '{ udp . 8088 : 10.89.0.99 . 88 }'
	out=$(cni portmap CHECK "$c") && fail "CHECK passed with a mapping to another address"
	expect_error 108 "$out" "10.89.0.2"
	cni portmap DEL "$c"
}

test_stale_udp_flow_is_flushed() {
	command -v socat >/dev/null || skip "socat missing"
	prev=$(attach "$NETNS_PATH" "$CID")
	ns2=$(mkns d)
	attach "/run/netns/$ns2" other >/dev/null
	serve "$NETNS" udp 53
	# conntrack runs in a namespace only once some rule needs it (on a real
	# host, masquerading or kube-proxy has switched it on)
	h nft add table ip ccni_test_ct
	h nft add chain ip ccni_test_ct pre '{ type filter hook prerouting priority 0; }'
	h nft add rule ip ccni_test_ct pre ct state new counter
	# a datagram to the host port before it is mapped: conntrack keeps that
	# flow un-NATed, and later datagrams of the same flow would follow it
	echo early | in_ns "$ns2" timeout 2 socat -T1 - UDP:10.89.0.1:5300,sourceport=40123 >/dev/null 2>&1 || true
	command -v conntrack >/dev/null || skip "conntrack (the tool) missing"
	[ -n "$(h conntrack -L -p udp --orig-port-dst 5300 2>/dev/null)" ] || fail "no stale flow to begin with"
	cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":5300,"containerPort":53,"protocol":"udp"}]')" >/dev/null
	# the flush runs detached from ADD: the stale entry goes within moments
	for _ in $(seq 100); do
		[ -z "$(h conntrack -L -p udp --orig-port-dst 5300 2>/dev/null)" ] && break
		sleep 0.05
	done
	assert_eq "$(h conntrack -L -p udp --orig-port-dst 5300 2>/dev/null)" "" "stale flow left in conntrack"
	assert_eq "$(echo ping | in_ns "$ns2" timeout 6 socat -T3 -t3 - UDP:10.89.0.1:5300,sourceport=40123 2>/dev/null || true)" \
		"hello-from-$NETNS" "same UDP flow after the mapping"
}

test_v6_mapping() {
	command -v socat >/dev/null || skip "socat missing"
	prev=$(attach "$NETNS_PATH" "$CID")
	cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":8086,"containerPort":86,"protocol":"tcp"},{"hostPort":5386,"containerPort":53,"protocol":"udp"}]')" >/dev/null
	in_ns "$NETNS" socat -T3 -t3 TCP6-LISTEN:86,fork,reuseaddr SYSTEM:"read -r _; echo v6-hello" >/dev/null 2>&1 &
	in_ns "$NETNS" socat -T3 -t3 UDP6-RECVFROM:53,fork,reuseaddr SYSTEM:"read -r _; echo v6-udp" >/dev/null 2>&1 &
	wait_listen "$NETNS" tcp 86
	wait_listen "$NETNS" udp 53
	ns2=$(mkns e)
	attach "/run/netns/$ns2" other >/dev/null
	v6() { # NS PROTO: ask [fd00:89::1] through the host port
		local where=$1 t=TCP6 port=8086
		[ "$2" = udp ] && t=UDP6 port=5386
		if [ "$where" = host ]; then
			echo x | h timeout 6 socat -T3 -t3 - "$t:[fd00:89::1]:$port" 2>/dev/null || true
		else
			echo x | in_ns "$where" timeout 6 socat -T3 -t3 - "$t:[fd00:89::1]:$port" 2>/dev/null || true
		fi
	}
	assert_eq "$(v6 host tcp)" "v6-hello" "v6 tcp host -> bridge address"
	assert_eq "$(v6 host udp)" "v6-udp" "v6 udp host -> bridge address"
	assert_eq "$(v6 "$ns2" tcp)" "v6-hello" "v6 tcp from a second namespace"
	assert_eq "$(v6 "$NETNS" tcp)" "v6-hello" "v6 hairpin"
	jq_eq "$(h nft -j list map inet ccni_portmap dnat6)" '[.nftables[] | select(.map) | .map.elem[]] | length' 2
	cni portmap DEL "$(pm_conf "$prev" '[{"hostPort":8086,"containerPort":86,"protocol":"tcp"},{"hostPort":5386,"containerPort":53,"protocol":"udp"}]')"
	assert_eq "$(v6 host tcp)" "" "v6 still forwarded after DEL"
}

test_host_ip_restricts_the_mapping() {
	command -v socat >/dev/null || skip "socat missing"
	prev=$(attach "$NETNS_PATH" "$CID")
	h ip addr add 192.168.99.1/32 dev lo
	cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":8081,"containerPort":80,"protocol":"tcp","hostIP":"192.168.99.1"}]')" >/dev/null
	serve "$NETNS" tcp 80
	# (the container answers 192.168.99.1 through its default route)
	assert_eq "$(ask host tcp 192.168.99.1 8081)" "hello-from-$NETNS" "via hostIP"
	assert_eq "$(ask host tcp 10.89.0.1 8081)" "" "other address must not forward"
	jq_eq "$(h nft -j list map inet ccni_portmap dnat4ip)" '[.nftables[] | select(.map) | .map.elem[]] | length' 1
}

test_conflict_is_a_clear_error() {
	prev=$(attach "$NETNS_PATH" "$CID")
	cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":8082,"containerPort":80,"protocol":"tcp"}]')" >/dev/null
	ns2=$(mkns c)
	prev2=$(attach "/run/netns/$ns2" second)
	out=$(CID=second NETNS_PATH=/run/netns/$ns2 cni portmap ADD "$(pm_conf "$prev2" '[{"hostPort":8082,"containerPort":81,"protocol":"tcp"}]')") && fail "conflict accepted"
	expect_error 104 "$out" "8082/tcp"
	assert_contains "$(jq -r .msg <<<"$out")" "$CID"
	# the loser's DEL (a runtime cleans up after a failed ADD) leaves the
	# winner's mapping alone
	CID=second NETNS_PATH=/run/netns/$ns2 cni portmap DEL "$(pm_conf "$prev2" '[{"hostPort":8082,"containerPort":81,"protocol":"tcp"}]' | jq -c 'del(.prevResult)')"
	jq_eq "$(h nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem[]] | length' 1
	# and with a prevResult too: the key is the winner's, so it stays
	CID=second NETNS_PATH=/run/netns/$ns2 cni portmap DEL "$(pm_conf "$prev2" '[{"hostPort":8082,"containerPort":81,"protocol":"tcp"}]')"
	jq_eq "$(h nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem[] | .[0].elem.comment] | join(",")' "pmnet $CID eth0"
}

# tags: every element's comment in table ccni_portmap, sorted.
tags() { h nft -j list table inet ccni_portmap | jq -r '[.nftables[] | (.map // .set) | select(.) | .elem[]? | (if type == "array" then .[0] else . end) | .elem.comment] | sort | join(",")'; }
M8090='[{"hostPort":8090,"containerPort":80,"protocol":"tcp"}]'

test_retried_del_leaves_the_entries_of_the_address_s_new_owner() {
	prev=$(attach "$NETNS_PATH" a)
	CID=a cni portmap ADD "$(pm_conf "$prev" "$M8090")" >/dev/null
	CID=a cni bridge DEL "$(bridge_conf)"
	CID=a cni portmap DEL "$(pm_conf "$prev" "$M8090")"
	# a's address goes to b, which maps another port; then a's DEL again
	nb=$(mkns rb)
	prev2=$(CID=b NETNS_PATH=/run/netns/$nb CNI_ARGS_T="IgnoreUnknown=1;IP=10.89.0.2" cni bridge ADD "$(bridge_conf)")
	jq_eq "$prev2" '.ips[0].address' 10.89.0.2/24
	CID=b NETNS_PATH=/run/netns/$nb cni portmap ADD "$(pm_conf "$prev2" '[{"hostPort":8091,"containerPort":80,"protocol":"tcp"}]')" >/dev/null
	before=$(tags)
	assert_not_contains "$before" "pmnet a eth0" "a's entries after its DEL"
	CID=a cni portmap DEL "$(pm_conf "$prev" "$M8090")"
	assert_eq "$(tags)" "$before" "b's entries after a's retried DEL"
}

test_del_told_other_or_fewer_mappings_removes_all_add_made() {
	prev=$(attach "$NETNS_PATH" "$CID")
	two='[{"hostPort":8092,"containerPort":80,"protocol":"tcp"},{"hostPort":8093,"containerPort":80,"protocol":"udp"}]'
	cni portmap ADD "$(pm_conf "$prev" "$two")" >/dev/null
	# DEL given one of the two mappings
	cni portmap DEL "$(pm_conf "$prev" '[{"hostPort":8092,"containerPort":80,"protocol":"tcp"}]')"
	assert_eq "$(tags)" "" "entries after a DEL told one of two mappings"
	cni portmap ADD "$(pm_conf "$prev" "$two")" >/dev/null
	# DEL given another mapping altogether
	cni portmap DEL "$(pm_conf "$prev" '[{"hostPort":9099,"containerPort":80,"protocol":"tcp"}]')"
	assert_eq "$(tags)" "" "entries after a DEL told other mappings"
	# so the next pod can map those ports
	nb=$(mkns nx)
	prev2=$(CID=next NETNS_PATH=/run/netns/$nb attach "/run/netns/$nb" next)
	CID=next NETNS_PATH=/run/netns/$nb cni portmap ADD "$(pm_conf "$prev2" "$two")" >/dev/null
}

test_gc_removes_the_entries_of_attachments_not_valid() {
	prev=$(attach "$NETNS_PATH" keep)
	CID=keep cni portmap ADD "$(pm_conf "$prev" "$M8090")" >/dev/null
	nb=$(mkns gl)
	prev2=$(attach "/run/netns/$nb" lost)
	CID=lost NETNS_PATH=/run/netns/$nb cni portmap ADD "$(pm_conf "$prev2" '[{"hostPort":8094,"containerPort":80,"protocol":"udp"}]' ',"masqAll":true')" >/dev/null
	assert_contains "$(tags)" "pmnet lost eth0" "lost's entries before GC"
	gc='{"cniVersion":"1.1.0","name":"pmnet","type":"portmap","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}'
	cni portmap GC "$gc" >/dev/null
	t=$(tags)
	assert_not_contains "$t" "pmnet lost eth0" "lost's entries after GC"
	assert_eq "$(tr ',' '\n' <<<"$t" | sort -u)" "pmnet keep eth0" "only keep's entries"
	jq_eq "$(h nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem[] | "\(.[0].elem.val.concat | join(" ")) \(.[0].elem.comment)"] | join(",")' "tcp 8090 pmnet keep eth0"
}

test_no_mappings_does_no_firewall_work() {
	prev=$(attach "$NETNS_PATH" "$CID")
	out=$(cni portmap ADD "$(pm_conf "$prev" '[]')")
	assert_eq "$(jq -cS . <<<"$out")" "$(jq -cS . <<<"$prev")"
	h nft list table inet ccni_portmap >/dev/null 2>&1 && fail "table made without mappings"
	cni portmap DEL "$(pm_conf "$prev" '[]')"
}

test_del_without_prev_result_finds_the_entries() {
	prev=$(attach "$NETNS_PATH" "$CID")
	cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":8083,"containerPort":80,"protocol":"tcp"},{"hostPort":8084,"containerPort":80,"protocol":"udp"}]' ',"masqAll":true')" >/dev/null
	cni portmap DEL '{"cniVersion":"1.0.0","name":"pmnet","type":"portmap"}'
	t=$(h nft -j list table inet ccni_portmap)
	jq_eq "$t" '[.nftables[] | (.map // .set) | select(.) | .elem // [] | length] | add' 0
	cni portmap DEL '{"cniVersion":"1.0.0","name":"pmnet","type":"portmap"}'
}

test_conditions_use_rules_of_their_own() {
	command -v socat >/dev/null || skip "socat missing"
	prev=$(attach "$NETNS_PATH" "$CID")
	c=$(pm_conf "$prev" '[{"hostPort":8085,"containerPort":80,"protocol":"tcp"}]' ',"conditionsV4":["ip","saddr","!=","10.89.0.0/24"]')
	cni portmap ADD "$c" >/dev/null
	serve "$NETNS" tcp 80
	assert_eq "$(ask host tcp 127.0.0.1 8085)" "hello-from-$NETNS" "allowed source"
	jq_eq "$(h nft -j list chain inet ccni_portmap conditional)" '[.nftables[] | select(.rule)] | length' 1
	cni portmap DEL "$c"
	jq_eq "$(h nft -j list chain inet ccni_portmap conditional)" '[.nftables[] | select(.rule)] | length' 0
}

test_iptables_backend() {
	command -v iptables-restore >/dev/null || skip "no iptables-restore"
	h iptables -t nat -S >/dev/null 2>&1 || skip "iptables cannot work here"
	command -v socat >/dev/null || skip "socat missing"
	prev=$(attach "$NETNS_PATH" "$CID")
	c=$(pm_conf "$prev" '[{"hostPort":8090,"containerPort":80,"protocol":"tcp"}]' ',"backend":"iptables"')
	cni portmap ADD "$c" >/dev/null
	rules=$(h iptables -t nat -S)
	assert_contains "$rules" "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"
	assert_contains "$rules" "-j DNAT --to-destination 10.89.0.2:80"
	assert_contains "$rules" "-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE"
	serve "$NETNS" tcp 80
	assert_eq "$(ask host tcp 10.89.0.1 8090)" "hello-from-$NETNS" "iptables DNAT"
	cni portmap DEL "$c"
	assert_not_contains "$(h iptables -t nat -S)" "10.89.0.2:80"
	assert_not_contains "$(h iptables -t nat -S)" "CNI-DN-"
}

test_bad_input_names_the_key() {
	prev=$(attach "$NETNS_PATH" "$CID")
	out=$(cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":0,"containerPort":80}]')") && fail accepted
	expect_error 7 "$out" "hostPort"
	out=$(cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":80,"containerPort":80,"protocol":"icmp"}]')") && fail accepted
	expect_error 7 "$out" '"icmp"'
	out=$(cni portmap ADD "$(pm_conf "$prev" '[{"hostPort":80,"containerPort":80,"hostIP":"nope"}]')") && fail accepted
	expect_error 7 "$out" '"nope"'
	out=$(cni portmap ADD "$(pm_conf "$prev" '[]' ',"backend":"pf"')") && fail accepted
	expect_error 7 "$out" '"pf"'
	out=$(cni portmap ADD "$(pm_conf "$prev" '[]' ',"markMasqBit":40')") && fail accepted
	expect_error 7 "$out" "markMasqBit"
	out=$(cni portmap ADD "$(pm_conf "$prev" '[]' ',"markMasqBit":3,"externalSetMarkChain":"X"')") && fail accepted
	expect_error 7 "$out" "externalSetMarkChain"
	out=$(cni portmap ADD '{"cniVersion":"1.0.0","name":"pmnet","type":"portmap"}') && fail accepted
	expect_error 7 "$out" "prevResult"
}

run_tests
