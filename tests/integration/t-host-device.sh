#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# host-device (+ host-local): a host's device moved into the container,
# renamed, configured, traffic through it; DEL puts it back with its name,
# MTU and up/down state, a repeated DEL and a DEL without the namespace
# succeed; every way of naming the device; CHECK; GC; failed ADDs; bad
# input; results beside the reference's in every version. The devices here
# are veths (this kernel has no spare physical device): a veth's peer stays
# on the host to talk to. The test of a physical device the kernel gives
# back when the namespace goes runs in user-mode Linux (its uml_net device).
. "$(dirname "$0")/lib.sh"

h() { in_host "$@"; }

# hconf [EXTRA-KEYS] [IPAM-OBJECT|none] [DATADIR]: device hd0 unless EXTRA names another key.
hconf() {
	local ipam=${2:-'{"type":"host-local","dataDir":"'"$T/ipam"'","ranges":[[{"subnet":"10.78.0.0/24","gateway":"10.78.0.1"}]],"routes":[{"dst":"10.79.0.0/16"}]}'}
	local dev='"device":"hd0",'
	[[ "${1:-}" == *'"device"'* || "${1:-}" == *'"hwaddr"'* || "${1:-}" == *'"kernelpath"'* ||
		"${1:-}" == *'"pciBusID"'* || "${1:-}" == *runtimeConfig* ]] && dev=
	[ "$ipam" = none ] && ipam='{}'
	printf '{"cniVersion":"1.0.0","name":"hdnet","type":"host-device",%s"dataDir":"%s","ipam":%s%s}' \
		"$dev" "${3:-$T/hd}" "$ipam" "${1:-}"
}
# mkdev NAME MTU up|down: a veth NAME on the host, its peer NAMEp up with 10.78.0.1/24.
mkdev() {
	h ip link add "$1" mtu "$2" type veth peer name "${1}p"
	h ip link set "${1}p" up
	h ip addr add 10.78.0.1/24 dev "${1}p" 2>/dev/null || true
	[ "$3" = up ] && h ip link set "$1" up
	return 0
}
link() { ip -n "$1" -j link show "$2" 2>/dev/null; }
record() { cat "$T/hd/hdnet/$CID:${IFNAME:-eth0}.json"; }

test_moved_renamed_configured_and_back_as_it_was() {
	mkdev hd0 1400 up
	mac=$(h cat /sys/class/net/hd0/address)
	out=$(IFNAME=net1 cni host-device ADD "$(hconf)")
	jq_eq "$out" '.interfaces | tojson' "$(jq -cn --arg m "$mac" --arg s "$NETNS_PATH" '[{name:"net1",mac:$m,sandbox:$s}]')"
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' "0 10.78.0.2/24 10.78.0.1"
	jq_eq "$out" '.routes | map(.dst) | join(",")' "10.79.0.0/16"
	# the host has it no more; the container has it as net1, up, its host name in the alias
	h ip link show hd0 >/dev/null 2>&1 && fail "hd0 still on the host"
	l=$(link "$NETNS" net1)
	jq_eq "$l" '.[0] | "\(.ifalias) \(.mtu) \(.address) \(.flags | index("UP") != null)"' "hd0 1400 $mac true"
	jq_eq "$(in_ns "$NETNS" ip -j addr show net1)" '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")' 10.78.0.2/24
	jq_eq "$(in_ns "$NETNS" ip -j route show 10.79.0.0/16)" '.[0] | "\(.gateway) \(.dev)"' "10.78.0.1 net1"
	in_ns "$NETNS" ping -c1 -W2 10.78.0.1 >/dev/null || fail "container -> host over the moved device"
	jq_eq "$(IFNAME=net1 record)" '"\(.network) \(.containerID) \(.ifname) \(.device) \(.mtu) \(.up)"' "hdnet $CID net1 hd0 1400 true"
	# the container changes it; DEL gives the host its device as it was
	in_ns "$NETNS" ip link set net1 mtu 1300
	IFNAME=net1 cni host-device DEL "$(hconf)"
	l=$(link "$HOSTNS" hd0) || fail "hd0 not back on the host"
	jq_eq "$l" '.[0] | "\(.ifalias // "-") \(.mtu) \(.address) \(.flags | index("UP") != null)"' "- 1400 $mac true"
	in_ns "$NETNS" ip link show net1 >/dev/null 2>&1 && fail "net1 left in the container"
	assert_eq "$(ls "$T/ipam/hdnet" | grep -c '^10\.')" 0 "reservations left"
	[ -e "$T/hd/hdnet/$CID:net1.json" ] && fail "record left"
	# a repeated DEL succeeds (the reference's fails: "Link not found")
	IFNAME=net1 cni host-device DEL "$(hconf)"
	link "$HOSTNS" hd0 >/dev/null || fail "hd0 gone after the second DEL"
}

