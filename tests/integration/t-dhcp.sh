#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dhcp IPAM with a real DHCP server: dnsmasq in a "LAN" namespace, joined
# by a veth to a bridge in the private host namespace, where the bridge
# plugin attaches containers, or to the veth end that is the master of the
# containers' macvlans. Asserts the server's lease file, the
# container's address and routes, the result JSON and the daemon's files;
# the daemon the plugin starts; renewal; a killed daemon; RELEASE; the
# reference's plugin and daemon side by side where it makes a difference.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/links.sh"

command -v dnsmasq >/dev/null || { echo "skip: no dnsmasq" >&2; exit 0; }

SOCK='$T/dhcp.sock'

# lan [DNSMASQ-ARGS...]: the LAN namespace (dnsmasq on lan0, 10.66.0.1/24)
# and bridge cbr0 in the host namespace with an uplink to it. The host has
# no address or route there: the client works inside the container's
# namespace. host_on_lan gives it one, as a node has on its network.
lan() {
	lan_wire up0
	in_host ip link add cbr0 type bridge
	in_host ip link set up0 master cbr0
	in_host ip link set cbr0 up
	dnsmasq_start "$@"
}
# mvlan [DNSMASQ-ARGS...]: the same LAN, its wire's host end mv0 the
# master of the containers' macvlans (mvconf)
mvlan() {
	lan_wire mv0
	dnsmasq_start "$@"
}
# lan_wire LINK: the LAN namespace $LAN with lan0 (10.66.0.1/24), a veth
# whose other end LINK is up in the host namespace
lan_wire() {
	LAN=$(mkns lan)
	in_host ip link add "$1" type veth peer name lan0 netns "$LAN"
	in_host ip link set "$1" up
	in_ns "$LAN" ip addr add 10.66.0.1/24 dev lan0
	in_ns "$LAN" ip link set lan0 up
}

# host_on_lan [LINK]: the host's address on the LAN, on LINK (cbr0)
host_on_lan() { in_host ip addr add 10.66.0.254/24 dev "${1:-cbr0}"; }

# dnsmasq_start [ARGS...]: the server; --no-ping: it would wait 3 s to
# probe every new address before offering it.
dnsmasq_start() {
	: >"$T/dnsmasq.log"
	in_ns "$LAN" dnsmasq --conf-file=/dev/null --port=0 --user=root --group=root \
		--interface=lan0 --bind-interfaces --no-ping --log-dhcp \
		--log-facility="$T/dnsmasq.log" --pid-file="$T/dnsmasq.pid" \
		--dhcp-leasefile="$T/leases" --dhcp-range="${RANGE:-10.66.0.100,10.66.0.199,255.255.255.0,2m}" \
		--dhcp-option=option:dns-server,10.66.0.53 --dhcp-option=option:domain-name,lan.test \
		"$@"
}
# (dnsmasq removes its pid file as it leaves)
dnsmasq_stop() {
	local pid
	pid=$(cat "$T/dnsmasq.pid")
	kill "$pid"
	wait_for "dnsmasq to leave" gone "$pid"
}

# conf [IPAM-EXTRA] [SOCKET]: bridge on cbr0 (or the plugin keys $MAIN)
# with dhcp IPAM.
BR='"type":"bridge","bridge":"cbr0"'
conf() {
	printf '{"cniVersion":"%s","name":"dhcpnet",%s,"ipam":{"type":"dhcp","daemonSocketPath":"%s"%s}}' \
		"${VER:-1.0.0}" "${MAIN:-$BR}" "${2:-$T/dhcp.sock}" "${1:-}"
}
# mvconf [IPAM-EXTRA] [SOCKET]: macvlan on mv0 with dhcp IPAM.
mvconf() { MAIN='"type":"macvlan","master":"mv0"' conf "$@"; }
ipam_conf() {
	printf '{"cniVersion":"1.0.0","name":"dhcpnet","ipam":{"type":"dhcp","daemonSocketPath":"%s"%s}}' \
		"${2:-$T/dhcp.sock}" "${1:-}"
}

