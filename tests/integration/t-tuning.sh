#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tuning: sysctls and link attributes in the container, the result (prevResult
# with the new MAC), the backup file and DEL restoring from it, CHECK, bad
# input for every key, and the reference's backup file format both ways.
. "$(dirname "$0")/lib.sh"

MAC2=c2:b0:57:49:47:f1

# mkif: give the container an eth0 (a veth whose peer stays with it).
mkif() { in_ns "$NETNS" ip link add eth0 type veth peer name eth0p; }
# prev: a prevResult naming the container's eth0 with its current MAC.
prev() {
	local mac
	mac=$(in_ns "$NETNS" cat /sys/class/net/eth0/address 2>/dev/null || echo 02:00:00:00:00:99)
	printf '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"%s","sandbox":"%s"},{"name":"veth1"}],"ips":[{"address":"10.1.2.3/24","gateway":"10.1.2.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.2.1"}],"dns":{"nameservers":["10.1.2.1"]}}' \
		"$mac" "$NETNS_PATH"
}
# tconf [EXTRA-KEYS]: a tuning config with a prevResult and our own dataDir.
tconf() {
	printf '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"%s"%s,"prevResult":%s}' \
		"$T/tuning" "${1:-}" "$(prev)"
}
link() { in_ns "$NETNS" ip -j -d link show eth0; }
flags() { link | jq -r '.[0].flags | join(",")'; }
sc() { in_ns "$NETNS" sysctl -n "$1"; }

ALL=',"mac":"'$MAC2'","mtu":1454,"promisc":true,"allmulti":true,"txQLen":42,"sysctl":{"net.core.somaxconn":"500","net.ipv4.conf.IFNAME.arp_filter":"1"}'

test_gc_removes_backups_of_attachments_not_valid_and_dead_writers_temp_files() {
	mkif
	CID=keep cni tuning ADD "$(tconf ',"mtu":1454')" >/dev/null
	in_ns "$NETNS" ip link set eth0 mtu 1500
	CID=lost cni tuning ADD "$(tconf ',"mtu":1454')" >/dev/null
	jq_eq "$(cat "$T/tuning/keep_eth0.json")" '.ccniAttachment' "tnet keep eth0"
	# a backup of another network, one without a tag (the reference's), and
	# temporary files: of a dead writer, and of a live one
	printf '{"mtu":1500,"ccniAttachment":"othernet lost eth0"}' >"$T/tuning/other_eth0.json"
	printf '{"mtu":1500}' >"$T/tuning/ref_eth0.json"
	sleep 0 & dead=$!; wait $dead
	: >"$T/tuning/x_eth0.json.tmp.$dead"
	: >"$T/tuning/y_eth0.json.tmp.$$"
	gc=$(printf '{"cniVersion":"1.1.0","name":"tnet","type":"tuning","dataDir":"%s","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}' "$T/tuning")
	cni tuning GC "$gc" >/dev/null
	assert_eq "$(ls "$T/tuning" | sort | paste -sd' ')" "keep_eth0.json other_eth0.json ref_eth0.json y_eth0.json.tmp.$$" "dataDir after GC"
}

test_del_and_gc_remove_the_temp_file_of_a_backup_write_killed() {
	mkif
	# a backup's temp file is named for its attachment: the DEL after an
	# ADD killed while writing it finds it
	mkdir -p "$T/tuning"
	printf '{"mtu":1500,"ccniAttachment":"tnet %s eth0"}' "$CID" >"$T/tuning/${CID}_eth0.json.tmp"
	cni tuning DEL "$(tconf ',"mtu":1454')"
	assert_eq "$(ls -A "$T/tuning" | xargs)" "" "dataDir after DEL"
	# GC removes one whose attachment is not valid, keeps a valid one's
	printf '{"mtu":1500,"ccniAttachment":"tnet gone eth0"}' >"$T/tuning/gone_eth0.json.tmp"
	printf '{"mtu":1500,"ccniAttachment":"tnet keep eth0"}' >"$T/tuning/keep_eth0.json.tmp"
	gc=$(printf '{"cniVersion":"1.1.0","name":"tnet","type":"tuning","dataDir":"%s","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}' "$T/tuning")
	cni tuning GC "$gc" >/dev/null
	assert_eq "$(ls -A "$T/tuning" | xargs)" "keep_eth0.json.tmp" "dataDir after GC"
}

