#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ccni-docker with the real dockerd (docker.io 20.10) in private namespaces
# (docker-lib.sh): the plugin protocol, network create and its rejections,
# docker run on a CNI network, interop with `ccni add` namespaces (traffic
# both ways, one address pool under concurrency), -p, --ip, connect and
# disconnect, teardown leaving nothing, failing and hanging plugins, the
# daemon and dockerd restarted or killed, parallel runs. Assertions are on
# kernel state, host-local's files, the cache, `docker inspect` and traffic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/docker-lib.sh"

SUB=10.89.0.0/24

# -- helpers ---------------------------------------------------------------

# http PATH [BODY]: one request to the plugin socket; prints status and body
http() {
	local body=${2:-} out
	out=$(printf 'POST %s HTTP/1.1\r\nHost: \r\nAccept: application/vnd.docker.plugins.v1.2+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		"$1" "${#body}" "$body" | dkx socat -t 5 - UNIX-CONNECT:/run/docker/plugins/ccni.sock)
	printf '%s' "$out" | head -1 | cut -d' ' -f2
	printf '%s' "$out" | sed '1,/^\r$/d'
}
# body_of "STATUS\nBODY" -> BODY
status_of() { printf '%s' "$1" | head -1; }
body_of() { printf '%s' "$1" | tail -n +2; }

# links on a bridge in the test's namespace
bridge_ports() { dkx ip -o link show master "$1" 2>/dev/null | wc -l; }
store_files() { ls "$D/ipam/$1" 2>/dev/null | grep -c '^[0-9]' || true; }
# nothing of Docker's attachments is left: records, private stores,
# handed-over links, cache entries of Docker endpoints
assert_no_docker_state() {
	assert_eq "$(ls "$D/state/endpoints" | wc -l)" 0 "endpoint records"
	assert_eq "$(find "$D/state/addresses" -type f | wc -l)" 0 "address records"
	assert_eq "$(dkx ip -o link show | grep -c ' ccd' || true)" 0 "handed-over links"
	assert_eq "$(ls "$D/cache/results" 2>/dev/null | wc -l)" 0 "cache entries"
}
# serve_ns NS TEXT: an HTTP server on port 80 in netns NS answering TEXT
serve_ns() {
	printf 'HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s\n' $((${#2} + 1)) "$2" >"$T/resp.$1"
	nsenter -t "$DK_ANCHOR" -m -n -- ip netns exec "$1" socat TCP-LISTEN:80,fork,reuseaddr \
		SYSTEM:"cat $T/resp.$1" >/dev/null 2>&1 &
	echo $! >>"$D/pids"
	_dk_wait 30 dkx ip netns exec "$1" sh -c "ss -ltn | grep -q ':80 '"
}
# get HOST PORT: an HTTP GET from the test's host namespace
get_host() {
	printf 'GET / HTTP/1.0\r\n\r\n' | dkx timeout 5 socat -T3 - "TCP:$1:$2" 2>/dev/null | tail -1
}
host_answers() { [ "$(get_host "$1" "$2")" = "$3" ]; }
# pod_answers NS IP TEXT: an HTTP GET to IP:80 from netns NS answers TEXT
pod_answers() {
	[ "$(printf 'GET / HTTP/1.0\r\n\r\n' | dkx ip netns exec "$1" timeout 5 socat -T3 - "TCP:$2:80" 2>/dev/null | tail -1)" = "$3" ]
}
# mkns_dk NAME: a netns in the test's namespaces (for `ccni add`)
mkns_dk() {
	dkx ip netns add "$1"
	dkx ip -n "$1" link set lo up
}

# -- the protocol (no dockerd) -----------------------------------------------

test_protocol_replayed_requests() {
	need_docker
	D=$T/d
	mkdir -p "$D/net.d"
	trap 'dk_stop_all; _t_cleanup' EXIT
	DK_CGROUP=/ccni-test-$(_t_uid)
	echo "$DK_CGROUP" >"$D/cgroup"
	_dk_bin
	_dk_anchor
	echo "$DK_ANCHOR" >>"$D/pids"
	dk_conf dnet $SUB
	dk_ccni_start
	local r
	# empty bodies (Content-Length: 0), empty Host
	r=$(http /Plugin.Activate)
	assert_eq "$(status_of "$r")" 200 "Activate status"
	jq_eq "$(body_of "$r")" '.Implements | join(",")' "NetworkDriver,IpamDriver"
	r=$(http /NetworkDriver.GetCapabilities)
	jq_eq "$(body_of "$r")" '.Scope + "/" + .ConnectivityScope' local/local
	r=$(http /IpamDriver.GetCapabilities)
	jq_eq "$(body_of "$r")" '.RequiresMACAddress' true
	r=$(http /IpamDriver.GetDefaultAddressSpaces)
	jq_eq "$(body_of "$r")" '.LocalDefaultAddressSpace' ccni
	# RequestPool as dockerd sends it
	r=$(http /IpamDriver.RequestPool '{"AddressSpace":"ccni","Options":{"cni.network":"dnet"},"Pool":"10.89.0.0/24","SubPool":"","V6":false}')
	jq_eq "$(body_of "$r")" '[.PoolID, .Pool, .Data["com.docker.network.gateway"]] | join(" ")' \
		"ccni/dnet/10.89.0.0/24 10.89.0.0/24 10.89.0.1/24"
	# an address for a MAC, then its replay with "Options": null
	r=$(http /IpamDriver.RequestAddress '{"Address":"","Options":{"com.docker.network.endpoint.macaddress":"02:42:21:48:71:b7"},"PoolID":"ccni/dnet/10.89.0.0/24"}')
	jq_eq "$(body_of "$r")" '.Address' 10.89.0.2/24
	assert_eq "$(store_owner dnet 10.89.0.2)" "docker-pending-0242214871b7" "pending owner"
	r=$(http /IpamDriver.RequestAddress '{"Address":"10.89.0.2","Options":null,"PoolID":"ccni/dnet/10.89.0.0/24"}')
	assert_eq "$(status_of "$r")" 200 "replayed RequestAddress"
	jq_eq "$(body_of "$r")" '.Address' 10.89.0.2/24
	# the gateway request
	r=$(http /IpamDriver.RequestAddress '{"Address":"10.89.0.1","Options":{"RequestAddressType":"com.docker.network.gateway"},"PoolID":"ccni/dnet/10.89.0.0/24"}')
	jq_eq "$(body_of "$r")" '.Address' 10.89.0.1/24
	r=$(http /IpamDriver.ReleaseAddress '{"Address":"10.89.0.2","PoolID":"ccni/dnet/10.89.0.0/24"}')
	assert_eq "$(status_of "$r")" 200 "ReleaseAddress"
	[ -e "$D/ipam/dnet/10.89.0.2" ] && fail "released address still reserved"
	# errors: 500 with Err (never 200: the IPAM client would ignore it)
	r=$(http /IpamDriver.RequestPool '{"AddressSpace":"ccni","Options":{"cni.network":"nope"},"Pool":"","SubPool":"","V6":false}')
	assert_eq "$(status_of "$r")" 500 "unknown network status"
	jq_eq "$(body_of "$r")" '.Err | startswith("ccni: CNI network \"nope\": no network named \"nope\"")' true
	r=$(http /NetworkDriver.Join '{"EndpointID":"zz","NetworkID":"x","SandboxKey":"/run/docker/netns/x"}')
	assert_eq "$(status_of "$r")" 500 "bad id"
	jq_eq "$(body_of "$r")" '.Err' 'ccni: EndpointID: "zz" is not a Docker id'
	r=$(http /NetworkDriver.Bogus '{}')
	assert_eq "$(status_of "$r")" 404 "unknown path"
	jq_eq "$(body_of "$r")" '.Err' "ccni: /NetworkDriver.Bogus is not an endpoint of this plugin"
	r=$(http /NetworkDriver.Join 'not json')
	assert_eq "$(status_of "$r")" 500 "bad JSON"
	# idempotent teardown of unknown endpoints
	r=$(http /NetworkDriver.Leave '{"EndpointID":"ab12","NetworkID":"cd34"}')
	assert_eq "$(status_of "$r")" 200 "Leave of an unknown endpoint"
	# keep-alive: three pipelined requests on one connection, answered in order
	local out
	out=$(printf 'POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\nPOST /NetworkDriver.GetCapabilities HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\nPOST /IpamDriver.GetCapabilities HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\nConnection: close\r\n\r\n' |
		dkx socat -t 5 - UNIX-CONNECT:/run/docker/plugins/ccni.sock)
	assert_eq "$(printf '%s' "$out" | grep -o 'HTTP/1.1 200 OK' | wc -l)" 3 "responses on one connection"
	assert_match "$(printf '%s' "$out" | tr -d '\r\n')" '"Implements".*"Scope".*"RequiresMACAddress"' "order"
	# bounds: a body over 1 MiB is refused before it is read; no chunked
	out=$(printf 'POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nContent-Length: 2000000\r\n\r\n' |
		dkx socat -t 5 - UNIX-CONNECT:/run/docker/plugins/ccni.sock)
	assert_contains "$out" "HTTP/1.1 413" "oversized body"
	out=$(printf 'POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' |
		dkx socat -t 5 - UNIX-CONNECT:/run/docker/plugins/ccni.sock)
	assert_contains "$out" "HTTP/1.1 501" "chunked body"
	out=$(head -c 20000 /dev/zero | tr '\0' a | dkx socat -t 5 - UNIX-CONNECT:/run/docker/plugins/ccni.sock 2>/dev/null) || true
	assert_contains "$out" "HTTP/1.1 431" "oversized head"
	# a concurrent burst: 40 connections at once, 40 distinct addresses
	local i pids=()
	for i in $(seq 10 49); do
		http /IpamDriver.RequestAddress "{\"Address\":\"\",\"Options\":{\"com.docker.network.endpoint.macaddress\":\"02:42:00:00:00:$i\"},\"PoolID\":\"ccni/dnet/10.89.0.0/24\"}" >"$T/burst.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	assert_eq "$(cat "$T"/burst.* | grep -o '"Address":"[^"]*"' | sort -u | wc -l)" 40 "distinct addresses"
	assert_eq "$(store_files dnet)" 40 "reservations"
	assert_eq "$(grep -l docker-pending- "$D"/ipam/dnet/10.* | wc -l)" 40 "pending owners"
}

# -- network create --------------------------------------------------------------

test_create_inspect_and_rejections() {
	dk_start
	dk_conf dnet $SUB
	dk_conf other 10.91.0.0/24
	local id out
	# the short form: the subnet comes from the conflist
	id=$(dk network create -d ccni --ipam-driver ccni --ipam-opt cni.network=dnet n1) ||
		fail "create: $(tail -3 "$D/ccni-docker.log")"
	out=$(dk network inspect n1)
	jq_eq "$out" '.[0].Driver' ccni
	jq_eq "$out" '.[0].IPAM.Driver' ccni
	jq_eq "$out" '.[0].IPAM.Config[0].Subnet' 10.89.0.0/24
	jq_eq "$out" '.[0].IPAM.Options["cni.network"]' dnet
	jq_eq "$(cat "$D/state/networks/$id.json")" '[.network, .pool, .gateway] | join(" ")' "dnet 10.89.0.0/24 10.89.0.1"
	# the explicit form
	id=$(dk_net n2 other 10.91.0.0/24) || fail "explicit create"
	jq_eq "$(dk network inspect n2)" '.[0].Options["cni.network"]' other
	jq_eq "$(cat "$D/state/networks/$id.json")" '.network' other
	# --opt alone names it too when the subnet is given
	id=$(dk network create -d ccni --ipam-driver ccni --subnet 10.89.0.0/24 --opt cni.network=dnet n3) ||
		fail "create with --opt only"
	jq_eq "$(cat "$D/state/networks/$id.json")" '.network' dnet
	# rejected, each with its reason and no hang
	out=$(dk network create -d ccni --ipam-driver ccni bad1 2>&1) && fail "no cni.network accepted"
	assert_contains "$out" "pass --ipam-opt cni.network=NAME"
	out=$(dk network create -d ccni --ipam-driver ccni --ipam-opt cni.network=nope bad2 2>&1) && fail "unknown network accepted"
	assert_contains "$out" 'CNI network "nope": no network named "nope"'
	out=$(dk network create -d ccni --ipam-driver ccni --subnet 10.200.0.0/24 --ipam-opt cni.network=dnet bad3 2>&1) &&
		fail "subnet mismatch accepted"
	assert_contains "$out" "--subnet 10.200.0.0/24 is not the subnet of a host-local range of CNI network"
	out=$(dk network create -d ccni --subnet 10.89.0.0/24 --opt cni.network=dnet bad4 2>&1) &&
		fail "default IPAM accepted"
	assert_contains "$out" "create it with --ipam-driver ccni"
	out=$(dk network create -d ccni --ipam-driver ccni --internal --ipam-opt cni.network=dnet bad5 2>&1) &&
		fail "--internal accepted"
	assert_contains "$out" "--internal is not supported"
	# without --subnet once the CNI bridge routes the subnet: Docker would
	# loop on RequestPool; ccni says what to do
	mkns_dk pod1
	cli add other /run/netns/pod1 >/dev/null || fail "ccni add"
	out=$(dk network create -d ccni --ipam-driver ccni --ipam-opt cni.network=other bad6 2>&1) &&
		fail "routed subnet accepted"
	assert_contains "$out" "add --subnet 10.91.0.0/24"
	assert_eq "$(dk network ls --filter driver=ccni -q | wc -l)" 3 "networks"
	assert_eq "$(ls "$D/state/networks" | wc -l)" 3 "network records"
	dk network rm n1 n2 n3 >/dev/null
	assert_eq "$(ls "$D/state/networks" | wc -l)" 0 "network records after rm"
}

# -- docker run ------------------------------------------------------------------

test_run_address_mac_route_inspect_cache() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 bb sleep 1000 >/dev/null || fail "run: $(tail -3 "$D/ccni-docker.log")"
	local eid ip mac key addr
	eid=$(dk_eid c1 n1)
	ip=$(dk_ip c1 n1)
	mac=$(dk inspect -f '{{(index .NetworkSettings.Networks "n1").MacAddress}}' c1)
	key=$(dk_sandbox c1)
	assert_eq "$ip" 10.89.0.2 "docker inspect address"
	assert_match "$mac" '^02:42:' "Docker's MAC"
	# the container's eth0: host-local's address, Docker's MAC, the route
	addr=$(in_ctr_net c1 ip -j addr show eth0)
	jq_eq "$addr" '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' 10.89.0.2/24
	jq_eq "$addr" '.[0].address' "$mac"
	jq_eq "$(in_ctr_net c1 ip -j route show default)" '.[0].gateway' 10.89.0.1
	# host-local's own store holds it, owned by the endpoint
	assert_eq "$(tr '\r\n' '|#' <"$D/ipam/dnet/10.89.0.2")" "$eid|#eth0" "reservation"
	# the CNI chain ran for real: the veth is on the conflist's bridge
	assert_eq "$(bridge_ports b-dnet)" 1 "ports on the bridge"
	jq_eq "$(dkx ip -j addr show b-dnet)" '.[0].addr_info[0].local' 10.89.0.1
	# cached as any attachment: ccni show, CHECK and GC see it
	jq_eq "$(cat "$D/cache/results/dnet-$eid-eth0")" '.result.ips[0].address' 10.89.0.2/24
	jq_eq "$(cat "$D/cache/results/dnet-$eid-eth0")" '.result.interfaces[] | select(.sandbox) | .mac' "$mac"
	assert_contains "$(cli show "$key")" "container $eid  ifname eth0"
	CCNI_CID=$eid cli check dnet "$key" || fail "CHECK of the Docker container failed"
	cli gc dnet || fail "gc"
	[ -f "$D/ipam/dnet/10.89.0.2" ] || fail "gc released the Docker container's address"
	jq_eq "$(in_ctr_net c1 ip -j addr show eth0)" '.[0].addr_info[] | select(.family=="inet") | .local' 10.89.0.2
	# what Docker shows
	jq_eq "$(dk network inspect n1)" ".[0].Containers[\"$(dk inspect -f '{{.Id}}' c1)\"].IPv4Address" 10.89.0.2/24
	jq_eq "$(cat "$D/state/endpoints/$eid.json")" '[.state, .sandboxKey] | join(" ")' "joined $key"
}

test_interop_ping_and_tcp_with_a_ccni_add_namespace() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	mkns_dk pod1
	local pod ip
	pod=$(cli add dnet /run/netns/pod1) || fail "ccni add"
	jq_eq "$pod" '.ips[0].address' 10.89.0.2/24
	dk run -d --name c1 --network n1 bb httpd -f -p 80 -h /www >/dev/null || fail "run"
	ip=$(dk_ip c1 n1)
	assert_eq "$ip" 10.89.0.3 "the Docker container's address, after the pod's"
	assert_eq "$(store_files dnet)" 2 "one pool, two reservations"
	assert_match "$(store_owner dnet 10.89.0.2)" '^cnitool-' "the pod's reservation"
	assert_eq "$(store_owner dnet 10.89.0.3)" "$(dk_eid c1 n1)" "the container's reservation"
	# ping both ways
	dk exec c1 ping -c1 -W3 10.89.0.2 >/dev/null || fail "container -> pod ping"
	dkx ip netns exec pod1 ping -c1 -W3 "$ip" >/dev/null || fail "pod -> container ping"
	# TCP both ways
	# (httpd may not listen yet when docker run returns)
	_dk_wait 50 pod_answers pod1 "$ip" "hello from docker" || fail "pod -> container TCP"
	serve_ns pod1 hello-from-pod
	# (busybox's static wget crashes resolving in a container without NSS)
	assert_eq "$(dk exec c1 sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 10.89.0.2 80' | tail -1)" \
		hello-from-pod "container -> pod TCP"
	assert_eq "$(bridge_ports b-dnet)" 2 "both on one bridge"
}

# the whole chain runs for a Docker container, host side and link alike
test_firewall_bandwidth_tuning_in_the_chain() {
	dk_start
	dkx ip link add cp0 type ifb 2>/dev/null && dkx ip link del cp0 || skip "kernel has no ifb links"
	dk_conf dnet $SUB '{"type":"firewall"},{"type":"bandwidth","egressRate":2000000,"egressBurst":160000},{"type":"tuning","mtu":1400}'
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 bb sleep 1000 >/dev/null || fail "run: $(tail -3 "$D/ccni-docker.log")"
	local eid ifb fw
	eid=$(dk_eid c1 n1)
	ifb=bwp$(printf '%s' "dnet$eid" | sha512sum | cut -c1-12)
	# tuning set the MTU on the link Docker then moved in
	jq_eq "$(in_ctr_net c1 ip -j link show eth0)" '.[0].mtu' 1400
	# bandwidth: the ifb of the attachment on the host
	jq_eq "$(dkx ip -j -d link show "$ifb")" '.[0].linkinfo.info_kind' ifb
	# firewall: the container's address, tagged with the attachment
	fw=$(dkx nft -j list set inet ccni_firewall addr4 | jq -r '.nftables[] | select(.set) | .set.elem[] | "\(.elem.val) \(.elem.comment)"')
	assert_eq "$fw" "10.89.0.2 dnet $eid eth0" "firewall element"
	dk exec c1 ping -c1 -W3 10.89.0.1 >/dev/null || fail "container -> gateway"
	dk_stop c1
	dkx ip link show "$ifb" >/dev/null 2>&1 && fail "ifb left"
	jq_eq "$(dkx nft -j list set inet ccni_firewall addr4)" '[.nftables[] | select(.set) | .set.elem // [] | length] | add' 0
	assert_no_docker_state
}

test_twenty_parallel_docker_and_cni_attachments_get_distinct_addresses() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	local i pids=()
	for i in $(seq 1 10); do mkns_dk "p$i"; done
	for i in $(seq 1 10); do
		dk run -d --name "c$i" --network n1 bb sleep 1000 >"$T/run.$i" 2>&1 &
		pids+=($!)
		cli add dnet "/run/netns/p$i" >"$T/add.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "an attachment failed: $(cat "$T"/run.* "$T"/add.* | grep -iv '^[0-9a-f]*$' | head -5)"; done
	local addrs
	addrs=$( (for i in $(seq 1 10); do dk_ip "c$i" n1; jq -r '.ips[0].address' "$T/add.$i" | cut -d/ -f1; done) | sort)
	assert_eq "$(echo "$addrs" | wc -l)" 20 "addresses"
	assert_eq "$(echo "$addrs" | sort -u | wc -l)" 20 "distinct addresses"
	assert_eq "$(store_files dnet)" 20 "reservations"
	# each reservation is its attachment's
	for i in $(seq 1 10); do
		assert_eq "$(store_owner dnet "$(dk_ip "c$i" n1)")" "$(dk_eid "c$i" n1)" "owner of c$i's address"
	done
	assert_eq "$(bridge_ports b-dnet)" 20 "ports on the bridge"
}

test_publish_port_reachable_from_the_host_and_removed_after_stop() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name web --network n1 -p 8080:80 bb httpd -f -p 80 -h /www >/dev/null || fail "run"
	local m
	m=$(dkx nft -j list map inet ccni_portmap dnat4)
	jq_eq "$m" '[.nftables[] | select(.map) | .map.elem[] | .[0].elem | (.val.concat | map(tostring) | join(" ")) + " " + .comment] | join(",")' \
		"tcp 8080 dnet $(dk_eid web n1) eth0"
	# (httpd may not listen yet when docker run returns)
	_dk_wait 50 host_answers 10.89.0.1 8080 "hello from docker" || fail "host -> bridge IP:8080"
	assert_eq "$(get_host 127.0.0.1 8080)" "hello from docker" "host -> localhost:8080"
	dk_stop web
	jq_eq "$(dkx nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	assert_eq "$(get_host 10.89.0.1 8080)" "" "port still forwarded after stop"
	# a random host port cannot be honoured
	out=$(dk run -d --name web2 --network n1 -p 80 bb sleep 100 2>&1) && fail "-p 80 accepted"
	assert_contains "$out" "give a single host port"
}

