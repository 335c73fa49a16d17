#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tap (+ host-local): the tap device in the container with every key read
# back from the kernel (tun flags, owner, group, MAC, MTU, bridge port),
# layer 2 and with IPAM, the MAC's sources, every result version, CHECK,
# DEL paths, failed ADDs and bad input. The reference has no tap in the
# Debian package: the flags expected are those its code asks the kernel for.
. "$(dirname "$0")/lib.sh"

# tconf [EXTRA-KEYS] [IPAM-OBJECT]
tconf() {
	printf '{"cniVersion":"1.0.0","name":"tapnet","type":"tap"%s%s}' "${1:-}" \
		"${2:+,\"ipam\":$2}"
}
ipam() { printf '{"type":"host-local","dataDir":"%s/ipam","ranges":[[{"subnet":"10.81.0.0/24"}]],"routes":[{"dst":"10.82.0.0/16"}]}' "$T"; }
sysfs() { in_ns "$NETNS" cat "/sys/class/net/${IFNAME:-eth0}/$1"; }
linkj() { in_ns "$NETNS" ip -d -j link show "${IFNAME:-eth0}"; }

# IFF_TAP 0x2, IFF_MULTI_QUEUE 0x100, IFF_PERSIST 0x800, IFF_NO_PI 0x1000, IFF_VNET_HDR 0x4000
test_every_key_read_back_from_the_kernel() {
	in_ns "$NETNS" ip link add br1 type bridge
	out=$(cni tap ADD "$(tconf ',"mac":"02:11:22:33:44:55","mtu":1400,"multiQueue":true,"owner":1000,"group":100,"bridge":"br1"')")
	jq_eq "$out" '.interfaces | tojson' "$(jq -cn --arg s "$NETNS_PATH" '[{name:"eth0",mac:"02:11:22:33:44:55",sandbox:$s}]')"
	jq_eq "$out" 'has("ips")' false
	assert_eq "$(sysfs tun_flags)" 0x5902 "tun flags (tap, multi-queue, persistent, no PI, vnet header)"
	assert_eq "$(sysfs owner) $(sysfs group)" "1000 100" "owner and group"
	l=$(linkj)
	jq_eq "$l" '.[0] | "\(.linkinfo.info_kind) \(.linkinfo.info_data.type) \(.linkinfo.info_data.multi_queue) \(.linkinfo.info_data.persist)"' "tun tap true true"
	jq_eq "$l" '.[0] | "\(.address) \(.mtu) \(.master) \(.flags | index("UP") != null)"' "02:11:22:33:44:55 1400 br1 true"
	cni tap DEL "$(tconf)"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "tap left"
	in_ns "$NETNS" ip link show br1 >/dev/null || fail "the bridge went too"
	cni tap DEL "$(tconf)"
}

# Without both owner and group (or with a SELinux context) the reference
# makes the tap with `ip tuntap`: no packet information header, no vnet
# header; nobody's, so any user may attach.
test_layer2_without_owner_and_group() {
	out=$(cni tap ADD "$(tconf)")
	assert_eq "$(sysfs tun_flags)" 0x1802 "tun flags (tap, persistent, no PI)"
	assert_eq "$(sysfs owner) $(sysfs group)" "-1 -1" "owner and group"
	jq_eq "$out" '.interfaces[0].mac' "$(sysfs address)"
	IFNAME=tap1 cni tap ADD "$(tconf ',"owner":0')" >/dev/null
	assert_eq "$(IFNAME=tap1 sysfs tun_flags) $(IFNAME=tap1 sysfs owner) $(IFNAME=tap1 sysfs group)" "0x1802 0 -1" "owner only"
	IFNAME=tap2 cni tap ADD "$(tconf ',"owner":0,"group":0')" >/dev/null
	assert_eq "$(IFNAME=tap2 sysfs tun_flags)" 0x4802 "owner and group: vnet header and packet information"
	IFNAME=tap3 cni tap ADD "$(tconf ',"owner":0,"group":0,"multiQueue":true')" >/dev/null
	assert_eq "$(IFNAME=tap3 sysfs tun_flags)" 0x5902 "owner, group, multi-queue"
	# SELinux is off on this machine: the context is ignored, the flags
	# are ip tuntap's
	if [ -e /sys/fs/selinux/enforce ]; then
		echo "SELinux is on here: the context case is not checked" >&2
	else
		IFNAME=tap4 cni tap ADD "$(tconf ',"owner":0,"group":0,"selinuxcontext":"system_u:system_r:container_t:s0"')" >/dev/null
		assert_eq "$(IFNAME=tap4 sysfs tun_flags)" 0x1802 "selinuxcontext: ip tuntap's flags"
	fi
}