# clid ID [NET] [IFNAME]: the client id the server sees, as dnsmasq prints it.
clid() { printf '00'; printf '%s' "$1/${2:-dhcpnet}/${3:-eth0}" | od -An -v -tx1 | tr -d '\n' | tr ' ' ':'; }
# lease_of CLID: the server's lease line of that client id.
lease_of() { awk -v c="$1" '$5 == c' "$T/leases" 2>/dev/null; }
# expiry_of CLID: when the server's lease of CLID ends (0: no lease).
expiry_of() { awk -v c="$1" 'BEGIN {e = 0} $5 == c {e = $1} END {print e}' "$T/leases" 2>/dev/null; }
# renewed CLID E0: the server moved that lease's end past E0.
renewed() { [ "$(expiry_of "$1")" -gt "$2" ]; }
no_lease() { [ -z "$(lease_of "$1")" ]; }
# server_lease CLID: that lease's line, once the server has written it (it
# answers before it writes its file).
server_lease() { wait_for "the server's lease of $1" has_lease "$1"; lease_of "$1"; }
has_lease() { [ -n "$(lease_of "$1")" ]; }
# leased_to CID NS RESULT: the server's lease of CID is RESULT's address,
# for the MAC of eth0 in NS
leased_to() {
	assert_eq "$(server_lease "$(clid "$1")" | awk '{print $2, $3}')" \
		"$(in_ns "$2" cat /sys/class/net/eth0/address) $(jq -r '.ips[0].address|split("/")[0]' <<<"$3")" "$1's lease"
}
# server_count N: wait for the server to hold N leases.
server_count() { wait_for "$1 leases on the server (has: $(cat "$T/leases" 2>/dev/null))" count_is "$1"; }
count_is() { [ "$(grep -c . "$T/leases" 2>/dev/null)" = "$1" ]; }
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
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
	line=$(server_lease "$(clid "$CID")")
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
	assert_eq "$(grep -c 'listening on' "$T/dhcp.sock.d/daemon.log")" 1 "daemons started"
	# the server: 20 leases, one per client id, the addresses handed out
	server_count 20
	for i in $(seq 20); do
		a=$(jq -r '.ips[0].address' "$T/out.$i")
		assert_eq "$(server_lease "$(clid par$i)" | awk '{print $3}')" "${a%/*}" "par$i's lease"
	done
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 20 "lease files"
}

test_provide_host_name_from_cni_args_and_a_value() {
	lan
	c=$(conf ',"provide":[{"option":"host-name","fromArg":"K8S_POD_NAME"},{"option":"vendor-class-identifier","value":"ccni-test"},{"option":"user-class","fromArg":"ABSENT"}]')
	CNI_ARGS_T='IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web-1' cni bridge ADD "$c" >/dev/null
	assert_eq "$(server_lease "$(clid "$CID")" | awk '{print $4}')" web-1 "host name on the server"
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
	# the options only: the line starts with the transaction id, a random
	# number that may hold "121"
	opts=$(grep 'requested options' "$T/dnsmasq.log" | tail -1 | sed 's/.*requested options: //')
	assert_eq "$opts" "1:netmask, 3:router" "requested options"
}

test_renewal_keeps_the_lease_and_the_address() {
	# the lease is 2 minutes (dnsmasq's least); T1 and T2 make it renew
	# every 2 s; dnsmasq's lease file then moves its expiry on
	lan --dhcp-option=option:T1,2 --dhcp-option=option:T2,4
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	c=$(clid "$CID")
	e0=$(server_lease "$c" | awk '{print $1}')
	wait_for "a renewal on the server" renewed "$c" "$e0"
	# (the server writes its file before it answers: the daemon may not
	# have the answer yet)
	wait_for "the daemon's renewal" grep -q "renewed ${ip%/*} from 10.66.0.1" "$T/dhcp.sock.d/daemon.log"
	n=$(grep -c 'DHCPREQUEST(lan0) '"${ip%/*}" "$T/dnsmasq.log")
	[ "$n" -ge 2 ] || fail "REQUESTs: $n, want the first and at least one renewal"
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
	wait_for "the daemon to die" gone "$old"
	# the next call (here a CHECK of the same attachment) starts a daemon
	# that resumes the lease from disk
	pr=$(jq -c '{cniVersion:"1.0.0",name:"dhcpnet",type:"bridge",bridge:"cbr0",ipam:{type:"dhcp",daemonSocketPath:"'"$T"'/dhcp.sock"},prevResult:.}' <<<"$out")
	cni bridge CHECK "$pr"
	new=$(daemon_pid)
	[ "$new" != "$old" ] && [ -e "/proc/$new" ] || fail "no new daemon"
	assert_eq "$(daemons)" 1 "daemons"
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "1 lease(s) resumed"
	e0=$(expiry_of "$c")
	wait_for "a renewal by the new daemon" renewed "$c" "$e0"
	wait_for "the new daemon's renewal" grep -q "dhcp\[$new\]: .*renewed ${ip%/*}" "$T/dhcp.sock.d/daemon.log"
	# still the one lease, never a second for the same container
	assert_eq "$(wc -l <"$T/leases")" 1 "server leases"
	assert_eq "$(grep -c DHCPDISCOVER "$T/dnsmasq.log")" 1 "DISCOVERs"
	assert_eq "$(ct_addr)" "$ip" "the container's address"
}