test_static_ip_free_and_taken_by_a_cni_container() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 --ip 10.89.0.50 bb sleep 1000 >/dev/null || fail "run --ip"
	assert_eq "$(dk_ip c1 n1)" 10.89.0.50 "inspect"
	jq_eq "$(in_ctr_net c1 ip -j addr show eth0)" '.[0].addr_info[] | select(.family=="inet") | .local' 10.89.0.50
	assert_eq "$(store_owner dnet 10.89.0.50)" "$(dk_eid c1 n1)" "owner"
	# a CNI container holds .60: Docker may not have it
	mkns_dk pod1
	dkx env NETCONFPATH="$D/net.d" CNI_PATH="$D/bin" CNI_CACHE_DIR="$D/cache" "CNI_ARGS=IgnoreUnknown=1;IP=10.89.0.60" \
		"$CCNI_CLI" add dnet /run/netns/pod1 >/dev/null || fail "ccni add with IP"
	local before out
	before=$(cat "$D/ipam/dnet/10.89.0.60")
	out=$(dk run -d --name c2 --network n1 --ip 10.89.0.60 bb sleep 1000 2>&1) && fail "--ip of a CNI container accepted"
	assert_contains "$out" "address 10.89.0.60 is already in use by container cnitool-"
	assert_eq "$(cat "$D/ipam/dnet/10.89.0.60")" "$before" "the CNI container's reservation"
	# and one Docker endpoint's address for another
	out=$(dk run -d --name c3 --network n1 --ip 10.89.0.50 bb sleep 1000 2>&1) && fail "--ip in use accepted"
	assert_contains "$out" "in use by Docker endpoint"
	assert_eq "$(store_files dnet)" 2 "reservations"
	assert_eq "$(ls "$D/state/endpoints" | wc -l)" 1 "endpoint records"
}

