#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ccni exec as a container runtime runs a program: lo up, its address and
# MAC through the ips and mac capabilities, /etc/resolv.conf and /etc/hosts
# from the results seen by the program only, eth0, eth1, ... for several
# networks, --ifname, the program's exit status, signals passed on, and
# what a killed ccni left collected by the next ccni gc.
. "$(dirname "$0")/lib.sh"

# setup: networks ex (10.66.0.0/24, DNS from a resolv.conf) and ex2
# (10.67.0.0/24, other DNS) on bridges in the host namespace.
setup() {
	mkdir -p "$T/net.d" "$T/cache"
	printf 'nameserver 10.9.9.53\nsearch corp.test\noptions ndots:3\n' >"$T/dns1"
	printf 'nameserver 10.9.9.54\ndomain two.test\n' >"$T/dns2"
	net ex br66 10.66.0.0/24 "$T/dns1"
	net ex2 br67 10.67.0.0/24 "$T/dns2"
	export NETCONFPATH=$T/net.d CNI_PATH=$CCNI_BIN CNI_CACHE_DIR=$T/cache
}
net() { # NAME BRIDGE SUBNET RESOLV
	printf '{"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"bridge","bridge":"%s","isGateway":true,"capabilities":{"ips":true,"mac":true},"ipam":{"type":"host-local","dataDir":"%s","resolvConf":"%s","ranges":[[{"subnet":"%s"}]]}}]}' \
		"$1" "$2" "$T/ipam" "$4" "$3" >"$T/net.d/$1.conflist"
}
# cli ARGS...: ccni in the test's host network namespace. nsenter, not `ip
# netns exec`: that one gives a mount namespace of its own, in which the
# namespace exec binds under /run/netns would stay (and a later gc, in
# another one, would not see it), where a user's shell has none.
cli() {
	nsenter --net="/run/netns/$HOSTNS" env NETCONFPATH="$NETCONFPATH" CNI_PATH="$CNI_PATH" \
		CNI_CACHE_DIR="$CNI_CACHE_DIR" $CCNI_WRAP "$CCNI_CLI" "$@"
}
# wait_file F: until F exists (the program wrote it), at most 10 s.
wait_file() {
	local i
	for i in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
	fail "$1 never appeared"
}