test_del_releases_the_lease_and_twice() {
	lan
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	server_lease "$(clid "$CID")" >/dev/null
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
	host_on_lan
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
	# retransmitted with back-off: at 0, 0.2, 0.6 and 1.4 s (then 3 s)
	expect_error 11 "$out" "no DHCP server answered on eth0 (netns $NETNS_PATH) within 2.0 s (4 DHCPDISCOVER sent)"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	[ -z "$(in_host ip -o link show master cbr0 | grep -v up0)" ] || fail "a veth left on the bridge"
	assert_eq "$(ls "$T/d.sock.d" | grep -c '\.json$')" 0 "lease files"
	assert_contains "$(cat "$T/d.log")" "no DHCP server answered"
	# the hand-run daemon stays in the foreground and answers STATUS
	out=$(printf '{"cniVersion":"1.1.0","name":"dhcpnet","ipam":{"type":"dhcp","daemonSocketPath":"%s"}}' "$T/d.sock" | \
		in_host env -i CNI_COMMAND=STATUS CNI_PATH="$CCNI_BIN" "$CCNI_BIN/dhcp")
	assert_eq "$out" "" "STATUS output"
}

test_check_verifies_the_lease_and_the_address() {
	lan
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	cni bridge CHECK "$(with_prev "$(conf)" "$out")"
	cni dhcp CHECK "$(with_prev "$(ipam_conf)" "$out")"
	# a prevResult that names another address
	o=$(cni dhcp CHECK "$(with_prev "$(ipam_conf)" "$(jq -c '.ips[0].address = "10.66.0.250/24"' <<<"$out")")") &&
		fail "CHECK accepted another address"
	expect_error 108 "$o" "the lease of $ip is not in prevResult"
	# the address gone from the interface
	in_ns "$NETNS" ip addr del "$ip" dev eth0
	o=$(cni dhcp CHECK "$(with_prev "$(ipam_conf)" "$out")") && fail "CHECK passed without the address"
	expect_error 108 "$o" "the lease of $ip is held but eth0 in $NETNS_PATH does not carry it"
	# no lease for that attachment
	o=$(CID=nobody cni dhcp CHECK "$(with_prev "$(ipam_conf)" "$out")") && fail "CHECK passed with no lease"
	expect_error 108 "$o" "no lease held for container nobody interface eth0 on network dhcpnet"
}

# v11 IPAM-EXTRA [TOP-EXTRA]: an IPAM-only config of version 1.1.0.
v11() {
	printf '{"cniVersion":"1.1.0","name":"dhcpnet"%s,"ipam":{"type":"dhcp","daemonSocketPath":"%s"%s}}' \
		"${2:-}" "${SOCKP:-$T/dhcp.sock}" "${1:-}"
}
status() { in_host env -i CNI_COMMAND=STATUS CNI_PATH="$CCNI_BIN" "$CCNI_BIN/dhcp" <<<"$1"; }

test_status_and_gc() {
	lan
	# nothing held, no daemon: STATUS is fine and starts none
	assert_eq "$(status "$(v11)")" "" "STATUS"
	assert_eq "$(daemons)" 0 "daemons after STATUS"
	o=$(status "$(SOCKP=/proc/version/dhcp.sock v11)") && fail "STATUS passed where no daemon can start"
	expect_error 50 "$o" "/proc/version"
	cni bridge ADD "$(conf)" >/dev/null
	b=$(mkns b)
	CID=gone NETNS_PATH=/run/netns/$b cni bridge ADD "$(conf)" >/dev/null
	server_count 2
	# GC: the attachment "gone" is not valid any more
	g=$(v11 "" ',"cni.dev/valid-attachments":[{"containerID":"'"$CID"'","ifname":"eth0"}]')
	in_host env -i CNI_COMMAND=GC CNI_PATH="$CCNI_BIN" "$CCNI_BIN/dhcp" <<<"$g"
	wait_for "the invalid attachment's lease released" sh -c "[ \$(wc -l <$T/leases) = 1 ]"
	[ -n "$(lease_of "$(clid "$CID")")" ] || fail "GC released a valid attachment's lease"
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 1 "lease files"
	# a killed daemon with leases on disk: STATUS starts a new one to renew them
	old=$(daemon_pid)
	kill -9 "$old"
	wait_for "the daemon to die" gone "$old"
	assert_eq "$(status "$(v11)")" "" "STATUS"
	[ "$(daemon_pid)" != "$old" ] && [ "$(daemons)" = 1 ] || fail "STATUS did not start a daemon"
}

test_bad_config_is_refused_before_anything() {
	for c in '"daemonSocketPath":"run/dhcp.sock"|ipam.daemonSocketPath: "run/dhcp.sock" is not an absolute path' \
		'"daemonSocketPath":"/'"$(printf 'x%.0s' $(seq 120))"'"|is longer than 107 bytes' \
		'"provide":[{"option":"no-such-option","value":"x"}]|ipam.provide[0].option: "no-such-option" is not a DHCP option' \
		'"provide":[{"value":"x"}]|ipam.provide[0].option: missing' \
		'"provide":[{"option":"host-name","value":"'"$(printf 'x%.0s' $(seq 256))"'"}]|ipam.provide[0]: value of 256 bytes for option 12, at most 255' \
		'"request":[{"option":"routers"},{"option":"300"}]|ipam.request[1].option: "300" is not a DHCP option' \
		'"request":{"option":"routers"}|ipam.request: expected a list' \
		'"priority":-1|ipam.priority'; do
		out=$(cni dhcp ADD "$(printf '{"cniVersion":"1.0.0","name":"dhcpnet","ipam":{"type":"dhcp",%s}}' "${c%%|*}")") &&
			fail "accepted ${c%%|*}"
		expect_error 7 "$out" "${c#*|}"
	done
	[ -z "$(ls "$T")" ] || [ "$(ls "$T")" = stderr ] || fail "files left: $(ls "$T")"
}