test_connect_and_disconnect_a_running_container() {
	dk_start
	# two networks whose IPAM both route 10.200.0.0/16: given once
	dk_conf dnet $SUB
	sed -i 's|"ranges"|"routes":[{"dst":"0.0.0.0/0"},{"dst":"10.200.0.0/16"}],"ranges"|' "$D/net.d/10-dnet.conflist"
	dk_conf dnet2 10.90.0.0/24
	sed -i 's|"isDefaultGateway":true,||; s|"ranges"|"routes":[{"dst":"10.200.0.0/16"}],"ranges"|' "$D/net.d/10-dnet2.conflist"
	dk_net n1 dnet $SUB >/dev/null || fail "create n1"
	dk_net n2 dnet2 10.90.0.0/24 >/dev/null || fail "create n2"
	dk run -d --name c1 --network n1 bb sleep 1000 >/dev/null || fail "run"
	dk network connect n2 c1 || fail "connect: $(tail -3 "$D/ccni-docker.log")"
	local eid2
	eid2=$(dk_eid c1 n2)
	jq_eq "$(in_ctr_net c1 ip -j addr show eth1)" '.[0].addr_info[] | select(.family=="inet") | .local' 10.90.0.2
	assert_eq "$(in_ctr_net c1 ip route show 10.200.0.0/16)" "10.200.0.0/16 via 10.89.0.1 dev eth0 " "the shared route, once"
	jq_eq "$(in_ctr_net c1 ip -j route show default)" '.[0].gateway' 10.89.0.1
	assert_eq "$(store_owner dnet2 10.90.0.2)" "$eid2" "owner"
	assert_eq "$(bridge_ports b-dnet2)" 1 "ports on the second bridge"
	dk exec c1 ping -c1 -W3 10.90.0.1 >/dev/null || fail "ping over eth1"
	dk network disconnect n2 c1 || fail "disconnect"
	in_ctr_net c1 ip link show eth1 >/dev/null 2>&1 && fail "eth1 left"
	[ -e "$D/ipam/dnet2/10.90.0.2" ] && fail "reservation left"
	[ -e "$D/cache/results/dnet2-$eid2-eth0" ] && fail "cache entry left"
	[ -e "$D/state/endpoints/$eid2.json" ] && fail "endpoint record left"
	assert_eq "$(bridge_ports b-dnet2)" 0 "ports on the second bridge"
	jq_eq "$(in_ctr_net c1 ip -j addr show eth0)" '.[0].addr_info[] | select(.family=="inet") | .local' 10.89.0.2
}