test_mtu_the_device_refuses_gives_the_device_and_the_kernel_reason() {
	mkif
	out=$(cni tuning ADD "$(tconf ',"mtu":20')") && fail "ADD passed with mtu 20"
	expect_error 101 "$out"
	jq_eq "$out" '.msg' "mtu 20: link eth0: set mtu 20: Invalid argument"
	jq_eq "$out" '.details' "kernel: mtu less than device minimum"
}

test_add_sets_everything_check_passes_del_restores() {
	mkif
	orig=$(link)
	omac=$(jq -r '.[0].address' <<<"$orig")
	omtu=$(jq -r '.[0].mtu' <<<"$orig")
	oq=$(jq -r '.[0].txqlen' <<<"$orig")
	conf=$(tconf "$ALL")
	out=$(cni tuning ADD "$conf")
	# the result is prevResult, with eth0's MAC changed and nothing else
	jq_eq "$out" '.cniVersion' 1.0.0
	jq_eq "$out" '.interfaces[0] | "\(.name) \(.mac) \(.sandbox)"' "eth0 $MAC2 $NETNS_PATH"
	jq_eq "$out" '.interfaces[1] | "\(.name) \(has("mac"))"' "veth1 false"
	jq_eq "$out" '.ips | map("\(.interface) \(.address) \(.gateway)") | join(",")' "0 10.1.2.3/24 10.1.2.1"
	jq_eq "$out" '.routes[0] | "\(.dst) \(.gw)"' "0.0.0.0/0 10.1.2.1"
	jq_eq "$out" '.dns.nameservers | join(",")' 10.1.2.1
	# kernel state
	l=$(link)
	jq_eq "$l" '.[0].address' "$MAC2"
	jq_eq "$l" '.[0].mtu' 1454
	jq_eq "$l" '.[0].txqlen' 42
	jq_eq "$l" '.[0].flags | (index("PROMISC") != null) and (index("ALLMULTI") != null)' true
	assert_eq "$(sc net.core.somaxconn)" 500 somaxconn
	assert_eq "$(sc net.ipv4.conf.eth0.arp_filter)" 1 arp_filter
	# the host namespace's values are untouched
	assert_eq "$(in_host sysctl -n net.ipv4.conf.all.arp_filter)" 0 "host arp_filter"
	# the backup holds the original values, in the reference's format
	bk=$T/tuning/${CID}_eth0.json
	[ -f "$bk" ] || fail "no backup file $bk"
	# the reference's keys in its order, then ccni's tag of the attachment
	# (for GC; the reference's DEL ignores it)
	jq_eq "$(cat "$bk")" 'keys_unsorted | join(",")' "mac,promisc,mtu,allmulti,txQLen,ccniAttachment"
	jq_eq "$(cat "$bk")" '.ccniAttachment' "tnet $CID eth0"
	jq_eq "$(cat "$bk")" '"\(.mac) \(.promisc) \(.mtu) \(.allmulti) \(.txQLen)"' \
		"$omac false $omtu false $oq"
	assert_eq "$(head -2 "$bk")" $'{\n "mac": "'"$omac"'",' "backup layout"
	# CHECK against the same config passes
	cni tuning CHECK "$conf"
	# DEL puts the link back and removes the backup
	cni tuning DEL "$conf"
	l=$(link)
	jq_eq "$l" '.[0].address' "$omac"
	jq_eq "$l" '.[0].mtu' "$omtu"
	jq_eq "$l" '.[0].txqlen' "$oq"
	jq_eq "$l" '.[0].flags | (index("PROMISC") == null) and (index("ALLMULTI") == null)' true
	[ -e "$bk" ] && fail "backup left after DEL"
	# sysctls are not put back (as the reference)
	assert_eq "$(sc net.core.somaxconn)" 500 "somaxconn after DEL"
	cni tuning DEL "$conf"
}