test_a_daemon_that_cannot_start_says_why() {
	lan
	touch "$T/bad.sock.d" # where its lease files would go
	out=$(cni bridge ADD "$(conf "" "$T/bad.sock")") && fail "ADD without a daemon succeeded"
	expect_error 50 "$out" "dhcp daemon on $T/bad.sock could not start: cannot open $T/bad.sock.d: Not a directory"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left"
	assert_eq "$(daemons "$T/bad.sock")" 0 "daemons"
	[ ! -e "$T/bad.sock" ] || fail "the failed daemon left its socket"
}

# socket_activate SOCKET CMD...: run CMD as systemd would, with a
# listening socket as fd 3 (LISTEN_FDS=1, LISTEN_PID its own pid).
socket_activate() {
	local sock=$1
	shift
	in_host perl -MSocket -e '$^F = 3; socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die;
		unlink $ARGV[0]; bind($s, pack_sockaddr_un(shift @ARGV)) or die "bind: $!"; listen($s, 16) or die;
		if (fileno($s) != 3) { open(my $t, ">&=", 3); require POSIX; POSIX::dup2(fileno($s), 3) or die; }
		$ENV{LISTEN_FDS} = 1; $ENV{LISTEN_PID} = $$; exec @ARGV or die "exec: $!"' "$sock" "$@"
}

test_socket_activation_pidfile_and_flags() {
	lan
	socket_activate "$T/sa.sock" "$CCNI_BIN/dhcp" daemon -pidfile "$T/sa.pid" -logfile "$T/sa.log" &
	wait_for "the pid file" test -s "$T/sa.pid"
	assert_contains "$(cat "$T/sa.log")" "listening on $T/sa.sock (socket activation)"
	out=$(cni bridge ADD "$(conf "" "$T/sa.sock")")
	jq_eq "$out" '.ips[0].gateway' 10.66.0.1
	# the lease files go beside the socket systemd made
	assert_eq "$(ls "$T/sa.sock.d" | grep -c '\.json$')" 1 "lease files"
	pid=$(cat "$T/sa.pid")
	# a rotated log: SIGHUP opens the file again
	mv "$T/sa.log" "$T/sa.log.1"
	kill -HUP "$pid"
	wait_for "the log opened again" test -e "$T/sa.log"
	cni bridge DEL "$(conf "" "$T/sa.sock")"
	assert_contains "$(cat "$T/sa.log")" "released"
	cni bridge ADD "$(conf "" "$T/sa.sock")" >/dev/null
	kill "$pid"
	wait_for "the daemon to leave" sh -c "! [ -e $T/sa.pid ]"
	[ -S "$T/sa.sock" ] || fail "the daemon removed systemd's socket"
	assert_eq "$(ls "$T/sa.sock.d" | grep -c '\.json$')" 1 "leases after SIGTERM (kept for the next daemon)"
	# the units meson installs: the socket on /run/cni/dhcp.sock, the
	# service running this daemon (systemd's own check, where it is)
	units=$CCNI_BIN/../../../usr/local/lib/systemd/system
	assert_contains "$(cat "$units/cni-dhcp.socket")" "ListenStream=/run/cni/dhcp.sock"
	assert_contains "$(cat "$units/cni-dhcp.service")" "ExecStart=/opt/cni/bin/dhcp daemon"
	if command -v systemd-analyze >/dev/null; then
		mkdir "$T/units"
		cp "$units/cni-dhcp.socket" "$T/units/"
		sed "s|/opt/cni/bin/dhcp|$CCNI_BIN/dhcp|" "$units/cni-dhcp.service" >"$T/units/cni-dhcp.service"
		systemd-analyze verify "$T/units/cni-dhcp.socket" "$T/units/cni-dhcp.service" >"$T/verify" 2>&1 ||
			fail "systemd-analyze verify: $(cat "$T/verify")"
	fi
	# the reference's flags, Go style
	o=$("$CCNI_BIN/dhcp" daemon -nosuch 2>&1) && fail "an unknown flag was accepted"
	assert_contains "$o" "flag provided but not defined: -nosuch"
	assert_contains "$o" "-resendtimeout duration"
	rc=0
	o=$("$CCNI_BIN/dhcp" daemon --timeout=banana 2>&1) || rc=$?
	assert_eq "$rc" 2 "exit status of a bad duration"
	assert_contains "$o" 'invalid value "banana" for flag -timeout'
	o=$("$CCNI_BIN/dhcp" daemon -h 2>&1) || fail "-h failed"
	assert_contains "$o" "Usage of daemon:"
	# a second daemon on a live socket is refused
	in_host "$CCNI_BIN/dhcp" daemon -socketpath "$T/two.sock" -broadcast=true -resendtimeout 1m -resendmax 30s >"$T/two.log" 2>&1 &
	wait_for "the daemon's socket" test -S "$T/two.sock"
	o=$(in_host "$CCNI_BIN/dhcp" daemon -socketpath "$T/two.sock" 2>&1) && fail "a second daemon started"
	assert_contains "$o" "a dhcp daemon already listens on $T/two.sock"
	# -broadcast: the server is asked to broadcast its answers
	CID=bc NETNS_PATH=/run/netns/$(mkns bc) cni bridge ADD "$(conf "" "$T/two.sock")" >/dev/null
	assert_contains "$(cat "$T/dnsmasq.log")" "broadcast response"
}