test_stop_rm_network_rm_leave_nothing() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 -p 8081:80 bb httpd -f -p 80 -h /www >/dev/null || fail "run"
	local eid veth
	eid=$(dk_eid c1 n1)
	veth=$(jq -r '.hostVeth' "$D/state/endpoints/$eid.json")
	dkx ip link show "$veth" >/dev/null || fail "no host veth $veth"
	dk_stop c1
	dkx ip link show "$veth" >/dev/null 2>&1 && fail "host veth left after stop"
	assert_eq "$(bridge_ports b-dnet)" 0 "ports"
	assert_eq "$(store_files dnet)" 0 "reservations"
	jq_eq "$(dkx nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	assert_no_docker_state
	dk rm c1 >/dev/null
	dk network rm n1 >/dev/null
	assert_eq "$(ls "$D/state/networks" | wc -l)" 0 "network records"
	# the bridge stays: other runtimes share it
	dkx ip link show b-dnet >/dev/null || fail "the CNI bridge was removed"
}

# -- failure injection -----------------------------------------------------------

test_failing_plugin_fails_docker_run_and_leaves_nothing() {
	dk_start
	dk_conf dnet $SUB '{"type":"fail-add"}'
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	local out
	out=$(dk run -d --name c1 --network n1 bb sleep 1000 2>&1) && fail "run succeeded"
	assert_contains "$out" "fail-add: refused on purpose"
	assert_eq "$(bridge_ports b-dnet)" 0 "ports"
	assert_eq "$(store_files dnet)" 0 "reservations"
	jq_eq "$(dkx nft -j list map inet ccni_portmap dnat4 2>/dev/null || echo '{"nftables":[]}')" '[.nftables[] | select(.map) | .map.elem // [] | length] | add // 0' 0
	assert_no_docker_state
}