test_a_device_that_was_down_comes_back_down() {
	mkdev hd0 1500 down
	cni host-device ADD "$(hconf '' none)" >/dev/null
	jq_eq "$(link "$NETNS" eth0)" '.[0].flags | index("UP") != null' true
	cni host-device DEL "$(hconf '' none)"
	jq_eq "$(link "$HOSTNS" hd0)" '.[0] | "\(.flags | index("UP") != null) \(.mtu)"' "false 1500"
}

# The container's namespace goes before DEL: a virtual device goes with it
# (a veth takes its peer along), so DEL finds nothing to give back,
# releases the address and forgets the record.
test_del_with_the_netns_gone_and_a_veth_as_the_device() {
	mkdev hd0 1500 up
	cni host-device ADD "$(hconf)" >/dev/null
	ip netns del "$NETNS"
	cni host-device DEL "$(hconf)"
	h ip link show hd0 >/dev/null 2>&1 && fail "the veth came back"
	h ip link show hd0p >/dev/null 2>&1 && fail "the veth's peer outlived it"
	assert_eq "$(ls "$T/ipam/hdnet" | grep -c '^10\.')" 0 "reservations left"
	[ -e "$T/hd/hdnet/$CID:eth0.json" ] && fail "record left"
	NETNS_PATH="" cni host-device DEL "$(hconf)"
}

# A physical device (user-mode Linux's eth0, found by its kernel path) in
# a container whose namespace goes: the kernel gives it back to the
# initial namespace, down, under its container name, or devN when the
# host has that name; DEL finds it, renames it and restores its MTU and up
# state. The plugin runs in the initial namespace (where it comes back).
test_a_physical_device_comes_back_when_the_netns_goes() {
	needs_kernel physdev
	local init="cci$(_t_uid)" round dev
	ip netns attach "$init" 1
	ip link set eth0 mtu 1400 up
	c=$(hconf ',"kernelpath":"'"$PHYSDEV_PATH"'"')
	for round in name devN; do
		mac=$(cat /sys/class/net/eth0/address)
		out=$(HOSTNS=$init IFNAME=net1 cni host-device ADD "$c")
		jq_eq "$out" '.interfaces[0] | "\(.name) \(.mac)"' "net1 $mac"
		jq_eq "$(link "$NETNS" net1)" '.[0].ifalias' eth0
		ip link show eth0 >/dev/null 2>&1 && fail "eth0 still on the host"
		dev=net1
		if [ $round = devN ]; then
			# the host has a net1: the kernel names it dev<its index>
			ip link add net1 type veth peer name net1p
			dev=dev$(jq -r '.[0].ifindex' <<<"$(link "$NETNS" net1)")
		fi
		ip netns del "$NETNS"
		jq_eq "$(ip -j link show "$dev")" '.[0] | "\(.ifalias) \(.flags | index("UP") != null)"' "eth0 false"
		HOSTNS=$init IFNAME=net1 cni host-device DEL "$c"
		jq_eq "$(ip -j link show eth0)" '.[0] | "\(.ifalias // "-") \(.mtu) \(.address) \(.flags | index("UP") != null)"' "- 1400 $mac true"
		assert_eq "$(ls "$T/ipam/hdnet" | grep -c '^10\.')" 0 "reservations left ($round)"
		[ -e "$T/hd/hdnet/$CID:net1.json" ] && fail "record left ($round)"
		ip link del net1 2>/dev/null || true
		ip netns add "$NETNS"
	done
	ip link set eth0 down mtu 1500
	ip netns del "$init"
}

test_found_by_hwaddr_and_by_kernelpath() {
	mkdev hd0 1500 up
	mac=$(h cat /sys/class/net/hd0/address)
	out=$(cni host-device ADD "$(hconf ',"hwaddr":"'"${mac^^}"'"' none)")
	jq_eq "$out" '.interfaces[0] | "\(.name) \(.mac)"' "eth0 $mac"
	jq_eq "$(link "$NETNS" eth0)" '.[0].ifalias' hd0
	cni host-device DEL "$(hconf ',"hwaddr":"'"$mac"'"' none)"
	# a virtual device's kernel object is under /sys/devices/virtual: the
	# first network device there (by name, as the reference) is hd0
	out=$(cni host-device ADD "$(hconf ',"kernelpath":"/sys/devices/virtual"' none)")
	jq_eq "$(link "$NETNS" eth0)" '.[0] | "\(.ifalias) \(.address)"' "hd0 $mac"
	cni host-device DEL "$(hconf ',"kernelpath":"/sys/devices/virtual"' none)"
	link "$HOSTNS" hd0 >/dev/null || fail "hd0 not back"
}