test_idle_daemon_leaves_and_comes_back() {
	lan
	in_host "$CCNI_BIN/dhcp" daemon -socketpath "$T/i.sock" -idle-exit 1s >"$T/i.log" 2>&1 &
	wait_for "the daemon's socket" test -S "$T/i.sock"
	cni bridge ADD "$(conf "" "$T/i.sock")" >/dev/null
	cni bridge DEL "$(conf "" "$T/i.sock")"
	wait_for "the idle daemon to leave" sh -c "! [ -e $T/i.sock ]"
	assert_contains "$(cat "$T/i.log")" "no lease held for 1 s: leaving"
	assert_eq "$(daemons "$T/i.sock")" 0 "daemons"
	# the next ADD starts one again
	CID=again NETNS_PATH=/run/netns/$(mkns a) cni bridge ADD "$(conf "" "$T/i.sock")" >/dev/null
	assert_eq "$(daemons "$T/i.sock")" 1 "daemons"
}

test_hostprefix() {
	lan
	mkdir -p "$T/root/run"
	ln -s /run/netns "$T/root/run/netns"
	in_host "$CCNI_BIN/dhcp" daemon -hostprefix "$T/root" -socketpath /d.sock >"$T/h.log" 2>&1 &
	wait_for "the daemon's socket" test -S "$T/root/d.sock"
	out=$(cni bridge ADD "$(conf "" "$T/root/d.sock")")
	jq_eq "$out" '.ips[0].gateway' 10.66.0.1
	server_lease "$(clid "$CID")" >/dev/null
}

# udhcpd_start LEASE-SECONDS: busybox's server on lan0 instead of dnsmasq
# (it hands out leases shorter than dnsmasq's two minutes), with a static
# lease for MAC 02:42:0a:42:00:10.
udhcpd_start() {
	cat >"$T/udhcpd.conf" <<-EOF
		start 10.66.0.100
		end 10.66.0.110
		interface lan0
		lease_file $T/udhcpd.leases
		pidfile $T/udhcpd.pid
		static_lease 02:42:0a:42:00:10 10.66.0.105
		option subnet 255.255.255.0
		option router 10.66.0.1
		option lease $1
	EOF
	in_ns "$LAN" udhcpd -f "$T/udhcpd.conf" >>"$T/udhcpd.log" 2>&1 &
	wait_for "udhcpd's pid file" test -s "$T/udhcpd.pid"
}
udhcpd_stop() {
	local pid
	pid=$(cat "$T/udhcpd.pid")
	kill "$pid"
	wait_for "udhcpd to leave" gone "$pid"
}

test_expired_lease_is_acquired_again() {
	command -v udhcpd >/dev/null || skip "no udhcpd"
	lan
	dnsmasq_stop
	udhcpd_start 6
	in_host "$CCNI_BIN/dhcp" daemon -socketpath "$T/u.sock" -resendmax 2s >"$T/u.log" 2>&1 &
	wait_for "the daemon's socket" test -S "$T/u.sock"
	out=$(CNI_ARGS_T='MAC=02:42:0a:42:00:10' cni bridge ADD "$(conf "" "$T/u.sock")")
	jq_eq "$out" '.ips[0].address' 10.66.0.105/24
	wait_for "a renewal" grep -q "renewed 10.66.0.105" "$T/u.log"
	# the server goes away: renewing, rebinding, then the lease runs out
	udhcpd_stop
	wait_for "the lease to expire" grep -q "the lease of 10.66.0.105 expired; acquiring it again" "$T/u.log"
	assert_contains "$(cat "$T/u.log")" "rebinding the lease of 10.66.0.105"
	# the container keeps its address meanwhile, and gets its lease back
	# when a server answers again
	udhcpd_start 6
	wait_for "the lease acquired again" grep -q "acquired again 10.66.0.105 from 10.66.0.1" "$T/u.log"
	assert_eq "$(ct_addr)" 10.66.0.105/24 "the container's address"
	cni bridge CHECK "$(with_prev "$(conf "" "$T/u.sock")" "$out")"
}

