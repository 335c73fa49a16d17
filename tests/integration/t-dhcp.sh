#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dhcp IPAM with a real DHCP server: dnsmasq in a "LAN" namespace, joined
# by a veth to a bridge in the private host namespace, where the bridge
# plugin attaches containers. Asserts the server's lease file, the
# container's address and routes, the result JSON and the daemon's files;
# the daemon the plugin starts; renewal; a killed daemon; RELEASE; the
# reference's plugin and daemon side by side where it makes a difference.
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null || { echo "skip: no dnsmasq" >&2; exit 0; }

SOCK='$T/dhcp.sock'

# lan [DNSMASQ-ARGS...]: the LAN namespace (dnsmasq on lan0, 10.66.0.1/24)
# and bridge cbr0 in the host namespace with an uplink to it. The host has
# 10.66.0.254 on the LAN, as a node has on its network.
lan() {
	LAN=$(mkns lan)
	in_host ip link add cbr0 type bridge
	in_host ip link add up0 type veth peer name lan0 netns "$LAN"
	in_host ip link set up0 master cbr0 up
	in_host ip link set cbr0 up
	in_host ip addr add 10.66.0.254/24 dev cbr0
	in_ns "$LAN" ip addr add 10.66.0.1/24 dev lan0
	in_ns "$LAN" ip link set lan0 up
	dnsmasq_start "$@"
}

# dnsmasq_start [ARGS...]: the server; --no-ping: it would wait 3 s to
# probe every new address before offering it.
dnsmasq_start() {
	: >"$T/dnsmasq.log"
	in_ns "$LAN" dnsmasq --conf-file=/dev/null --port=0 --user=root --group=root \
		--interface=lan0 --bind-interfaces --no-ping --log-dhcp \
		--log-facility="$T/dnsmasq.log" --pid-file="$T/dnsmasq.pid" \
		--dhcp-leasefile="$T/leases" --dhcp-range=10.66.0.100,10.66.0.199,255.255.255.0,2m \
		--dhcp-option=option:dns-server,10.66.0.53 --dhcp-option=option:domain-name,lan.test \
		"$@"
}
# (dnsmasq removes its pid file as it leaves)
dnsmasq_stop() {
	local pid
	pid=$(cat "$T/dnsmasq.pid")
	kill "$pid"
	wait_for "dnsmasq to leave" sh -c "! [ -e /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status"
}

# conf [IPAM-EXTRA] [SOCKET]: bridge on cbr0 with dhcp IPAM.
conf() {
	printf '{"cniVersion":"%s","name":"dhcpnet","type":"bridge","bridge":"cbr0","ipam":{"type":"dhcp","daemonSocketPath":"%s"%s}}' \
		"${VER:-1.0.0}" "${2:-$T/dhcp.sock}" "${1:-}"
}
ipam_conf() {
	printf '{"cniVersion":"1.0.0","name":"dhcpnet","ipam":{"type":"dhcp","daemonSocketPath":"%s"%s}}' \
		"${2:-$T/dhcp.sock}" "${1:-}"
}

# clid ID [NET] [IFNAME]: the client id the server sees, as dnsmasq prints it.
clid() { printf '00'; printf '%s' "$1/${2:-dhcpnet}/${3:-eth0}" | od -An -v -tx1 | tr -d '\n' | tr ' ' ':'; }
# lease_of CLID: the server's lease line of that client id.
lease_of() { awk -v c="$1" '$5 == c' "$T/leases" 2>/dev/null; }
# wait_for DESC CMD...: poll CMD until it succeeds (at most ~30 s).
wait_for() {
	local what=$1 i
	shift
	for i in $(seq 300); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for: $what"
}
daemons() { pgrep -f "dhcp daemon -socketpath ${1:-$T/dhcp.sock}( |$)" | wc -l; }
daemon_pid() { cat "${1:-$T/dhcp.sock}.d/daemon.pid"; }
ct_addr() { in_ns "${1:-$NETNS}" ip -j -4 addr show eth0 | jq -r '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] | join(",")'; }