test_with_ipam_addresses_routes_and_every_version() {
	out=$(cni tap ADD "$(tconf ',"mtu":1450' "$(ipam)")")
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' "0 10.81.0.2/24 10.81.0.1"
	jq_eq "$out" '.routes | map(.dst) | join(",")' 10.82.0.0/16
	jq_eq "$(in_ns "$NETNS" ip -j addr show eth0)" '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")' 10.81.0.2/24
	jq_eq "$(in_ns "$NETNS" ip -j route show 10.82.0.0/16)" '.[0] | "\(.gateway) \(.dev)"' "10.81.0.1 eth0"
	assert_eq "$(in_ns "$NETNS" sysctl -n net.ipv4.conf.eth0.arp_notify)" 1 "arp_notify"
	jq_eq "$(linkj)" '.[0].mtu' 1450
	cni tap DEL "$(tconf '' "$(ipam)")"
	assert_eq "$(ls "$T/ipam/tapnet" | grep -c '^10\.')" 0 "reservations left"
	for v in 0.2.0 0.3.1 0.4.0 1.1.0; do
		out=$(IFNAME=t$v cni tap ADD "$(tconf '' "$(ipam)" | jq -c --arg v "$v" '.cniVersion = $v')")
		jq_eq "$out" .cniVersion "$v"
		# host-local hands out the next address each time
		case $v in
		0.2.0) jq_eq "$out" '"\(.ip4.ip | test("^10\\.81\\.0\\.[0-9]+/24$")) \(.ip4.gateway) \(.ip4.routes[0].dst) \(has("interfaces"))"' "true 10.81.0.1 10.82.0.0/16 false" ;;
		0.3.1 | 0.4.0) jq_eq "$out" '.ips[0] | "\(.version) \(.interface) \(.address | test("^10\\.81\\.0\\.[0-9]+/24$"))"' "4 0 true" ;;
		*) jq_eq "$out" '.ips[0] | "\(has("version")) \(.interface) \(.address | test("^10\\.81\\.0\\.[0-9]+/24$"))"' "false 0 true" ;;
		esac
		[ "$v" = 0.2.0 ] || jq_eq "$out" '.interfaces[0].name' "t$v"
		IFNAME=t$v cni tap DEL "$(tconf '' "$(ipam)" | jq -c --arg v "$v" '.cniVersion = $v')"
	done
}

test_mac_from_cni_args_and_runtime_config() {
	CNI_ARGS_T="IgnoreUnknown=1;K8S_POD_NAME=x;MAC=02:00:00:00:aa:01" cni tap ADD "$(tconf ',"mac":"02:00:00:00:aa:00"')" >/dev/null
	assert_eq "$(sysfs address)" 02:00:00:00:aa:01 "CNI_ARGS MAC over the config's"
	CNI_ARGS_T="MAC=02:00:00:00:aa:01" IFNAME=tap1 cni tap ADD "$(tconf ',"runtimeConfig":{"mac":"02:00:00:00:aa:02"}')" >/dev/null
	assert_eq "$(IFNAME=tap1 sysfs address)" 02:00:00:00:aa:02 "runtimeConfig.mac over CNI_ARGS"
	o=$(CNI_ARGS_T="FOO=1" IFNAME=tap2 cni tap ADD "$(tconf)") && fail "an unknown CNI_ARGS key passed"
	expect_error 2 "$o" FOO
	o=$(IFNAME=tap2 cni tap ADD "$(tconf ',"runtimeConfig":{"mac":"nope"}')") && fail "a bad runtimeConfig.mac passed"
	expect_error 7 "$o" 'runtimeConfig.mac: invalid MAC address "nope"'
	in_ns "$NETNS" ip link show tap2 >/dev/null 2>&1 && fail "tap2 made"
	return 0
}