test_nak_and_an_address_given_away() {
	lan --dhcp-option=option:T1,2 --dhcp-option=option:T2,4
	out=$(cni bridge ADD "$(conf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	# the server comes back with another range and no memory of the lease:
	# it refuses the renewal, and offers another address
	dnsmasq_stop
	rm -f "$T/leases"
	RANGE=10.66.0.200,10.66.0.210,255.255.255.0,2m dnsmasq_start --dhcp-authoritative
	wait_for "a DHCPNAK" grep -q "refused the lease of ${ip%/*} (DHCPNAK" "$T/dhcp.sock.d/daemon.log"
	wait_for "the lease lost" grep -q "not ${ip%/*} which the container holds: the lease is lost; eth0 goes down" "$T/dhcp.sock.d/daemon.log"
	assert_contains "$(cat "$T/dnsmasq.log")" "DHCPNAK(lan0) ${ip%/*}"
	# as the reference on expiry: eth0 down rather than a duplicate address
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0)" '.[0].flags | index("UP") == null' true
	o=$(cni dhcp CHECK "$(with_prev "$(ipam_conf)" "$out")") && fail "CHECK passed with the lease lost"
	expect_error 108 "$o" "was lost: the server gave the address to another client"
	# DEL sends no RELEASE for what we no longer hold, and cleans up
	cni bridge DEL "$(conf)"
	assert_not_contains "$(cat "$T/dnsmasq.log")" "DHCPRELEASE"
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 0 "lease files"
}

# --- side by side with the reference's dhcp (its daemon started by hand) ---

# ref_daemon: the reference's daemon on $T/ref.sock, in the host namespace.
ref_daemon() {
	[ -x "$REF_BIN/dhcp" ] || skip "no reference dhcp"
	in_host "$REF_BIN/dhcp" daemon -socketpath "$T/ref.sock" "$@" >"$T/ref.log" 2>&1 &
	wait_for "the reference daemon's socket" test -S "$T/ref.sock"
}

test_reference_same_result_and_server_view() {
	lan
	host_on_lan
	ref_daemon
	rns=$(mkns r)
	c=',"provide":[{"option":"host-name","fromArg":"K8S_POD_NAME"}]'
	theirs=$(CID=refc NETNS_PATH=/run/netns/$rns CNI_ARGS_T='IgnoreUnknown=1;K8S_POD_NAME=ref-pod' ref bridge ADD "$(conf "$c" "$T/ref.sock")")
	ours=$(CNI_ARGS_T='IgnoreUnknown=1;K8S_POD_NAME=our-pod' cni bridge ADD "$(conf "$c")")
	# the same result, but for the address itself and DNS, which the
	# reference leaves out
	for f in '.ips[0].gateway' '.ips[0].address|split("/")[1]' '.routes|tojson' '.interfaces|length'; do
		assert_eq "$(jq -r "$f" <<<"$ours")" "$(jq -r "$f" <<<"$theirs")" "$f, ours and the reference's"
	done
	jq_eq "$theirs" '.dns|tojson' '{}'
	jq_eq "$ours" '.dns.nameservers|tojson' '["10.66.0.53"]'
	# the server sees both, with their host names, and the same form of
	# client id (so a node can swap one for the other and keep its leases)
	assert_eq "$(server_lease "$(clid refc)" | awk '{print $3, $4}')" "$(jq -r '.ips[0].address|split("/")[0]' <<<"$theirs") ref-pod" "the reference's lease"
	assert_eq "$(server_lease "$(clid "$CID")" | awk '{print $3, $4}')" "$(jq -r '.ips[0].address|split("/")[0]' <<<"$ours") our-pod" "our lease"
	# DEL: the reference's bridge removes the interface before it calls
	# IPAM DEL, and the reference's daemon sends RELEASE only from there:
	# its lease stays on the server. Ours goes (ccni's bridge calls IPAM
	# first, and the daemon releases from its own namespace when the
	# interface is gone).
	CID=refc NETNS_PATH=/run/netns/$rns ref bridge DEL "$(conf "$c" "$T/ref.sock")"
	cni bridge DEL "$(conf "$c")"
	wait_for "our lease released" no_lease "$(clid "$CID")"
	assert_contains "$(cat "$T/ref.log")" "failed to release DHCP lease: no such device"
	[ -n "$(lease_of "$(clid refc)")" ] || fail "the reference's lease was released"
	# both take a second DEL
	CID=refc NETNS_PATH=/run/netns/$rns ref bridge DEL "$(conf "$c" "$T/ref.sock")"
	cni bridge DEL "$(conf "$c")"
	# the two protocols are each their own: ccni's plugin says so
	o=$(CID=x cni dhcp ADD "$(ipam_conf "" "$T/ref.sock")") && fail "ccni's plugin used the reference's daemon"
	expect_error 50 "$o" "the daemon on $T/ref.sock is not ccni's"
	# ccni's dhcp under the reference's bridge: released all the same
	mkdir "$T/mix"
	ln -s "$REF_BIN/bridge" "$T/mix/bridge"
	ln -s "$CCNI_BIN/dhcp" "$T/mix/dhcp"
	mns=$(mkns m)
	out=$(CID=mixed NETNS_PATH=/run/netns/$mns PLUGIN_PATH=$T/mix _cni_run "$T/mix" bridge ADD "$(conf)")
	server_lease "$(clid mixed)" >/dev/null
	CID=mixed NETNS_PATH=/run/netns/$mns PLUGIN_PATH=$T/mix _cni_run "$T/mix" bridge DEL "$(conf)"
	wait_for "the mixed chain's lease released" no_lease "$(clid mixed)"
}