test_hanging_plugin_times_out_and_leaves_nothing() {
	CD_TIMEOUT=1500
	dk_start
	dk_conf dnet $SUB '{"type":"hang-add"}'
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	local out
	out=$(DK_TIMEOUT=30 dk run -d --name c1 --network n1 bb sleep 1000 2>&1) && fail "run succeeded"
	assert_contains "$out" 'plugin "hang-add" ADD timed out after 1500 ms'
	assert_eq "$(bridge_ports b-dnet)" 0 "ports"
	assert_eq "$(store_files dnet)" 0 "reservations"
	assert_no_docker_state
	# the hung plugin was killed (it ran in the test's host namespace)
	assert_eq "$(for p in $(ip netns pids "$HOSTNS"); do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done |
		grep -c '^sleep 600' || true)" 0 "the hung plugin"
}

test_ccni_docker_killed_and_restarted_mid_life() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 bb sleep 1000 >/dev/null || fail "run"
	local eid1
	eid1=$(dk_eid c1 n1)
	dk_ccni_kill KILL
	dk_ccni_start
	# Docker does not activate it again: it must serve from its records
	dk run -d --name c2 --network n1 bb sleep 1000 >/dev/null || fail "run after restart"
	assert_eq "$(dk_ip c2 n1)" 10.89.0.3 "c2's address"
	dk exec c2 ping -c1 -W3 10.89.0.2 >/dev/null || fail "c2 -> c1"
	dk_stop c1
	[ -e "$D/ipam/dnet/10.89.0.2" ] && fail "c1's reservation left"
	[ -e "$D/state/endpoints/$eid1.json" ] && fail "c1's record left"
	dk rm -f c2 >/dev/null
	assert_eq "$(store_files dnet)" 0 "reservations"
	assert_no_docker_state
}