test_lo_up_address_hosts_and_resolv_conf_for_the_program_only() {
	setup
	local before
	before=$(sha256sum /etc/resolv.conf /etc/hosts 2>/dev/null)
	out=$(cli exec --net ex -- sh -c 'ip -j addr show; echo ---; cat /etc/resolv.conf; echo ---; cat /etc/hosts')
	addrs=${out%%---*}
	jq_eq "$addrs" '.[] | select(.ifname=="lo") | .flags | index("UP") != null' true
	jq_eq "$addrs" '.[] | select(.ifname=="lo") | [.addr_info[].local] | join(",")' "127.0.0.1,::1"
	jq_eq "$addrs" '.[] | select(.ifname=="eth0") | [.addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")' 10.66.0.2/24
	rest=${out#*---$'\n'}
	assert_eq "${rest%%---*}" $'nameserver 10.9.9.53\nsearch corp.test\noptions ndots:3\n' "resolv.conf"
	assert_eq "${rest#*---$'\n'}" "$(printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.66.0.2\t%s' "$(hostname)")" "hosts"
	# nothing changed or mounted outside the program
	assert_eq "$(sha256sum /etc/resolv.conf /etc/hosts 2>/dev/null)" "$before" "the host's files"
	assert_not_contains "$(grep -E ' /etc/(resolv.conf|hosts) ' /proc/self/mountinfo)" ccni "host mounts"
	assert_eq "$(ls /run/netns | grep -c "^ccni-exec-$$" || true)" 0 "netns left"
}

test_ip_and_mac_through_capabilities() {
	setup
	out=$(cli exec --net ex --ip 10.66.0.77 --mac 02:11:22:33:44:55 -- ip -j addr show eth0)
	jq_eq "$out" '.[0].address' 02:11:22:33:44:55
	jq_eq "$out" '[.[0].addr_info[] | select(.family=="inet") | .local] | join(",")' 10.66.0.77
	# an address outside the range is the plugin's error, and nothing stays
	out=$(cli exec --net ex --ip 10.99.0.5 -- true 2>&1) && fail "an address outside the range accepted"
	assert_contains "$out" "10.99.0.5"
	out=$(cli exec --net ex --mac nope -- true 2>&1) && fail "a bad MAC accepted"
	assert_contains "$out" "--mac nope: not a MAC address"
	assert_eq "$(ls "$T/ipam/ex" | grep -c '^10\.')" 0 "addresses left"
}

test_several_networks_get_eth0_eth1_and_ifname() {
	setup
	out=$(cli exec --net ex --net ex2 --ip 10.67.0.9 -- sh -c 'ip -j -4 addr show; echo ---; cat /etc/resolv.conf')
	jq_eq "${out%%---*}" '[.[] | select(.ifname | startswith("eth")) | "\(.ifname)=\(.addr_info[0].local)"] | join(",")' \
		"eth0=10.66.0.2,eth1=10.67.0.9"
	# both results' DNS, each value once
	assert_eq "${out#*---$'\n'}" $'nameserver 10.9.9.53\nnameserver 10.9.9.54\nsearch corp.test\noptions ndots:3'
	out=$(cli exec --net ex --ifname net0 -- ip -j -4 addr show)
	jq_eq "$out" '[.[] | .ifname] | join(",")' "lo,net0"
}

test_exit_status_is_the_programs() {
	setup
	rc=0
	cli exec --net ex -- sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "exit status"
	rc=0
	cli exec --net ex -- sh -c 'kill -TERM $$' || rc=$?
	assert_eq "$rc" 143 "status of a program killed by SIGTERM"
	rc=0
	cli exec --net ex -- /nonexistent/program 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "status of a program that cannot run"
	assert_eq "$(ls "$T/ipam/ex" | grep -c '^10\.')" 0 "addresses left"
}

test_signals_go_to_the_program() {
	setup
	cli exec --net ex -- sh -c 'trap "echo USR1 >'"$T"'/sig" USR1; trap "echo HUP >>'"$T"'/sig; exit 3" HUP
		echo $PPID >'"$T"'/ccni; while :; do sleep 0.05; done' &
	pid=$!
	wait_file "$T/ccni"
	kill -USR1 "$(cat "$T/ccni")"
	wait_file "$T/sig"
	kill -HUP "$(cat "$T/ccni")"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 3 "exit status after HUP"
	assert_eq "$(cat "$T/sig")" $'USR1\nHUP' "signals the program got"
	[ -z "$(ls /run/netns | grep "^ccni-exec-$(cat "$T/ccni")-" || true)" ] || fail "netns left"
}

test_gc_collects_what_a_killed_exec_left() {
	setup
	cli exec --net ex -- sh -c 'echo $$ >'"$T"'/prog; echo $PPID >'"$T"'/ccni; exec sleep 600' &
	wait_file "$T/ccni"
	# the program outlives ccni: end it whatever happens to the test
	trap 'kill -KILL "$(cat "$T/prog")" 2>/dev/null; _t_cleanup' EXIT
	ccni_pid=$(cat "$T/ccni")
	id=$(ls /run/netns | grep "^ccni-exec-$ccni_pid-")
	echo "$id" >>"$T/.netns" # removed by the harness if the test fails
	kill -KILL "$ccni_pid"
	wait || true
	[ -f "$T/cache/results/ex-$id-eth0" ] || fail "no cache entry for $id"
	# the program outlived its ccni: its network stays
	cli gc ex
	[ -f "$T/cache/results/ex-$id-eth0" ] || fail "gc removed an attachment still in use"
	[ -e "/run/netns/$id" ] || fail "gc removed a namespace still in use"
	kill -KILL "$(cat "$T/prog")"
	for _ in $(seq 100); do [ -z "$(ip netns pids "$id")" ] && break; sleep 0.05; done
	cli gc ex
	[ ! -e "$T/cache/results/ex-$id-eth0" ] || fail "cache entry left"
	[ ! -e "/run/netns/$id" ] || fail "namespace left"
	[ ! -e "/run/ccni/exec/$id" ] || fail "files left"
	assert_eq "$(ls "$T/ipam/ex" | grep -c '^10\.')" 0 "addresses left"
	assert_eq "$(in_host ip -o link show master br66 | wc -l)" 0 "veth left on the bridge"
}

run_tests