test_pci_and_device_id_errors_name_the_key_and_value() {
	mkdev hd0 1500 up
	# a PCI device of this machine whose network device is not in this
	# namespace (the test's host namespace)
	pci=$(for d in /sys/bus/pci/devices/*; do
		{ [ -d "$d/net" ] || ls -d "$d"/virtio*/net; } >/dev/null 2>&1 && basename "$d"
	done | head -1)
	if [ -n "$pci" ]; then
		o=$(cni host-device ADD "$(hconf ',"pciBusID":"'"$pci"'"' none)") && fail "a PCI device of another namespace was moved"
		expect_error 7 "$o" "pciBusID: \"$pci\": no network device in /sys/bus/pci/devices/$pci/"
		o=$(cni host-device ADD "$(hconf ',"runtimeConfig":{"deviceID":"'"$pci"'"}' none)") && fail "deviceID of another namespace moved"
		expect_error 7 "$o" "pciBusID: \"$pci\": no network device in /sys/bus/pci/devices/$pci/"
	fi
	o=$(cni host-device ADD "$(hconf ',"pciBusID":"0000:ff:1f.7"' none)") && fail "a missing PCI device passed"
	expect_error 7 "$o" 'pciBusID: PCI device "0000:ff:1f.7": no driver'
	o=$(cni host-device ADD "$(hconf ',"runtimeConfig":{"deviceID":"mlx5_core.sf.9"}' none)") && fail "a missing deviceID passed"
	expect_error 7 "$o" 'runtimeConfig.deviceID: "mlx5_core.sf.9" is neither a PCI device'
	o=$(cni host-device ADD "$(hconf ',"runtimeConfig":{"deviceID":"../x"}' none)") && fail "a path as deviceID passed"
	expect_error 7 "$o" 'runtimeConfig.deviceID: invalid device "../x"'
	link "$HOSTNS" hd0 >/dev/null || fail "hd0 moved"
}

test_check_compares_the_interface_addresses_and_routes() {
	mkdev hd0 1500 up
	out=$(cni host-device ADD "$(hconf)")
	pc=$(jq -c --argjson p "$out" '. + {prevResult: $p}' <<<"$(hconf)")
	cni host-device CHECK "$pc"
	in_ns "$NETNS" ip route del 10.79.0.0/16
	o=$(cni host-device CHECK "$pc") && fail "CHECK passed without the route"
	expect_error 108 "$o" "10.79.0.0/16"
	bad=$(jq -c '.prevResult.interfaces[0].mac = "02:00:00:00:00:01"' <<<"$pc")
	o=$(cni host-device CHECK "$bad") && fail "CHECK passed with another MAC"
	expect_error 108 "$o" "02:00:00:00:00:01"
	o=$(cni host-device CHECK "$(hconf)") && fail "CHECK passed without prevResult"
	expect_error 7 "$o" "prevResult"
	cni host-device STATUS "$(hconf | jq -c '.cniVersion = "1.1.0"')"
	cni host-device DEL "$pc"
}

test_failed_add_gives_the_device_back() {
	mkdev hd0 1400 up
	o=$(cni host-device ADD "$(hconf '' '{"type":"no-such-ipam"}')") && fail "ADD with a missing IPAM plugin passed"
	expect_error 102 "$o" "no-such-ipam"
	jq_eq "$(link "$HOSTNS" hd0)" '.[0] | "\(.ifalias // "-") \(.mtu) \(.flags | index("UP") != null)"' "- 1400 true"
	[ -e "$T/hd/hdnet/$CID:eth0.json" ] && fail "record left"
	# CNI_IFNAME taken in the container: nothing moves
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	o=$(cni host-device ADD "$(hconf)") && fail "ADD over an existing eth0 passed"
	expect_error 4 "$o" "CNI_IFNAME"
	link "$HOSTNS" hd0 >/dev/null || fail "hd0 moved"
	assert_eq "$(ls "$T/ipam/hdnet" 2>/dev/null | grep -c '^10\.')" 0 "reservations left"
}