test_dockerd_graceful_restart_with_a_restart_always_container() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 --restart always --stop-timeout 1 -p 8084:80 bb httpd -f -p 80 -h /www >/dev/null ||
		fail "run"
	local eid1 eid2 ip2
	eid1=$(dk_eid c1 n1)
	dk_dockerd_stop
	# a stopping dockerd detached the container through ccni-docker
	assert_eq "$(store_files dnet)" 0 "reservations while dockerd is down"
	assert_eq "$(bridge_ports b-dnet)" 0 "ports while dockerd is down"
	jq_eq "$(dkx nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	[ -e "$D/state/endpoints/$eid1.json" ] && fail "record left"
	dk_dockerd_start
	_dk_wait 100 dk_running c1 || fail "c1 did not restart"
	eid2=$(dk_eid c1 n1)
	ip2=$(dk_ip c1 n1)
	[ "$eid2" != "$eid1" ] || fail "same endpoint after restart"
	assert_eq "$(store_files dnet)" 1 "reservations after restart"
	assert_eq "$(store_owner dnet "$ip2")" "$eid2" "the new endpoint's reservation"
	jq_eq "$(in_ctr_net c1 ip -j addr show eth0)" '.[0].addr_info[] | select(.family=="inet") | .local' "$ip2"
	assert_eq "$(bridge_ports b-dnet)" 1 "ports after restart"
	# (httpd in the restarted container may not listen yet)
	_dk_wait 50 host_answers 10.89.0.1 8084 "hello from docker" || fail "the port after restart"
}