test_add_starts_the_daemon_and_gets_a_lease() {
	lan
	[ ! -e "$T/dhcp.sock" ] || fail "a socket before the first ADD"
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	assert_match "$ip" '^10\.66\.0\.1[0-9][0-9]/24$' "leased address"
	jq_eq "$out" '.ips[0] | "\(.gateway) \(.interface)"' "10.66.0.1 2"
	jq_eq "$out" '.routes|tojson' '[{"dst":"0.0.0.0/0","gw":"10.66.0.1"}]'
	jq_eq "$out" '.dns|tojson' '{"nameservers":["10.66.0.53"],"domain":"lan.test"}'
	# the container has it, and its route
	assert_eq "$(ct_addr)" "$ip" "eth0's address"
	jq_eq "$(in_ns "$NETNS" ip -j route show default)" '.[0] | "\(.gateway) \(.dev)"' "10.66.0.1 eth0"
	# the server has it, for our client id, and it is the only lease
	line=$(lease_of "$(clid "$CID")")
	assert_eq "$(awk '{print $3}' <<<"$line")" "${ip%/*}" "server's lease"
	assert_eq "$(awk '{print $2}' <<<"$line")" "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)" "lease MAC"
	assert_eq "$(wc -l <"$T/leases")" 1 "leases on the server"
	# one daemon runs, detached, and keeps the lease on disk
	assert_eq "$(daemons)" 1 "daemons"
	pid=$(daemon_pid)
	# detached: a session of its own (not ours), stdio on /dev/null
	[ "$(ps -o sid= -p "$pid")" != "$(ps -o sid= -p $$)" ] || fail "the daemon is in our session"
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ] || fail "the daemon's stdin is not /dev/null"
	[ -S "$T/dhcp.sock" ] || fail "no socket"
	assert_eq "$(stat -c %a "$T/dhcp.sock")" 700 "socket mode"
	n=$(ls "$T/dhcp.sock.d" | grep -c '\.json$')
	assert_eq "$n" 1 "lease files"
	jq_eq "$(cat "$T"/dhcp.sock.d/*.json)" '"\(.containerID) \(.network) \(.ifName) \(.address)"' \
		"$CID dhcpnet eth0 ${ip%/*}"
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "$CID/dhcpnet/eth0: bound to ${ip%/*} from 10.66.0.1"
	# a second ADD talks to the same daemon
	CID=two NETNS_PATH=/run/netns/$(mkns two) cni bridge ADD "$(conf)" >/dev/null
	assert_eq "$(daemon_pid)" "$pid" "daemon after the second ADD"
	assert_eq "$(daemons)" 1 "daemons"
}

test_parallel_adds_start_one_daemon_and_get_distinct_leases() {
	lan
	local i pids=() ns
	for i in $(seq 20); do
		ns=$(mkns p)
		(CID=par$i NETNS_PATH=/run/netns/$ns cni bridge ADD "$(conf)" >"$T/out.$i") &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "an ADD failed: $(cat "$T/stderr")"; done
	for i in $(seq 20); do jq -r '.ips[0].address' "$T/out.$i"; done | sort >"$T/addrs"
	assert_eq "$(sort -u "$T/addrs" | wc -l)" 20 "distinct addresses"
	assert_eq "$(daemons)" 1 "daemons after 20 parallel ADDs"
	# the server: 20 leases, one per client id, the addresses handed out
	assert_eq "$(wc -l <"$T/leases")" 20 "server leases"
	for i in $(seq 20); do
		a=$(jq -r '.ips[0].address' "$T/out.$i")
		assert_eq "$(lease_of "$(clid par$i)" | awk '{print $3}')" "${a%/*}" "par$i's lease"
	done
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 20 "lease files"
}