test_bad_inputs() {
	mkdev hd0 1500 up
	o=$(cni host-device ADD '{"cniVersion":"1.0.0","name":"hdnet","type":"host-device"}') && fail "no device key passed"
	expect_error 7 "$o" 'specify either "device", "hwaddr", "kernelpath" or "pciBusID"'
	o=$(cni host-device ADD "$(hconf ',"device":"nosuch0"' none)") && fail "a missing device passed"
	expect_error 7 "$o" 'device: no link "nosuch0" on the host'
	o=$(cni host-device ADD "$(hconf ',"device":"a/b"' none)") && fail "a/b passed"
	expect_error 7 "$o" 'device: invalid interface name "a/b"'
	o=$(cni host-device ADD "$(hconf ',"hwaddr":"zz:00"' none)") && fail "bad hwaddr passed"
	expect_error 7 "$o" 'hwaddr: invalid MAC address "zz:00"'
	o=$(cni host-device ADD "$(hconf ',"hwaddr":"02:00:00:00:00:99"' none)") && fail "unknown hwaddr passed"
	expect_error 7 "$o" 'hwaddr: no link with MAC address 02:00:00:00:00:99'
	o=$(cni host-device ADD "$(hconf ',"kernelpath":"devices/x"' none)") && fail "relative kernelpath passed"
	expect_error 7 "$o" 'kernelpath: "devices/x" must be absolute'
	o=$(cni host-device ADD "$(hconf ',"kernelpath":"/sys/devices/../../etc"' none)") && fail "kernelpath .. passed"
	expect_error 7 "$o" 'kernelpath: "/sys/devices/../../etc"'
	o=$(cni host-device ADD "$(hconf ',"device":7' none)") && fail "a number as device passed"
	expect_error 7 "$o" "device"
	o=$(cni host-device ADD "$(hconf ',"device":"lo"' none)" IFNAME=eth1) && fail "lo was moved"
	expect_error 101 "$o" "moving lo into the container"
	link "$HOSTNS" hd0 >/dev/null || fail "hd0 moved"
}

test_gc_forgets_the_records_of_gone_attachments() {
	mkdev hd0 1500 up
	mkdev hd1 1500 up
	nb=$(mkns gb)
	CID=keep cni host-device ADD "$(hconf)" >/dev/null
	CID=lost NETNS_PATH=/run/netns/$nb cni host-device ADD "$(hconf ',"device":"hd1"')" >/dev/null
	ip netns del "$nb"
	gc=$(hconf | jq -c '. + {"cniVersion":"1.1.0","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}')
	cni host-device GC "$gc"
	assert_eq "$(ls "$T/hd/hdnet")" "keep:eth0.json" "records after GC"
	assert_eq "$(grep -l keep "$T"/ipam/hdnet/10.* | wc -l) $(ls "$T/ipam/hdnet" | grep -c '^10\.')" "1 1" "reservations: keep's only"
	CID=keep cni host-device DEL "$(hconf)"
}

test_same_results_as_the_reference_in_every_version() {
	[ -x "$REF_BIN/host-device" ] || skip "no reference host-device"
	for v in 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0; do
		mkdev hdc 1500 up
		h ip link add hdr type veth peer name hdrp
		ns2=$(mkns r)
		c=$(hconf ',"device":"hdc"' '' | jq -c --arg v "$v" '.cniVersion = $v')
		r=$(hconf ',"device":"hdr"' '{"type":"host-local","dataDir":"'"$T/ipam-ref"'","ranges":[[{"subnet":"10.78.0.0/24","gateway":"10.78.0.1"}]],"routes":[{"dst":"10.79.0.0/16"}]}' |
			jq -c --arg v "$v" '.cniVersion = $v')
		a=$(IFNAME=net1 cni host-device ADD "$c")
		b=$(IFNAME=net1 NETNS_PATH=/run/netns/$ns2 ref host-device ADD "$r")
		norm='del(.interfaces[]?.mac) | (.interfaces[]?.sandbox) |= "S"'
		assert_eq "$(jq -cS "$norm" <<<"$a")" "$(jq -cS "$norm" <<<"$b")" "result $v"
		[ "$v" = 0.2.0 ] || jq_eq "$a" '.interfaces[0].mac' "$(in_ns "$NETNS" cat /sys/class/net/net1/address)"
		# kernel state side by side: name, addresses, routes
		st() { in_ns "$1" ip -j addr show net1 | jq -c '[.[0].ifname, [.[0].addr_info[] | select(.family=="inet") | .local]]'; }
		assert_eq "$(st "$NETNS")" "$(st "$ns2")" "container link $v"
		rt() { in_ns "$1" ip -j route show | jq -c 'map("\(.dst) \(.gateway // "-")") | sort'; }
		assert_eq "$(rt "$NETNS")" "$(rt "$ns2")" "container routes $v"
		IFNAME=net1 cni host-device DEL "$c"
		IFNAME=net1 NETNS_PATH=/run/netns/$ns2 ref host-device DEL "$r"
		link "$HOSTNS" hdc >/dev/null || fail "ours not back ($v)"
		link "$HOSTNS" hdr >/dev/null || fail "the reference's not back ($v)"
		# where the reference fails a repeated DEL, ccni follows the spec
		IFNAME=net1 cni host-device DEL "$c"
		o=$(IFNAME=net1 NETNS_PATH=/run/netns/$ns2 ref host-device DEL "$r" 2>/dev/null) &&
			echo "(the reference's repeated DEL passed this time)" >&2
		h ip link del hdc
		h ip link del hdr
		ip netns del "$ns2"
	done
}

run_tests