test_dockerd_sigkill_then_restart_cleans_the_stale_sandbox() {
	dk_start
	dk_conf dnet $SUB '{"type":"portmap","capabilities":{"portMappings":true}}'
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 -p 8082:80 bb httpd -f -p 80 -h /www >/dev/null || fail "run"
	local eid pid veth
	eid=$(dk_eid c1 n1)
	pid=$(dk inspect -f '{{.State.Pid}}' c1)
	veth=$(jq -r '.hostVeth' "$D/state/endpoints/$eid.json")
	dk_dockerd_stop KILL
	kill -9 "$pid"
	dk_dockerd_start
	# the stale sandbox is cleaned: Leave/DeleteEndpoint/ReleaseAddress
	_dk_wait 100 test ! -e "$D/state/endpoints/$eid.json" || fail "the endpoint record stayed: $(tail -5 "$D/ccni-docker.log")"
	dkx ip link show "$veth" >/dev/null 2>&1 && fail "host veth left"
	assert_eq "$(store_files dnet)" 0 "reservations"
	jq_eq "$(dkx nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	assert_no_docker_state
	# and it runs again
	dk start c1 >/dev/null || fail "start after the crash"
	jq_eq "$(in_ctr_net c1 ip -j addr show eth0)" '.[0].addr_info[] | select(.family=="inet") | .local' "$(dk_ip c1 n1)"
}