test_sysctl_only_needs_no_link_and_makes_no_backup() {
	# ADD does not look for the link when only sysctls are asked for
	out=$(cni tuning ADD "$(tconf ',"sysctl":{"net.ipv4.ip_local_reserved_ports":"9999"}')")
	assert_eq "$(sc net.ipv4.ip_local_reserved_ports)" 9999 ip_local_reserved_ports
	mkif
	out=$(cni tuning ADD "$(tconf ',"sysctl":{"net.ipv4.ip_forward":"1","net/ipv4/tcp_syncookies":"0"}')")
	jq_eq "$out" '.interfaces[0].mac' "$(in_ns "$NETNS" cat /sys/class/net/eth0/address)"
	assert_eq "$(sc net.ipv4.ip_forward)" 1 ip_forward
	assert_eq "$(sc net.ipv4.tcp_syncookies)" 0 tcp_syncookies
	[ -e "$T/tuning" ] && fail "dataDir made without link attributes"
	cni tuning CHECK "$(tconf ',"sysctl":{"net.ipv4.ip_forward":"1"}')"
	out=$(cni tuning CHECK "$(tconf ',"sysctl":{"net.ipv4.ip_forward":"0"}')") && fail "CHECK passed"
	expect_error 108 "$out" "net.ipv4.ip_forward"
	true
}

test_ifname_in_sysctl_key_and_dotted_ifname() {
	in_ns "$NETNS" ip link add eth0 type veth peer name eth0p
	in_ns "$NETNS" ip link add eth0.7 type veth peer name p7
	out=$(IFNAME=eth0.7 cni tuning ADD "$(tconf ',"mtu":1400,"sysctl":{"net.ipv4.conf.IFNAME.arp_ignore":"2","net.ipv6.conf.IFNAME.accept_ra":"0"}')")
	assert_eq "$(sc net.ipv4.conf.eth0/7.arp_ignore)" 2 "arp_ignore of eth0.7"
	assert_eq "$(in_ns "$NETNS" cat /proc/sys/net/ipv6/conf/eth0.7/accept_ra)" 0 "accept_ra of eth0.7"
	assert_eq "$(sc net.ipv4.conf.eth0.arp_ignore)" 0 "arp_ignore of eth0"
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0.7)" '.[0].mtu' 1400
	[ -f "$T/tuning/${CID}_eth0.7.json" ] || fail "no backup for eth0.7"
	IFNAME=eth0.7 cni tuning DEL "$(tconf ',"mtu":1400')"
	jq_eq "$(in_ns "$NETNS" ip -j link show eth0.7)" '.[0].mtu' 1500
}

test_mac_sources_precedence_and_result() {
	mkif
	# CNI_ARGS MAC beats the config's mac
	out=$(CNI_ARGS_T="IgnoreUnknown=1;MAC=02:00:00:00:00:02" cni tuning ADD "$(tconf ',"mac":"02:00:00:00:00:01"')")
	jq_eq "$out" '.interfaces[0].mac' 02:00:00:00:00:02
	jq_eq "$(link)" '.[0].address' 02:00:00:00:00:02
	# runtimeConfig.mac beats CNI_ARGS; upper case and '-' notation are fine
	out=$(CNI_ARGS_T="MAC=02:00:00:00:00:02" cni tuning ADD "$(tconf ',"runtimeConfig":{"mac":"02-00-00-00-00-0A"}')")
	jq_eq "$out" '.interfaces[0].mac' 02:00:00:00:00:0a
	jq_eq "$(link)" '.[0].address' 02:00:00:00:00:0a
	cni tuning CHECK "$(tconf ',"runtimeConfig":{"mac":"02-00-00-00-00-0A"}')"
	# args.cni.mac beats runtimeConfig.mac
	out=$(cni tuning ADD "$(tconf ',"runtimeConfig":{"mac":"02:00:00:00:00:03"},"args":{"cni":{"mac":"02:00:00:00:00:04"}}')")
	jq_eq "$out" '.interfaces[0].mac' 02:00:00:00:00:04
	jq_eq "$(link)" '.[0].address' 02:00:00:00:00:04
}