test_reference_loses_the_lease_with_its_daemon_and_the_netns() {
	lan --dhcp-option=option:T1,2 --dhcp-option=option:T2,4
	host_on_lan
	ref_daemon
	rns=$(mkns r)
	theirs=$(CID=refc NETNS_PATH=/run/netns/$rns ref bridge ADD "$(conf "" "$T/ref.sock")")
	ours=$(cni bridge ADD "$(conf)")
	rc=$(clid refc) oc=$(clid "$CID")
	# both renew at T1
	r0=$(server_lease "$rc" | awk '{print $1}') o0=$(server_lease "$oc" | awk '{print $1}')
	wait_for "the reference's renewal" renewed "$rc" "$r0"
	wait_for "our renewal" renewed "$oc" "$o0"
	# both daemons killed: ours comes back with the next call and renews;
	# the reference's next call fails, and its lease is no longer renewed
	ref_pid=$(in_host pgrep -f "$REF_BIN/dhcp daemon -socketpath $T/ref.sock")
	kill -9 "$ref_pid" "$(daemon_pid)"
	o=$(CID=refc2 NETNS_PATH=/run/netns/$(mkns r2) ref bridge ADD "$(conf "" "$T/ref.sock")") &&
		fail "the reference worked without its daemon"
	assert_contains "$o" "error dialing DHCP daemon"
	CID=ours2 NETNS_PATH=/run/netns/$(mkns o2) cni bridge ADD "$(conf)" >/dev/null
	o1=$(expiry_of "$oc")
	wait_for "ours renewed again" renewed "$oc" "$o1"
	# (a renewal the reference sent as it was killed is long answered)
	r1=$(expiry_of "$rc") o2=$(expiry_of "$oc")
	wait_for "ours renewed twice" renewed "$oc" "$o2"
	assert_eq "$(expiry_of "$rc")" "$r1" "the reference's lease, not renewed"
	# DEL with the netns gone: the reference cannot release, ours can
	rm -f "$T/ref.sock" # (the reference's daemon does not replace a stale one)
	ref_daemon
	ip netns del "$rns"
	ip netns del "$NETNS"
	CID=refc NETNS_PATH="" ref bridge DEL "$(conf "" "$T/ref.sock")"
	NETNS_PATH="" cni bridge DEL "$(conf)"
	wait_for "our lease released" no_lease "$oc"
	[ -n "$(lease_of "$rc")" ] || fail "the reference's lease was released"
}

# --- macvlan on a veth master: the container's link is on the LAN's wire ---

test_macvlan_add_gets_a_lease() {
	mvlan
	out=$(cni macvlan ADD "$(mvconf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	assert_match "$ip" '^10\.66\.0\.1[0-9][0-9]/24$' "leased address"
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address)
	# (macvlan's dns is the config's: the server's is dropped, as the
	# reference's macvlan does; docs/plugins/macvlan.md)
	assert_result "$out" "$mac" '{ips:[{interface:0,address:"'"$ip"'",gateway:"10.66.0.1"}],
		routes:[{dst:"0.0.0.0/0",gw:"10.66.0.1"}],dns:{}}'
	# the container: a macvlan of mv0 with the lease and its routes
	assert_eq "$(kind)" '{"kind":"macvlan","mode":"bridge"}' "link"
	jq_eq "$(in_ns "$NETNS" ip -j -d link show eth0)" '.[0] | "\(.link_index) \(.operstate)"' \
		"$(h cat /sys/class/net/mv0/ifindex) UP"
	assert_eq "$(addrs)" "$ip" "eth0's addresses"
	assert_eq "$(routes)" '["10.66.0.0/24 - eth0","default 10.66.0.1 eth0"]' "routes"
	# the server: the one lease, for our client id and the macvlan's MAC
	leased_to "$CID" "$NETNS" "$out"
	assert_eq "$(wc -l <"$T/leases")" 1 "leases on the server"
	# one daemon, started by this ADD, holding the lease
	assert_eq "$(daemons)" 1 "daemons"
	jq_eq "$(cat "$T"/dhcp.sock.d/*.json)" '"\(.containerID) \(.network) \(.ifName) \(.address)"' \
		"$CID dhcpnet eth0 ${ip%/*}"
	# the leased address works on the wire; CHECK agrees
	in_ns "$NETNS" ping -c1 -W2 10.66.0.1 >/dev/null || fail "container -> server"
	cni macvlan CHECK "$(with_prev "$(mvconf)" "$out")"
	# a second container on the same master: its own MAC, its own lease
	ns2=$(mkns b)
	out2=$(CID=two NETNS_PATH=/run/netns/$ns2 cni macvlan ADD "$(mvconf)")
	ip2=$(jq -r '.ips[0].address' <<<"$out2")
	[ "$ip2" != "$ip" ] || fail "both containers got $ip"
	leased_to two "$ns2" "$out2"
	assert_eq "$(daemons)" 1 "daemons"
}