test_start_collects_what_a_crash_left() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	dk run -d --name c1 --network n1 -p 8083:80 bb httpd -f -p 80 -h /www >/dev/null || fail "run"
	local eid key pid r pending
	eid=$(dk_eid c1 n1)
	key=$(dk_sandbox c1)
	pid=$(dk inspect -f '{{.State.Pid}}' c1)
	# an address Docker asked for and never used (dockerd died after it)
	r=$(http /IpamDriver.RequestAddress '{"Address":"","Options":{"com.docker.network.endpoint.macaddress":"02:42:aa:bb:cc:dd"},"PoolID":"ccni/dnet/10.89.0.0/24"}')
	pending=$(body_of "$r" | jq -r .Address | cut -d/ -f1)
	# everything dies; the container's namespace with it (as at a reboot)
	dk_dockerd_stop KILL
	dk_ccni_kill KILL
	kill -9 "$pid"
	dkx umount "$key"
	# long ago
	jq '.joinedAt = 1' "$D/state/endpoints/$eid.json" >"$T/rec" && cp "$T/rec" "$D/state/endpoints/$eid.json"
	touch -d '-10 minutes' "$D/state/addresses/dnet/$pending"
	dk_ccni_start
	assert_contains "$(cat "$D/ccni-docker.log")" "start: endpoint ${eid:0:12}: its sandbox $key is gone; its attachment to dnet was deleted"
	assert_contains "$(cat "$D/ccni-docker.log")" "start: released $pending of dnet (never given to an endpoint)"
	jq_eq "$(dkx nft -j list map inet ccni_portmap dnat4)" '[.nftables[] | select(.map) | .map.elem // [] | length] | add' 0
	[ -e "$D/cache/results/dnet-$eid-eth0" ] && fail "cache entry left"
	[ -e "$D/ipam/dnet/$pending" ] && fail "pending reservation left"
	assert_eq "$(bridge_ports b-dnet)" 0 "ports"
	jq_eq "$(cat "$D/state/endpoints/$eid.json")" '.state' left
	# Docker's own clean-up at its next start releases the rest
	dk_dockerd_start
	_dk_wait 100 test ! -e "$D/state/endpoints/$eid.json" || fail "the endpoint record stayed"
	assert_eq "$(store_files dnet)" 0 "reservations"
	assert_no_docker_state
}

test_ten_parallel_docker_runs() {
	dk_start
	dk_conf dnet $SUB
	dk_net n1 dnet $SUB >/dev/null || fail "create"
	local i pids=()
	for i in $(seq 1 10); do
		dk run -d --name "c$i" --network n1 bb sleep 1000 >"$T/run.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a run failed: $(cat "$T"/run.* | head -5)"; done
	local addrs
	addrs=$(for i in $(seq 1 10); do in_ctr_net "c$i" ip -4 -o addr show eth0 | awk '{print $4}'; done | sort)
	assert_eq "$(echo "$addrs" | sort -u | wc -l)" 10 "distinct addresses in the containers"
	assert_eq "$(store_files dnet)" 10 "reservations"
	dk rm -f $(dk ps -aq) >/dev/null
	assert_eq "$(store_files dnet)" 0 "reservations after rm -f"
	assert_no_docker_state
}

run_tests
