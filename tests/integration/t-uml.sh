#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The user-mode Linux kernel that runs the tests this machine's kernel
# cannot (tests/uml/): every link kind the plugins need, tagged traffic, and
# an environment where the plugins behave as on the host: writable state
# dirs, the host's clock, namespaces, iptables, nftables' bridge family
# through libnftables, the reference plugins.
. "$(dirname "$0")/lib.sh"
h() { in_host "$@"; }
kind() { h ip -j -d link show "$1" | jq -r '.[0].linkinfo.info_kind'; }

test_every_link_kind_and_tagged_traffic() {
	needs_kernel dummy ipvlan macvlan vlan vrf vlan_filtering
	h ip link add cu0 type dummy
	h ip link add cuv type vrf table 4242
	h ip link set cu0 master cuv
	h ip link add link cu0 name cu0i type ipvlan mode l3
	h ip link add cu1 type dummy
	h ip link add link cu1 name cu1m type macvlan mode bridge
	h ip link add cub type bridge vlan_filtering 1
	assert_eq "$(kind cu0) $(kind cuv) $(kind cu0i) $(kind cu1m)" "dummy vrf ipvlan macvlan" "kinds"
	jq_eq "$(h ip -j -d link show cu0)" '.[0].master' cuv
	jq_eq "$(h ip -j -d link show cub)" '.[0].linkinfo.info_data.vlan_filtering' 1
	# three namespaces on one (unfiltered) bridge, VLAN 10 on two and 20 on
	# the third, all in one subnet: 10 reaches 10, not 20
	ns2=$(mkns v)
	ns3=$(mkns w)
	h ip link add cut type bridge
	h ip link set cut up
	local i=1 ns id
	for ns in "$NETNS:10" "$ns2:10" "$ns3:20"; do
		id=${ns#*:} ns=${ns%:*}
		h ip link add cup$i master cut type veth peer name cuc netns "$ns"
		h ip link set cup$i up
		in_ns "$ns" ip link set cuc up
		in_ns "$ns" ip link add link cuc name cuc.$id type vlan id "$id"
		in_ns "$ns" ip addr add 10.89.10.$i/24 dev cuc.$id
		in_ns "$ns" ip link set cuc.$id up
		i=$((i + 1))
	done
	jq_eq "$(in_ns "$ns3" ip -j -d link show cuc.20)" '.[0].linkinfo.info_data | "\(.protocol) \(.id)"' "802.1Q 20"
	in_ns "$NETNS" ping -c1 -W2 10.89.10.2 >/dev/null || fail "VLAN 10 -> VLAN 10"
	in_ns "$NETNS" ping -c1 -W1 10.89.10.3 >/dev/null && fail "VLAN 10 reached VLAN 20"
	true
}

test_state_dirs_clock_and_tools_as_on_the_host() {
	runs_in_uml
	# the state dirs are this boot's own, and writable
	for d in /run /tmp /var/lib/cni; do
		assert_eq "$(stat -f -c %T "$d")" tmpfs "$d"
	done
	mkdir -p /etc/cni/net.d && touch /etc/cni/net.d/.w && rm /etc/cni/net.d/.w
	# the host's clock: not before this boot began, not after its timeout
	now=$(date +%s)
	[ "$now" -ge "$UML_HOST_T0" ] && [ "$now" -lt $((UML_HOST_T0 + 3600)) ] ||
		fail "clock: $now, the host booted this kernel at $UML_HOST_T0"
	# host-local's default store, /var/lib/cni/networks
	c='{"cniVersion":"1.0.0","name":"umlnet","type":"host-local","ranges":[[{"subnet":"10.89.1.0/24"}]]}'
	cc='{"cniVersion":"1.0.0","name":"umlnet","type":"bridge","bridge":"cub0","isGateway":true,"ipMasq":true,"ipMasqBackend":"iptables","macspoofchk":true,"ipam":'"$c"'}'
	out=$(cni bridge ADD "$cc")
	jq_eq "$out" '.ips[0].address' 10.89.1.2/24
	assert_eq "$(head -1 /var/lib/cni/networks/umlnet/10.89.1.2 | tr -d '\r')" "$CID" "reservation"
	in_ns "$NETNS" ping -c1 -W2 10.89.1.1 >/dev/null || fail "container -> gateway"
	# iptables (legacy here) and nftables' bridge family through libnftables
	assert_match "$(h iptables -t nat -S POSTROUTING)" "-s 10.89.1.2/32 .*-j CNI-"
	assert_contains "$(h nft list table bridge ccni_spoof)" "ether saddr"
	# the reference plugins run here too
	ns2=$(mkns r)
	rout=$(CID=ref NETNS_PATH=/run/netns/$ns2 ref bridge ADD "$(jq -c '.ipam.name = "umlnet" | del(.ipMasqBackend, .macspoofchk)' <<<"$cc")")
	jq_eq "$rout" '.ips[0].address' 10.89.1.3/24
	in_ns "$ns2" ping -c1 -W2 10.89.1.2 >/dev/null || fail "reference's container -> ccni's"
	CID=ref NETNS_PATH=/run/netns/$ns2 ref bridge DEL "$(jq -c 'del(.ipMasqBackend, .macspoofchk)' <<<"$cc")"
	cni bridge DEL "$cc"
	assert_eq "$(ls /var/lib/cni/networks/umlnet | grep -c '^10\.')" 0 "reservations after DEL"
	assert_not_contains "$(h iptables -t nat -S POSTROUTING)" "10.89.1.2"
}

# The harness itself, on this kernel: a boot that hangs is killed at its
# timeout with every process it made, and a test with no outcome counts as
# failed.
test_a_hung_boot_is_ended_and_a_test_without_outcome_fails() {
	command -v linux.uml >/dev/null || skip "no user-mode Linux kernel (package user-mode-linux)"
	local here out rc=0
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	out=$(TMPDIR=$T CCNI_UML_TIMEOUT=10 bash "$here/../uml/run.sh" -c 'sleep 1000') || rc=$?
	assert_eq "$rc" 1 "status of a hung boot"
	assert_contains "$out" "user-mode Linux did not finish within 10 s"
	assert_eq "$(pgrep -f "CCNI_UML_DIR=$T/" | wc -l)" 0 "processes left"
	echo "t-uml.test_that_does_not_exist" >"$T/list"
	rc=0
	# no plugins needed (so an ASan build's, which cannot run there, are not named)
	out=$(T_RESULTS=$T/results TMPDIR=$T CCNI_BIN=$T/no-plugins \
		CCNI_UML_PRELOAD=$(realpath -m "$CCNI_BIN/../../../../tests/uml/uml-xstate.so") \
		bash "$here/../uml/run.sh" "$T/list") || rc=$?
	assert_eq "$rc" 1 "status"
	assert_contains "$out" "FAIL t-uml.test_that_does_not_exist [uml]: no result"
	assert_eq "$(cat "$T/results")" "0 1 0" "tally"
}

run_tests