test_provide_host_name_from_cni_args_and_a_value() {
	lan
	c=$(conf ',"provide":[{"option":"host-name","fromArg":"K8S_POD_NAME"},{"option":"vendor-class-identifier","value":"ccni-test"},{"option":"user-class","fromArg":"ABSENT"}]')
	CNI_ARGS_T='IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web-1' cni bridge ADD "$c" >/dev/null
	assert_eq "$(lease_of "$(clid "$CID")" | awk '{print $4}')" web-1 "host name on the server"
	assert_contains "$(cat "$T/dnsmasq.log")" "vendor class: ccni-test"
	assert_not_contains "$(cat "$T/dnsmasq.log")" "user class"
}

test_request_options() {
	# classless routes (121) are asked for by default: with them the router
	# is no route (RFC 3442), and a route with no router is on-link
	lan --dhcp-option=121,10.77.0.0/16,10.66.0.2,10.78.1.0/24,0.0.0.0,0.0.0.0/0,10.66.0.1
	out=$(VER=1.1.0 cni bridge ADD "$(VER=1.1.0 conf ',"priority":50')")
	jq_eq "$out" '.routes|tojson' '[{"dst":"10.77.0.0/16","gw":"10.66.0.2","priority":50},{"dst":"10.78.1.0/24","priority":50,"scope":253},{"dst":"0.0.0.0/0","gw":"10.66.0.1","priority":50}]'
	jq_eq "$out" '.ips[0].gateway' 10.66.0.1
	jq_eq "$(in_ns "$NETNS" ip -j route show 10.77.0.0/16)" '.[0] | "\(.gateway) \(.metric)"' "10.66.0.2 50"
	assert_contains "$(grep 'requested options' "$T/dnsmasq.log" | head -1)" "121:classless-static-route"
	# skipDefault: only what is listed (by name and number), as the reference
	c=$(conf ',"request":[{"skipDefault":true},{"option":"subnet-mask"},{"option":"3"}]')
	out=$(CID=sd NETNS_PATH=/run/netns/$(mkns sd) cni bridge ADD "$c")
	jq_eq "$out" '.routes|tojson' '[{"dst":"0.0.0.0/0","gw":"10.66.0.1"}]'
	jq_eq "$out" '.dns|tojson' '{}'
	assert_contains "$(grep 'requested options' "$T/dnsmasq.log" | tail -1)" "requested options: 1:netmask, 3:router"
	assert_not_contains "$(grep 'requested options' "$T/dnsmasq.log" | tail -1)" "121"
}