test_args_cni_override_config() {
	mkif
	conf=$(tconf ',"mtu":1400,"txQLen":10,"sysctl":{"net.core.somaxconn":"300"},"args":{"cni":{"mtu":1300,"txQLen":0,"allmulti":true,"promisc":true,"sysctl":{"net.core.somaxconn":"301","net.ipv4.ip_forward":"1"}}}')
	cni tuning ADD "$conf" >/dev/null
	l=$(link)
	jq_eq "$l" '.[0].mtu' 1300
	jq_eq "$l" '.[0].txqlen // 0' 0
	jq_eq "$l" '.[0].flags | (index("PROMISC") != null) and (index("ALLMULTI") != null)' true
	assert_eq "$(sc net.core.somaxconn)" 301 somaxconn
	assert_eq "$(sc net.ipv4.ip_forward)" 1 ip_forward
	cni tuning CHECK "$conf"
}

test_check_detects_drift() {
	mkif
	conf=$(tconf "$ALL")
	cni tuning ADD "$conf" >/dev/null
	in_ns "$NETNS" ip link set eth0 mtu 1500
	out=$(cni tuning CHECK "$conf") && fail "CHECK passed with another MTU"
	expect_error 108 "$out" "MTU is 1454, current value is 1500"
	in_ns "$NETNS" ip link set eth0 mtu 1454
	in_ns "$NETNS" ip link set eth0 allmulticast off
	out=$(cni tuning CHECK "$conf") && fail "CHECK passed without allmulti"
	expect_error 108 "$out" "allmulti"
	in_ns "$NETNS" ip link set eth0 allmulticast on
	in_ns "$NETNS" ip link set eth0 txqueuelen 9
	out=$(cni tuning CHECK "$conf") && fail "CHECK passed with another txqueuelen"
	expect_error 108 "$out" "txQLen is 42, current value is 9"
	in_ns "$NETNS" ip link set eth0 txqueuelen 42
	in_ns "$NETNS" ip link set eth0 address 02:00:00:00:00:77
	out=$(cni tuning CHECK "$conf") && fail "CHECK passed with another MAC"
	expect_error 108 "$out" "02:00:00:00:00:77"
	in_ns "$NETNS" ip link set eth0 address "$MAC2"
	in_ns "$NETNS" sysctl -qw net.core.somaxconn=501
	out=$(cni tuning CHECK "$conf") && fail "CHECK passed with another sysctl"
	expect_error 108 "$out" "net.core.somaxconn"
	in_ns "$NETNS" sysctl -qw net.core.somaxconn=500
	cni tuning CHECK "$conf"
	# promisc false means "must be off" for CHECK, as in the reference
	out=$(cni tuning CHECK "$(tconf)") && fail "CHECK passed with promisc on"
	expect_error 108 "$out" "promisc"
	# the link gone (sysctls are checked first: leave out the IFNAME one)
	in_ns "$NETNS" ip link del eth0
	out=$(cni tuning CHECK "$(tconf ',"mtu":1454')") && fail "CHECK passed without eth0"
	expect_error 107 "$out" "eth0"
	true
}

