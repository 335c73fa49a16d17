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
dnsmasq_stop() { kill "$(cat "$T/dnsmasq.pid")"; while [ -e "/proc/$(cat "$T/dnsmasq.pid")" ]; do sleep 0.05; done; }

# conf [IPAM-EXTRA] [SOCKET]: bridge on cbr0 with dhcp IPAM.
conf() {
	printf '{"cniVersion":"1.0.0","name":"dhcpnet","type":"bridge","bridge":"cbr0","ipam":{"type":"dhcp","daemonSocketPath":"%s"%s}}' \
		"${2:-$T/dhcp.sock}" "${1:-}"
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

run_tests