test_renewal_keeps_the_lease_and_the_address() {
	# the lease is 2 minutes (dnsmasq's least); T1 and T2 make it renew
	# every 2 s; dnsmasq's lease file then moves its expiry on
	lan --dhcp-option=option:T1,2 --dhcp-option=option:T2,4
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	c=$(clid "$CID")
	e0=$(lease_of "$c" | awk '{print $1}')
	wait_for "a renewal on the server" sh -c "[ \"\$(awk -v c=$c '\$5 == c {print \$1}' $T/leases)\" -gt $e0 ]"
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "renewed ${ip%/*} from 10.66.0.1"
	assert_eq "$(grep -c 'DHCPREQUEST(lan0) '"${ip%/*}" "$T/dnsmasq.log")" 2 "REQUESTs: the first and one renewal"
	assert_eq "$(ct_addr)" "$ip" "the container's address"
	assert_eq "$(wc -l <"$T/leases")" 1 "server leases"
	# renewals are unicast to the server, from the leased address
	assert_contains "$(grep -A3 'DHCPREQUEST(lan0) '"${ip%/*}" "$T/dnsmasq.log" | tail -4)" "${ip%/*}"
}

test_killed_daemon_is_restarted_and_keeps_renewing() {
	lan --dhcp-option=option:T1,2 --dhcp-option=option:T2,4
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	c=$(clid "$CID")
	old=$(daemon_pid)
	kill -9 "$old"
	wait_for "the daemon to die" sh -c "! [ -e /proc/$old ] || grep -q '^State:.*Z' /proc/$old/status"
	# the next call (here a CHECK of the same attachment) starts a daemon
	# that resumes the lease from disk
	pr=$(jq -c '{cniVersion:"1.0.0",name:"dhcpnet",type:"bridge",bridge:"cbr0",ipam:{type:"dhcp",daemonSocketPath:"'"$T"'/dhcp.sock"},prevResult:.}' <<<"$out")
	cni bridge CHECK "$pr"
	new=$(daemon_pid)
	[ "$new" != "$old" ] && [ -e "/proc/$new" ] || fail "no new daemon"
	assert_eq "$(daemons)" 1 "daemons"
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "1 lease(s) resumed"
	e0=$(lease_of "$c" | awk '{print $1}')
	wait_for "a renewal by the new daemon" sh -c "[ \"\$(awk -v c=$c '\$5 == c {print \$1}' $T/leases)\" -gt $e0 ]"
	assert_contains "$(grep "dhcp\[$new\]" "$T/dhcp.sock.d/daemon.log")" "renewed ${ip%/*}"
	# still the one lease, never a second for the same container
	assert_eq "$(wc -l <"$T/leases")" 1 "server leases"
	assert_eq "$(grep -c DHCPDISCOVER "$T/dnsmasq.log")" 1 "DISCOVERs"
	assert_eq "$(ct_addr)" "$ip" "the container's address"
}

test_del_releases_the_lease_and_twice() {
	lan
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	[ -n "$(lease_of "$(clid "$CID")")" ] || fail "no lease"
	cni bridge DEL "$(conf)"
	wait_for "the lease gone from the server" sh -c "! grep -q ' ${ip%/*} ' $T/leases"
	assert_contains "$(cat "$T/dnsmasq.log")" "DHCPRELEASE(lan0) ${ip%/*}"
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 0 "lease files"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	cni bridge DEL "$(conf)"
	cni dhcp DEL "$(ipam_conf)"
	assert_eq "$(grep -c DHCPRELEASE "$T/dnsmasq.log")" 1 "RELEASEs"
}

test_del_with_the_netns_gone_releases_from_the_record() {
	lan
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	ip netns del "$NETNS"
	cni bridge DEL "$(conf)"
	wait_for "the lease gone from the server" sh -c "! grep -q ' ${ip%/*} ' $T/leases"
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "released ${ip%/*} to 10.66.0.1 (from the daemon's namespace"
	NETNS_PATH="" cni bridge DEL "$(conf)"
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 0 "lease files"
}

test_server_down_fails_within_the_timeout_and_leaves_nothing() {
	lan
	dnsmasq_stop
	# a daemon started by hand, with the reference's flags
	in_host "$CCNI_BIN/dhcp" daemon -socketpath "$T/d.sock" -timeout 2s -resendmax=1s >"$T/d.log" 2>&1 &
	wait_for "the daemon's socket" test -S "$T/d.sock"
	out=$(cni bridge ADD "$(conf "" "$T/d.sock")") && fail "ADD without a server succeeded"
	expect_error 11 "$out" "no DHCP server answered on eth0 (netns $NETNS_PATH) within 2.0 s"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	[ -z "$(in_host ip -o link show master cbr0 | grep -v up0)" ] || fail "a veth left on the bridge"
	assert_eq "$(ls "$T/d.sock.d" | grep -c '\.json$')" 0 "lease files"
	assert_contains "$(cat "$T/d.log")" "no DHCP server answered"
	# the hand-run daemon stays in the foreground and answers STATUS
	out=$(printf '{"cniVersion":"1.1.0","name":"dhcpnet","ipam":{"type":"dhcp","daemonSocketPath":"%s"}}' "$T/d.sock" | \
		in_host env -i CNI_COMMAND=STATUS CNI_PATH="$CCNI_BIN" "$CCNI_BIN/dhcp")
	assert_eq "$out" "" "STATUS output"
}

run_tests