test_bad_input_names_the_key_and_changes_nothing() {
	mkif
	before=$(link)
	so=$(sc net.core.somaxconn)
	bad() { # CODE SUBSTRING EXTRA-KEYS
		local out
		out=$(cni tuning ADD "$(tconf "$3")") && fail "ADD passed with $3"
		expect_error "$1" "$out" "$2"
	}
	bad 7 '"kernel.hostname"' ',"sysctl":{"net.core.somaxconn":"7","kernel.hostname":"x"}'
	bad 7 '"net.ipv4..ip_forward"' ',"sysctl":{"net.ipv4..ip_forward":"1"}'
	bad 7 '"net/../kernel/hostname"' ',"sysctl":{"net/../kernel/hostname":"x"}'
	bad 7 '"vm.swappiness"' ',"args":{"cni":{"sysctl":{"vm.swappiness":"1"}}}'
	bad 7 'sysctl.net.core.somaxconn' ',"sysctl":{"net.core.somaxconn":500}'
	bad 7 'sysctl' ',"sysctl":["net.core.somaxconn"]'
	bad 7 'duplicated' ',"sysctl":{"net.core.somaxconn":"1","net.core.somaxconn":"2"}'
	bad 7 'mac: invalid MAC address "02:00:00:00:00"' ',"mac":"02:00:00:00:00"'
	bad 7 'multicast' ',"mac":"01:00:5e:00:00:01"'
	bad 7 'mac' ',"mac":12'
	bad 7 'runtimeConfig.mac' ',"runtimeConfig":{"mac":false}'
	bad 7 '"zz"' ',"args":{"cni":{"mac":"zz"}}'
	bad 7 'mtu' ',"mtu":"1400"'
	bad 7 'mtu' ',"mtu":-5'
	bad 7 'args.cni.mtu' ',"args":{"cni":{"mtu":99999}}'
	bad 7 'promisc' ',"promisc":"yes"'
	bad 7 'allmulti' ',"allmulti":1'
	bad 7 'txQLen' ',"txQLen":-1'
	bad 7 'txQLen' ',"txQLen":"1000"'
	bad 7 'dataDir' ',"dataDir":5'
	out=$(CNI_ARGS_T="MAC=hello" cni tuning ADD "$(tconf)") && fail "ADD passed with MAC=hello"
	expect_error 7 "$out" '"hello"'
	out=$(CNI_ARGS_T="FOO=1" cni tuning ADD "$(tconf)") && fail "ADD passed with FOO=1"
	expect_error 2 "$out" "FOO"
	# the kernel refuses an MTU below the veth minimum: the error names it
	out=$(cni tuning ADD "$(tconf ',"mtu":10')") && fail "ADD passed with mtu 10"
	expect_error 101 "$out" "mtu 10"
	# no prevResult
	out=$(cni tuning ADD '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","mtu":1400}') &&
		fail "ADD passed without prevResult"
	expect_error 7 "$out" "prevResult"
	out=$(cni tuning CHECK '{"cniVersion":"1.0.0","name":"tnet","type":"tuning"}') &&
		fail "CHECK passed without prevResult"
	expect_error 7 "$out" "prevResult"
	# no such interface, no such namespace
	out=$(IFNAME=nope0 cni tuning ADD "$(tconf ',"mtu":1400')") && fail "ADD passed without the link"
	expect_error 107 "$out" '"nope0"'
	out=$(NETNS_PATH=/run/netns/no-such-ns cni tuning ADD "$(tconf ',"mtu":1400')") &&
		fail "ADD passed without the netns"
	expect_error 3 "$out" "no-such-ns"
	# nothing changed by any of it (the MTU failure left a backup only)
	after=$(link)
	for f in address mtu txqlen flags; do
		assert_eq "$(jq -c ".[0].$f" <<<"$after")" "$(jq -c ".[0].$f" <<<"$before")" "$f"
	done
	assert_eq "$(sc net.core.somaxconn)" "$so" somaxconn
}

test_del_with_netns_or_link_gone() {
	mkif
	conf=$(tconf ',"mtu":1400,"promisc":true')
	cni tuning ADD "$conf" >/dev/null
	bk=$T/tuning/${CID}_eth0.json
	[ -f "$bk" ] || fail "no backup"
	in_ns "$NETNS" ip link del eth0
	cni tuning DEL "$conf"
	[ -e "$bk" ] && fail "backup left after DEL with the link gone"
	mkif
	cni tuning ADD "$conf" >/dev/null
	ip netns del "$NETNS"
	cni tuning DEL "$conf"
	[ -e "$bk" ] && fail "backup left after DEL with the netns gone"
	NETNS_PATH="" cni tuning DEL "$conf"
	# DEL with nothing ever added, and with a junk runtime MAC
	CNI_ARGS_T="MAC=junk;X=1" cni tuning DEL "$(tconf ',"runtimeConfig":{"mac":"junk"}')"
	# a DEL config that is not valid JSON for us still fails
	out=$(cni tuning DEL "$(tconf ',"mtu":"x"')") && fail "DEL passed with mtu \"x\""
	expect_error 7 "$out" "mtu"
	true
}

test_older_cni_version_result() {
	mkif
	conf=$(tconf ',"mac":"'$MAC2'"' | jq -c '.cniVersion="0.4.0" | .prevResult.cniVersion="0.4.0"')
	out=$(cni tuning ADD "$conf")
	jq_eq "$out" '.cniVersion' 0.4.0
	jq_eq "$out" '.interfaces[0].mac' "$MAC2"
	jq_eq "$out" '.ips[0] | "\(.version) \(.address)"' "4 10.1.2.3/24"
	cni tuning CHECK "$conf"
	cni tuning DEL "$conf"
}