test_macvlan_del_releases_the_lease_and_twice() {
	mvlan
	out=$(cni macvlan ADD "$(mvconf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	c=$(clid "$CID")
	server_lease "$c" >/dev/null
	cni macvlan DEL "$(mvconf)"
	wait_for "the lease gone from the server" no_lease "$c"
	assert_contains "$(cat "$T/dnsmasq.log")" "DHCPRELEASE(lan0) ${ip%/*}"
	# from the container's macvlan, before it went
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "released ${ip%/*} to 10.66.0.1"
	assert_not_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "from the daemon's namespace"
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 0 "lease files"
	assert_eq "$(links "$NETNS")" 1 "links in the container"
	assert_eq "$(hostlinks)" "lo mv0" "host links"
	cni macvlan DEL "$(mvconf)"
	cni dhcp DEL "$(ipam_conf)"
	assert_eq "$(grep -c DHCPRELEASE "$T/dnsmasq.log")" 1 "RELEASEs"
}

test_macvlan_del_with_the_netns_gone_releases_from_the_record() {
	mvlan
	host_on_lan mv0
	out=$(cni macvlan ADD "$(mvconf)")
	ip=$(jq -r '.ips[0].address' <<<"$out")
	c=$(clid "$CID")
	server_lease "$c" >/dev/null
	# the macvlan goes with its namespace
	ip netns del "$NETNS"
	cni macvlan DEL "$(mvconf)"
	wait_for "the lease gone from the server" no_lease "$c"
	assert_contains "$(cat "$T/dhcp.sock.d/daemon.log")" "released ${ip%/*} to 10.66.0.1 (from the daemon's namespace"
	assert_contains "$(cat "$T/dnsmasq.log")" "DHCPRELEASE(lan0) ${ip%/*}"
	NETNS_PATH="" cni macvlan DEL "$(mvconf)"
	assert_eq "$(ls "$T/dhcp.sock.d" | grep -c '\.json$')" 0 "lease files"
	assert_eq "$(hostlinks)" "lo mv0" "host links"
}

# normal: a result with what differs between two leases taken out
normal() {
	jq -cS '.ips[].address |= sub("\\.[0-9]+/"; ".X/") | .interfaces[] |= (.mac |= test("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$") | .sandbox |= length > 0)' <<<"$1"
}

test_macvlan_reference_same_result_and_server_view() {
	mvlan
	ref_daemon
	rns=$(mkns r)
	theirs=$(CID=refc NETNS_PATH=/run/netns/$rns ref macvlan ADD "$(mvconf "" "$T/ref.sock")")
	ours=$(cni macvlan ADD "$(mvconf)")
	# the same result (macvlan drops IPAM's DNS in both)
	assert_eq "$(normal "$ours")" "$(normal "$theirs")" "ours and the reference's result"
	assert_eq "$(normal "$theirs")" '{"cniVersion":"1.0.0","dns":{},"interfaces":[{"mac":true,"name":"eth0","sandbox":true}],"ips":[{"address":"10.66.0.X/24","gateway":"10.66.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.66.0.1"}]}' "the result"
	# the same kernel state in both containers
	for ns in "$rns" "$NETNS"; do
		assert_eq "$(kind eth0 "$ns")" '{"kind":"macvlan","mode":"bridge"}' "link in $ns"
		assert_eq "$(routes "$ns")" '["10.66.0.0/24 - eth0","default 10.66.0.1 eth0"]' "routes in $ns"
	done
	# the server sees both, for each container's MAC and client id
	leased_to refc "$rns" "$theirs"
	leased_to "$CID" "$NETNS" "$ours"
	# DEL: macvlan calls IPAM DEL while the link is there, so both release
	CID=refc NETNS_PATH=/run/netns/$rns ref macvlan DEL "$(mvconf "" "$T/ref.sock")"
	cni macvlan DEL "$(mvconf)"
	wait_for "the reference's lease released" no_lease "$(clid refc)"
	wait_for "our lease released" no_lease "$(clid "$CID")"
	assert_eq "$(links "$rns") $(links "$NETNS")" "1 1" "links left in the containers"
	# both take a second DEL
	CID=refc NETNS_PATH=/run/netns/$rns ref macvlan DEL "$(mvconf "" "$T/ref.sock")"
	cni macvlan DEL "$(mvconf)"
}

run_tests
