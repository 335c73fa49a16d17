#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/kubernetes.md, proven: two nodes (network namespaces joined by an
# underlay veth), each with a conf dir as a node has and its own pod CIDR
# given through the ipRanges capability as kubelet gives it; pods attached
# on each node by the ccni runtime (the CLI with CAP_ARGS), the pod CIDRs
# routed between the nodes (what kubenet or a cloud's routes do), and pod
# to pod traffic across the nodes in both directions with the pods' own
# addresses (no NAT); then the same with the pod CIDRs routed over a vxlan
# link between the nodes. Nothing but each node's own files: no key-value
# store, no daemon.
. "$(dirname "$0")/lib.sh"

NET=k8s-pod-network
CIDR_A=10.244.1.0/24
CIDR_B=10.244.2.0/24

# node NS CIDR MTU: the node's conf dir (bridge + portmap, as a node's
# provisioning writes it), cache and host-local store under $T/NS.
node() {
	local ns=$1 mtu=$3
	mkdir -p "$T/$ns/net.d" "$T/$ns/cache"
	cat >"$T/$ns/net.d/10-$NET.conflist" <<-EOF
	{
	  "cniVersion": "1.0.0",
	  "name": "$NET",
	  "plugins": [
	    {
	      "type": "bridge",
	      "bridge": "cni0",
	      "isGateway": true,
	      "ipMasq": false,
	      "hairpinMode": true,
	      "mtu": $mtu,
	      "capabilities": {"ipRanges": true},
	      "ipam": {"type": "host-local", "dataDir": "$T/$ns/ipam", "routes": [{"dst": "0.0.0.0/0"}]}
	    },
	    {"type": "portmap", "capabilities": {"portMappings": true}}
	  ]
	}
	EOF
	echo "$2" >"$T/$ns/cidr"
}