test_allowlist_file() {
	[ -e /etc/cni/tuning ] && skip "/etc/cni/tuning exists here; not touching it"
	mkif
	mkdir -p /etc/cni/tuning
	printf '%s\n' '^net\.ipv4\.conf\.IFNAME\.[a-z_]*$' '^net\.core\.somaxconn$' >/etc/cni/tuning/allowlist.conf
	# a new namespace's IPv4 settings are the host's: off here whatever the host has
	in_ns "$NETNS" sysctl -qw net.ipv4.ip_forward=0
	rc1=0 rc2=0
	out1=$(cni tuning ADD "$(tconf ',"sysctl":{"net.ipv4.conf.IFNAME.arp_filter":"1","net.core.somaxconn":"100"}')") || rc1=$?
	out2=$(cni tuning ADD "$(tconf ',"sysctl":{"net.ipv4.ip_forward":"1"}')") || rc2=$?
	rm -rf /etc/cni/tuning
	rmdir /etc/cni 2>/dev/null || true
	assert_eq "$rc1" 0 "allowed sysctls"
	assert_eq "$(sc net.core.somaxconn)" 100 somaxconn
	assert_eq "$rc2" 1 "sysctl not on the list"
	expect_error 7 "$out2" '"net.ipv4.ip_forward" is not allowed'
	assert_eq "$(sc net.ipv4.ip_forward)" 0 "ip_forward untouched"
}

test_backup_format_interop_with_reference() {
	[ -x "$REF_BIN/tuning" ] || skip "no reference tuning plugin in $REF_BIN"
	mkif
	omac=$(jq -r '.[0].address' <<<"$(link)")
	# the installed reference may predate txQLen (and IFNAME in CHECK): leave them out
	conf=$(tconf ',"mac":"'$MAC2'","mtu":1454,"promisc":true,"allmulti":true,"sysctl":{"net.core.somaxconn":"500"}')
	# same result as the reference
	want=$(ref tuning ADD "$conf")
	got=$(cni tuning ADD "$conf")
	assert_eq "$(jq -S . <<<"$got")" "$(jq -S . <<<"$want")" "result vs the reference"
	# reference ADD, our DEL: our DEL reads its backup
	in_ns "$NETNS" ip link set eth0 address "$omac" mtu 1500 promisc off allmulticast off
	ref tuning ADD "$conf" >/dev/null
	cni tuning CHECK "$conf"
	cni tuning DEL "$conf"
	l=$(link)
	jq_eq "$l" '"\(.[0].address) \(.[0].mtu) \(.[0].txqlen)"' "$omac 1500 1000"
	jq_eq "$l" '.[0].flags | (index("PROMISC") == null) and (index("ALLMULTI") == null)' true
	# our ADD, reference DEL
	cni tuning ADD "$conf" >/dev/null
	ref tuning CHECK "$conf"
	ref tuning DEL "$conf"
	l=$(link)
	jq_eq "$l" '"\(.[0].address) \(.[0].mtu) \(.[0].txqlen)"' "$omac 1500 1000"
	jq_eq "$l" '.[0].flags | (index("PROMISC") == null) and (index("ALLMULTI") == null)' true
	[ -e "$T/tuning/${CID}_eth0.json" ] && fail "backup left"
	true
}

test_del_keeps_a_backup_it_could_not_apply() {
	mkif
	conf=$(tconf ',"mtu":1400')
	bk=$T/tuning/${CID}_eth0.json
	mkdir -p "$T/tuning"
	# the kernel refuses MTU 10 on a veth: DEL succeeds, the rest is put
	# back, the backup stays for another try
	printf '{\n "mtu": 10,\n "promisc": false\n}' >"$bk"
	in_ns "$NETNS" ip link set eth0 promisc on
	cni tuning DEL "$conf"
	assert_contains "$(cat "$T/stderr")" "failed to restore MTU"
	[ -f "$bk" ] || fail "backup removed although MTU could not be restored"
	jq_eq "$(link)" '.[0].flags | index("PROMISC") == null' true
	# a backup that is not JSON is left as is, and DEL succeeds
	printf 'garbage' >"$bk"
	cni tuning DEL "$conf"
	assert_eq "$(cat "$bk")" garbage "backup"
}

run_tests