test_check_and_del_paths() {
	out=$(cni tap ADD "$(tconf '' "$(ipam)")")
	pc=$(jq -c --argjson p "$out" '. + {prevResult: $p}' <<<"$(tconf '' "$(ipam)")")
	cni tap CHECK "$pc"
	in_ns "$NETNS" ip addr flush dev eth0
	o=$(cni tap CHECK "$pc") && fail "CHECK passed without the address"
	expect_error 108 "$o" "10.81.0.2"
	cni tap STATUS "$(tconf '' "$(ipam)" | jq -c '.cniVersion = "1.1.0"')"
	cni tap DEL "$pc"
	cni tap DEL "$pc"
	# an eth0 that is not a tap is not tap's to delete
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	cni tap DEL "$(tconf)"
	in_ns "$NETNS" ip link show eth0 >/dev/null || fail "DEL deleted a veth"
	in_ns "$NETNS" ip link del eth0
	# the namespace gone: DEL still releases the address
	cni tap ADD "$(tconf '' "$(ipam)")" >/dev/null
	ip netns del "$NETNS"
	cni tap DEL "$(tconf '' "$(ipam)")"
	assert_eq "$(ls "$T/ipam/tapnet" | grep -c '^10\.')" 0 "reservations left"
	NETNS_PATH="" cni tap DEL "$(tconf '' "$(ipam)")"
}

test_failed_add_leaves_nothing() {
	o=$(cni tap ADD "$(tconf ',"bridge":"nobr0"' "$(ipam)")") && fail "a missing bridge passed"
	expect_error 7 "$o" 'bridge: no link "nobr0" in the container'
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "tap left"
	o=$(cni tap ADD "$(tconf '' '{"type":"no-such-ipam"}')") && fail "a missing IPAM plugin passed"
	expect_error 102 "$o" no-such-ipam
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "tap left after IPAM failed"
	o=$(cni tap ADD "$(tconf ',"mtu":70000')") && fail "mtu 70000 passed"
	expect_error 7 "$o" mtu
	o=$(cni tap ADD "$(tconf ',"mtu":65535')") && fail "an MTU the kernel refuses passed"
	expect_error 101 "$o" "set mtu 65535"
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "tap left after the MTU failed"
	assert_eq "$(ls "$T/ipam/tapnet" 2>/dev/null | grep -c '^10\.')" 0 "reservations left"
}

test_bad_inputs() {
	o=$(cni tap ADD "$(tconf ',"owner":-1')") && fail "owner -1 passed"
	expect_error 7 "$o" owner
	o=$(cni tap ADD "$(tconf ',"group":"wheel"')") && fail "a group name passed"
	expect_error 7 "$o" group
	o=$(cni tap ADD "$(tconf ',"multiQueue":"yes"')") && fail "multiQueue string passed"
	expect_error 7 "$o" multiQueue
	o=$(cni tap ADD "$(tconf ',"mac":"02:00:00:00:00"')") && fail "a short mac passed"
	expect_error 7 "$o" 'mac: invalid MAC address "02:00:00:00:00"'
	o=$(cni tap ADD "$(tconf ',"bridge":"a b"')") && fail "a bad bridge name passed"
	expect_error 7 "$o" 'bridge: invalid interface name "a b"'
	o=$(cni tap ADD "$(tconf ',"ipam":[]')") && fail "ipam array passed"
	expect_error 7 "$o" ipam
	in_ns "$NETNS" ip link show eth0 >/dev/null 2>&1 && fail "tap made"
	return 0
}

run_tests