# kcli NS ARGS...: the ccni runtime on node NS, with the capability
# arguments kubelet passes (its pod CIDR as ipRanges, the pod's ports).
kcli() {
	local ns=$1
	shift
	ip netns exec "$ns" env NETCONFPATH="$T/$ns/net.d" CNI_PATH="$CCNI_BIN" \
		CNI_CACHE_DIR="$T/$ns/cache" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod" \
		CAP_ARGS="{\"portMappings\":[],\"ipRanges\":[[{\"subnet\":\"$(cat "$T/$ns/cidr")\"}]]}" \
		$CCNI_WRAP "$CCNI_CLI" "$@"
}

# pod NODE: a pod on NODE; echoes "NETNS ADDRESS".
pod() {
	local p out
	p=$(mkns p)
	out=$(kcli "$1" add "$NET" "/run/netns/$p") || fail "ADD on $1: $out"
	echo "$p $(printf '%s' "$out" | jq -r '.ips[0].address' | cut -d/ -f1)"
}

# underlay: nodes NA and NB joined by a veth, 192.168.77.1 and .2.
underlay() {
	ip -n "$NA" link add u0 type veth peer name u0 netns "$NB"
	ip -n "$NA" addr add 192.168.77.1/24 dev u0
	ip -n "$NB" addr add 192.168.77.2/24 dev u0
	ip -n "$NA" link set u0 up
	ip -n "$NB" link set u0 up
}

# peer_addr FROM TO_ADDR: the source address a TCP server at TO_ADDR (in
# namespace $TO_NS) sees for a connection from namespace FROM.
peer_addr() {
	local from=$1 addr=$2 i
	in_ns "$TO_NS" socat -T5 TCP-LISTEN:7011,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
	for i in $(seq 100); do
		in_ns "$TO_NS" ss -Hltn 'sport = :7011' | grep -q LISTEN && break
		sleep 0.05
	done
	in_ns "$from" timeout 5 socat -T3 - "TCP:$addr:7011" </dev/null 2>/dev/null
	wait
}

# traffic A B: pods A and B ("NETNS ADDRESS") reach each other, both ways,
# and each sees the other's own address.
traffic() {
	local a=($1) b=($2)
	in_ns "${a[0]}" ping -c1 -W3 "${b[1]}" >/dev/null || fail "${a[1]} -> ${b[1]}"
	in_ns "${b[0]}" ping -c1 -W3 "${a[1]}" >/dev/null || fail "${b[1]} -> ${a[1]}"
	command -v socat >/dev/null || return 0
	TO_NS=${b[0]}
	assert_eq "$(peer_addr "${a[0]}" "${b[1]}")" "${a[1]}" "source seen by ${b[1]}"
	TO_NS=${a[0]}
	assert_eq "$(peer_addr "${b[0]}" "${a[1]}")" "${b[1]}" "source seen by ${a[1]}"
}

# detach NODE POD...: DEL every pod; the node's store keeps no address.
detach() {
	local n=$1 p
	shift
	for p in "$@"; do
		kcli "$n" del "$NET" "/run/netns/${p%% *}" || fail "DEL on $n"
	done
	assert_eq "$(ls "$T/$n/ipam/$NET" | grep -Ev '^(lock|last_reserved_ip\.[0-9]+)$')" "" "addresses left on $n"
}

test_pods_on_two_nodes_reach_each_other_over_routed_pod_cidrs() {
	command -v jq >/dev/null || skip "jq missing"
	NA=$(mkns na)
	NB=$(mkns nb)
	underlay
	node "$NA" "$CIDR_A" 1500
	node "$NB" "$CIDR_B" 1500
	# the node's conf dir passes validation with what kubelet passes
	assert_eq "$(kcli "$NA" validate)" "1 file checked, 0 problems" "ccni validate on node A"
	a1=$(pod "$NA")
	a2=$(pod "$NA")
	b1=$(pod "$NB")
	# each node allocates from the pod CIDR kubelet gave it
	assert_eq "${a1#* } ${a2#* } ${b1#* }" "10.244.1.2 10.244.1.3 10.244.2.2" "pod addresses"
	assert_eq "$(ip -n "$NA" -o -4 addr show cni0 | awk '{print $4}')" 10.244.1.1/24 "node A's gateway"
	assert_eq "$(ip -n "$NB" -o -4 addr show cni0 | awk '{print $4}')" 10.244.2.1/24 "node B's gateway"
	# the pod CIDRs routed between the nodes
	ip -n "$NA" route add "$CIDR_B" via 192.168.77.2
	ip -n "$NB" route add "$CIDR_A" via 192.168.77.1
	traffic "$a1" "$b1"
	traffic "$a2" "$b1"
	traffic "$a1" "$a2"
	detach "$NA" "$a1" "$a2"
	detach "$NB" "$b1"
}

test_pods_on_two_nodes_reach_each_other_over_vxlan() {
	command -v jq >/dev/null || skip "jq missing"
	NA=$(mkns na)
	NB=$(mkns nb)
	underlay
	ip -n "$NA" link add vx0 type vxlan id 42 local 192.168.77.1 remote 192.168.77.2 dstport 4789 dev u0 2>/dev/null ||
		skip "no vxlan in this kernel"
	ip -n "$NB" link add vx0 type vxlan id 42 local 192.168.77.2 remote 192.168.77.1 dstport 4789 dev u0
	ip -n "$NA" addr add 172.31.0.1/24 dev vx0
	ip -n "$NB" addr add 172.31.0.2/24 dev vx0
	ip -n "$NA" link set vx0 up
	ip -n "$NB" link set vx0 up
	# the pods' MTU leaves room for the 50 bytes of vxlan
	assert_eq "$(ip -n "$NA" -j link show vx0 | jq '.[0].mtu')" 1450 "vxlan MTU"
	node "$NA" "$CIDR_A" 1450
	node "$NB" "$CIDR_B" 1450
	a1=$(pod "$NA")
	b1=$(pod "$NB")
	assert_eq "$(in_ns "${a1%% *}" ip -j link show eth0 | jq '.[0].mtu')" 1450 "pod MTU"
	# only the overlay knows the other node's pods
	ip -n "$NA" route add "$CIDR_B" via 172.31.0.2 dev vx0
	ip -n "$NB" route add "$CIDR_A" via 172.31.0.1 dev vx0
	assert_contains "$(ip -n "$NA" route get "${b1#* }")" "dev vx0"
	tx=$(ip -n "$NA" -j -s link show vx0 | jq '.[0].stats64.tx.packets')
	traffic "$a1" "$b1"
	# full-size packets pass unfragmented: the MTU is right end to end
	in_ns "${a1%% *}" ping -c1 -W3 -M do -s 1422 "${b1#* }" >/dev/null || fail "1450-byte packets lost"
	[ "$(ip -n "$NA" -j -s link show vx0 | jq '.[0].stats64.tx.packets')" -gt "$tx" ] ||
		fail "no packet went through vx0"
	detach "$NA" "$a1"
	detach "$NB" "$b1"
}

run_tests
