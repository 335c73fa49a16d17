#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# host-local: results, on-disk state shared with the reference, requested
# addresses, exhaustion, concurrency, DEL, CHECK, GC, STATUS, bad input.
. "$(dirname "$0")/lib.sh"

# hl VERSION IPAM-JSON-BODY: a config with an ipam object (dataDir $T/data).
hl() { printf '{"cniVersion":"%s","name":"hlnet","ipam":{"type":"host-local","dataDir":"%s"%s}}' "$1" "${DATA:-$T/data}" "$2"; }
dual=',"ranges":[[{"subnet":"10.77.0.0/24"}],[{"subnet":"fd77::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"fd00::/8","gw":"fd77::99"}]'

test_add_result_dual_stack_1_0_0() {
	out=$(cni host-local ADD "$(hl 1.0.0 "$dual")")
	jq_eq "$out" '.cniVersion' 1.0.0
	jq_eq "$out" '.ips | map("\(.address) \(.gateway)") | join(",")' "10.77.0.2/24 10.77.0.1,fd77::2/64 fd77::1"
	jq_eq "$out" '.ips[0] | has("interface")' false
	jq_eq "$out" 'has("interfaces")' false
	jq_eq "$out" '.routes | map("\(.dst) \(.gw)") | join(",")' "0.0.0.0/0 null,fd00::/8 fd77::99"
	jq_eq "$out" '.dns' '{}'
}

test_result_shapes_0_3_1_and_0_2_0() {
	out=$(cni host-local ADD "$(hl 0.3.1 "$dual")")
	jq_eq "$out" '.ips | map(.version) | join(",")' "4,6"
	out=$(CID=other cni host-local ADD "$(hl 0.2.0 "$dual")")
	jq_eq "$out" '.ip4.ip' 10.77.0.3/24
	jq_eq "$out" '.ip4.routes[0].dst' 0.0.0.0/0
	jq_eq "$out" '.ip6.ip' fd77::3/64
	jq_eq "$out" '.ip6.routes[0].gw' fd77::99
}

test_a_second_add_of_one_attachment_is_refused() {
	cni host-local ADD "$(hl 1.0.0 "$dual")" >/dev/null
	out=$(cni host-local ADD "$(hl 1.0.0 "$dual")") && fail "a second ADD of $CID/eth0 passed"
	expect_error 104 "$out"
	jq_eq "$out" '.msg' "10.77.0.2 has been allocated to $CID, duplicate allocation is not allowed"
	assert_eq "$(ls "$T/data/hlnet" | grep -c '^10\.\|^fd77')" 2 "reservations (the first ADD's only)"
	# another interface of the same container is another attachment
	IFNAME=net1 cni host-local ADD "$(hl 1.0.0 "$dual")" >/dev/null
	# after DEL the attachment may come again, also when a DEL of another
	# tool (the reference's) released it
	cni host-local DEL "$(hl 1.0.0 "$dual")"
	jq_eq "$(cni host-local ADD "$(hl 1.0.0 "$dual")")" '.ips[0].address' 10.77.0.4/24
	if [ -x "$REF_BIN/host-local" ]; then
		ref host-local DEL "$(hl 1.0.0 "$dual")"
		jq_eq "$(cni host-local ADD "$(hl 1.0.0 "$dual")")" '.ips[0].address' 10.77.0.5/24
	fi
	# the records live beside the network's directory, which stays the
	# reference's; GC removes those of attachments not valid
	assert_eq "$(ls "$T/data/.ccni/hlnet" | wc -l)" 2 "records of eth0 and net1"
	gc=$(hl 1.1.0 "$dual" | jq -c --arg c "$CID" '. + {"cni.dev/valid-attachments":[{"containerID":$c,"ifname":"net1"}]}')
	cni host-local GC "$gc"
	assert_eq "$(ls "$T/data/.ccni/hlnet" | wc -l)" 1 "records after GC"
	IFNAME=net1 cni host-local ADD "$(hl 1.0.0 "$dual")" >/dev/null && fail "net1 added twice after GC"
	true
}

test_a_second_add_through_bridge_into_another_netns_is_refused() {
	br='{"cniVersion":"1.0.0","name":"hlnet","type":"bridge","bridge":"hlbr0","ipam":{"type":"host-local","dataDir":"'"$T/data"'","ranges":[[{"subnet":"10.77.0.0/24"}]]}}'
	jq_eq "$(cni bridge ADD "$br")" '.ips[0].address' 10.77.0.2/24
	n2=$(mkns d)
	out=$(NETNS_PATH=/run/netns/$n2 cni bridge ADD "$br") && fail "a second ADD of $CID/eth0 passed"
	expect_error 104 "$out" "duplicate allocation is not allowed"
	# the first attachment keeps its address, the second netns got nothing
	assert_eq "$(cat "$T/data/hlnet/10.77.0.2")" "$(printf '%s\r\neth0' "$CID")" "the first reservation"
	assert_eq "$(ls "$T/data/hlnet" | grep -c '^10\.')" 1 "reservations"
	in_ns "$n2" ip link show eth0 >/dev/null 2>&1 && fail "eth0 left in the second netns"
	in_host ip -o link | grep -c veth | grep -qx 1 || fail "more than the first veth on the host"
}

test_state_files_match_the_reference() {
	[ -x "$REF_BIN/host-local" ] || skip "no reference host-local"
	cni host-local ADD "$(hl 1.0.0 "$dual")" >/dev/null
	DATA=$T/ref ref host-local ADD "$(DATA=$T/ref hl 1.0.0 "$dual")" >/dev/null
	for f in 10.77.0.2 fd77::2 last_reserved_ip.0 last_reserved_ip.1 lock; do
		[ -e "$T/ref/hlnet/$f" ] || fail "reference made no $f"
		cmp "$T/data/hlnet/$f" "$T/ref/hlnet/$f" || fail "$f differs from the reference's"
	done
	assert_eq "$(ls "$T/data/hlnet" | sort | xargs)" "$(ls "$T/ref/hlnet" | sort | xargs)" "file set"
	assert_eq "$(cat "$T/data/hlnet/10.77.0.2")" "$(printf '%s\r\neth0' "$CID")" "reservation bytes"
}

test_shared_state_with_reference_never_duplicates() {
	[ -x "$REF_BIN/host-local" ] || skip "no reference host-local"
	seen=""
	for i in 1 2 3 4 5 6; do
		if [ $((i % 2)) -eq 0 ]; then
			out=$(CID=c$i cni host-local ADD "$(hl 1.0.0 "$dual")")
		else
			out=$(CID=c$i ref host-local ADD "$(hl 1.0.0 "$dual")")
		fi
		seen="$seen $(jq -r '.ips[0].address' <<<"$out")"
	done
	assert_eq "$(tr ' ' '\n' <<<"$seen" | sed '/^$/d' | sort | uniq -d)" "" "duplicates"
	assert_eq "$(tr ' ' '\n' <<<"$seen" | sed '/^$/d' | wc -l)" 6
	# each can release the other's reservations
	CID=c1 cni host-local DEL "$(hl 1.0.0 "$dual")"
	CID=c2 ref host-local DEL "$(hl 1.0.0 "$dual")"
	[ ! -e "$T/data/hlnet/10.77.0.2" ] && [ ! -e "$T/data/hlnet/10.77.0.3" ] || fail "not released"
}

test_round_robin_after_release() {
	c=$(hl 1.0.0 ',"subnet":"10.78.0.0/29"')
	a=$(CID=a cni host-local ADD "$c" | jq -r '.ips[0].address')
	b=$(CID=b cni host-local ADD "$c" | jq -r '.ips[0].address')
	CID=a cni host-local DEL "$c"
	n=$(CID=n cni host-local ADD "$c" | jq -r '.ips[0].address')
	assert_eq "$a $b $n" "10.78.0.2/29 10.78.0.3/29 10.78.0.4/29" "round robin continues after last_reserved_ip"
	assert_eq "$(cat "$T/data/hlnet/last_reserved_ip.0")" 10.78.0.4
}

test_legacy_form_and_range_bounds() {
	c=$(hl 1.0.0 ',"subnet":"10.79.0.0/24","rangeStart":"10.79.0.100","rangeEnd":"10.79.0.101","gateway":"10.79.0.254"')
	jq_eq "$(CID=a cni host-local ADD "$c")" '.ips[0] | "\(.address) \(.gateway)"' "10.79.0.100/24 10.79.0.254"
	jq_eq "$(CID=b cni host-local ADD "$c")" '.ips[0].address' 10.79.0.101/24
	out=$(CID=c cni host-local ADD "$c") && fail "range not exhausted"
	expect_error 103 "$out" "10.79.0.100-10.79.0.101"
	[ ! -e "$T/data/hlnet/10.79.0.102" ] || fail "allocated outside the range"
}

test_requested_addresses() {
	c=$(hl 1.0.0 "$dual")
	out=$(CNI_ARGS_T='IP=10.77.0.50' cni host-local ADD "$c")
	jq_eq "$out" '.ips[0].address' 10.77.0.50/24
	out=$(CID=x2 cni host-local ADD "$(printf '{"cniVersion":"1.0.0","name":"hlnet","args":{"cni":{"ips":["10.77.0.60","fd77::60"]}},"ipam":{"type":"host-local","dataDir":"%s"%s}}' "$T/data" "$dual")")
	jq_eq "$out" '.ips | map(.address) | join(",")' "10.77.0.60/24,fd77::60/64"
	out=$(CID=x3 cni host-local ADD "$(printf '{"cniVersion":"1.0.0","name":"hlnet","runtimeConfig":{"ips":["10.77.0.70/24"]},"ipam":{"type":"host-local","dataDir":"%s"%s}}' "$T/data" "$dual")")
	jq_eq "$out" '.ips[0].address' 10.77.0.70/24
	out=$(CID=x4 CNI_ARGS_T='IP=10.77.0.50' cni host-local ADD "$c") && fail "took a reserved address"
	expect_error 104 "$out" "10.77.0.50"
	out=$(CID=x5 CNI_ARGS_T='IP=192.168.1.1' cni host-local ADD "$c") && fail "took an address outside"
	expect_error 104 "$out" "192.168.1.1"
	out=$(CID=x6 CNI_ARGS_T='IP=10.77.0.1' cni host-local ADD "$c") && fail "took the gateway"
	expect_error 104 "$out" "gateway"
	out=$(CID=x7 CNI_ARGS_T='FOO=1' cni host-local ADD "$c") && fail "unknown CNI_ARGS accepted"
	expect_error 2 "$out" "FOO"
	# a failed ADD leaves nothing behind: x6 asked for v4; its v6 must not stay
	ls "$T/data/hlnet" | xargs grep -l x6 2>/dev/null && fail "x6 left a reservation"
	true
}

test_ip_ranges_capability() {
	out=$(printf '{"cniVersion":"1.0.0","name":"hlnet","runtimeConfig":{"ipRanges":[[{"subnet":"10.80.0.0/24"}]]},"ipam":{"type":"host-local","dataDir":"%s"%s}}' "$T/data" "$dual" | \
		ip netns exec "$HOSTNS" env -i CNI_COMMAND=ADD CNI_CONTAINERID=$CID CNI_NETNS=$NETNS_PATH CNI_IFNAME=eth0 CNI_PATH=$CCNI_BIN $CCNI_WRAP "$CCNI_BIN/host-local")
	# as the reference: the capability's range sets come first, the
	# configured ones follow (one address per set)
	jq_eq "$out" '.ips | map(.address) | join(",")' "10.80.0.2/24,10.77.0.2/24,fd77::2/64"
	out=$(CID=ov cni host-local ADD "$(printf '{"cniVersion":"1.0.0","name":"hlnet","runtimeConfig":{"ipRanges":[[{"subnet":"10.77.0.0/25"}]]},"ipam":{"type":"host-local","dataDir":"%s"%s}}' "$T/data" "$dual")") && fail "overlap accepted"
	expect_error 7 "$out" "runtimeConfig.ipRanges[0]"
}

test_same_results_as_the_reference() {
	[ -x "$REF_BIN/host-local" ] || skip "no reference host-local"
	printf 'nameserver 10.0.0.53 10.0.0.54\ndomain a b\nsearch x y\noptions ndots:2\n' >"$T/resolv"
	for body in "$dual" \
		',"subnet":"10.90.0.0/24","rangeStart":"10.90.0.10","gateway":"10.90.0.10","ranges":[[{"subnet":"fd90::/120"}]]' \
		",\"subnet\":\"10.91.0.0/24\",\"resolvConf\":\"$T/resolv\",\"routes\":[{\"dst\":\"10.1.2.3/8\",\"gw\":\"10.91.0.9\"}]"; do
		for v in 1.0.0 0.4.0 0.3.1 0.2.0; do
			[ $v = 0.2.0 ] && [[ "$body" != *10.91* ]] && continue
			n=$((${n:-0} + 1))
			a=$(CID=s$n DATA=$T/a cni host-local ADD "$(DATA=$T/a hl $v "$body")" | jq -cS .)
			b=$(CID=s$n DATA=$T/b ref host-local ADD "$(DATA=$T/b hl $v "$body")" | jq -cS .)
			assert_eq "$a" "$b" "result for $v $body"
		done
	done
	# requested addresses: duplicates and IPv4-mapped forms as the reference reads them
	c='{"cniVersion":"1.0.0","name":"hlnet","runtimeConfig":{"ips":["10.77.0.50"]},"ipam":{"type":"host-local","dataDir":"@D@"'"$dual"'}}'
	a=$(CID=r1 CNI_ARGS_T='IP=10.77.0.50' cni host-local ADD "${c//@D@/$T/a}" | jq -cS .)
	b=$(CID=r1 CNI_ARGS_T='IP=10.77.0.50' ref host-local ADD "${c//@D@/$T/b}" | jq -cS .)
	assert_eq "$a" "$b" "duplicate requested address"
	a=$(CID=r2 CNI_ARGS_T='IP=::ffff:10.77.0.51' cni host-local ADD "$(DATA=$T/a hl 1.0.0 "$dual")" | jq -cS .)
	b=$(CID=r2 CNI_ARGS_T='IP=::ffff:10.77.0.51' ref host-local ADD "$(DATA=$T/b hl 1.0.0 "$dual")" | jq -cS .)
	assert_eq "$a" "$b" "IPv4-mapped requested address"
	diff <(cd "$T/a/hlnet" && grep -r . | sort) <(cd "$T/b/hlnet" && grep -r . | sort) || fail "state differs"
	# both refuse more than one address per family before 0.3.0
	out=$(cni host-local ADD "$(hl 0.2.0 ',"ranges":[[{"subnet":"10.92.0.0/24"}],[{"subnet":"10.93.0.0/24"}]]')") && fail "0.2.0 with two IPv4 sets accepted"
	expect_error 7 "$out" "more than one address per family"
	[ -z "$(ls "$T/data/hlnet" 2>/dev/null | grep '^10\.9')" ] || fail "reserved anyway"
}

test_fifty_concurrent_adds_get_distinct_addresses() {
	c=$(hl 1.0.0 ',"subnet":"10.81.0.0/24"')
	for i in $(seq 50); do
		(CID=par$i cni host-local ADD "$c" >"$T/res.$i") &
	done
	wait
	cat "$T"/res.* | jq -r '.ips[0].address' | sort >"$T/all"
	assert_eq "$(wc -l <"$T/all")" 50 "results"
	assert_eq "$(uniq -d "$T/all")" "" "duplicate addresses"
	assert_eq "$(ls "$T/data/hlnet" | grep -c '^10\.81\.')" 50 "reservation files"
	ls -a "$T/data/hlnet" | grep -q '^\.ccni' && fail "temp files left"
	true
}

test_del_twice_and_check() {
	c=$(hl 1.0.0 "$dual")
	cni host-local ADD "$c" >/dev/null
	cni host-local CHECK "$c"
	cni host-local DEL "$c"
	cni host-local DEL "$c"
	assert_eq "$(ls "$T/data/hlnet" | grep -c ':\|^10\.')" 0 "reservations after DEL"
	out=$(cni host-local CHECK "$c") && fail "CHECK passed with nothing reserved"
	expect_error 108 "$out" "$CID"
}

test_del_by_ifname_keeps_other_interfaces() {
	c=$(hl 1.0.0 ',"subnet":"10.82.0.0/24"')
	IFNAME=eth0 cni host-local ADD "$c" >/dev/null
	IFNAME=eth1 cni host-local ADD "$c" >/dev/null
	IFNAME=eth0 cni host-local DEL "$c"
	assert_eq "$(cat "$T"/data/hlnet/10.82.0.* | tr '\r\n' '  ' | xargs)" "$CID eth1"
}

test_gc_releases_everything_not_valid_and_corrupt_files() {
	c=$(hl 1.1.0 ',"subnet":"10.83.0.0/24"')
	CID=keep cni host-local ADD "$c" >/dev/null
	CID=gone cni host-local ADD "$c" >/dev/null
	: >"$T/data/hlnet/10.83.0.77"                 # empty, as a crash of another tool leaves
	printf 'garbage\xff' >"$T/data/hlnet/10.83.0.78" # corrupt
	gc=$(printf '{"cniVersion":"1.1.0","name":"hlnet","ipam":{"type":"host-local","dataDir":"%s","subnet":"10.83.0.0/24"},"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]}' "$T/data")
	cni host-local GC "$gc"
	assert_eq "$(ls "$T/data/hlnet" | grep '^10\.' | xargs)" "10.83.0.2" "left after GC"
	# the allocator never trips over such files
	: >"$T/data/hlnet/10.83.0.4"
	jq_eq "$(CID=new cni host-local ADD "$c")" '.ips[0].address' 10.83.0.5/24
	# CHECK and STATUS name it; GC removes it and temp files a crash left
	CID=new cni host-local CHECK "$c"
	assert_contains "$(cat "$T/stderr")" "10.83.0.4" "CHECK warning"
	cni host-local STATUS "$c"
	assert_contains "$(cat "$T/stderr")" "corrupt" "STATUS warning"
	printf 'x\r\neth0' >"$T/data/hlnet/.ccni-reserve-1-deadbeef"
	cni host-local GC "$gc"
	assert_eq "$(ls -A "$T/data/hlnet" | grep -c '^\.ccni\|^10\.83\.0\.4$')" 0 "left after the second GC"
}

test_add_and_del_remove_the_temp_files_of_a_killed_writer() {
	c=$(hl 1.0.0 ',"subnet":"10.86.0.0/24"')
	cni host-local ADD "$c" >/dev/null
	rec=$(ls "$T/data/.ccni/hlnet")
	# what a writer killed between its temp file and the link or rename
	# leaves: the temp names are fixed (only the lock's holder writes)
	printf 'dead\r\neth0' >"$T/data/hlnet/.ccni-reserve"
	printf '10.86.0.9' >"$T/data/hlnet/.ccni-last"
	printf '%s\r\neth0\r\n10.86.0.2' "$CID" >"$T/data/.ccni/hlnet/$rec.tmp"
	cni host-local DEL "$c"
	assert_eq "$(ls -A "$T/data/hlnet" | grep -v '^lock$\|^last_reserved_ip\.0$' | xargs)" "" "network dir after DEL"
	assert_eq "$(ls -A "$T/data/.ccni/hlnet" | xargs)" "" "records after DEL"
	printf 'dead\r\neth0' >"$T/data/hlnet/.ccni-reserve"
	jq_eq "$(CID=next cni host-local ADD "$c")" '.ips[0].address' 10.86.0.3/24
	assert_eq "$(ls -A "$T/data/hlnet" | grep -c '^\.ccni')" 0 "temp files after ADD"
}

test_status() {
	c=$(hl 1.1.0 ',"subnet":"10.84.0.0/30"')
	cni host-local STATUS "$c"
	cni host-local ADD "$c" >/dev/null
	out=$(cni host-local STATUS "$c") && fail "STATUS passed with the range full"
	expect_error 50 "$out" "no free address"
	touch "$T/file"
	out=$(DATA=$T/file/sub cni host-local STATUS "$(DATA=$T/file/sub hl 1.1.0 ',"subnet":"10.84.0.0/24"')") && fail "STATUS passed with an unusable dataDir"
	expect_error 50 "$out" "dataDir"
}

test_resolv_conf() {
	printf 'nameserver 10.0.0.53\nnameserver fd00::53\nsearch a.example b.example\ndomain example\noptions ndots:2\n' >"$T/resolv"
	out=$(cni host-local ADD "$(hl 1.0.0 ",\"subnet\":\"10.85.0.0/24\",\"resolvConf\":\"$T/resolv\"")")
	jq_eq "$out" '.dns.nameservers | join(",")' "10.0.0.53,fd00::53"
	jq_eq "$out" '.dns.search | join(",")' "a.example,b.example"
	jq_eq "$out" '.dns.domain' example
	jq_eq "$out" '.dns.options | join(",")' "ndots:2"
}

test_bad_config_names_the_field() {
	out=$(cni host-local ADD "$(hl 1.0.0 ',"ranges":[[{"subnet":"10.1/40"}]]')") && fail "accepted"
	expect_error 7 "$out" 'ipam.ranges[0][0].subnet: invalid CIDR "10.1/40"'
	out=$(cni host-local ADD "$(hl 1.0.0 ',"subnet":"10.1.2.3/24"')") && fail "accepted"
	expect_error 7 "$out" "host bits"
	out=$(cni host-local ADD "$(hl 1.0.0 ',"ranges":[[{"subnet":"10.1.0.0/24"},{"subnet":"10.1.0.0/16"}]]')") && fail "accepted"
	expect_error 7 "$out" "overlap"
	out=$(cni host-local ADD "$(hl 1.0.0 ',"ranges":[[{"subnet":"10.1.0.0/24"},{"subnet":"fd00::/64"}]]')") && fail "accepted"
	expect_error 7 "$out" "mixed address families"
	out=$(cni host-local ADD "$(hl 1.0.0 ',"subnet":"10.1.0.0/24","rangeStart":"10.2.0.1"')") && fail "accepted"
	expect_error 7 "$out" "rangeStart"
	out=$(cni host-local ADD "$(hl 1.0.0 '')") && fail "accepted"
	expect_error 7 "$out" "no IP ranges"
	out=$(cni host-local ADD "$(hl 1.0.0 ',"subnet":"10.1.0.0/24","routes":[{"dst":"nope"}]')") && fail "accepted"
	expect_error 7 "$out" "ipam.routes[0]"
}

test_data_dir_symlink_is_not_followed() {
	mkdir -p "$T/data/hlnet" "$T/elsewhere"
	ln -s "$T/elsewhere/target" "$T/data/hlnet/10.86.0.2"
	out=$(cni host-local ADD "$(hl 1.0.0 ',"subnet":"10.86.0.0/24"')")
	jq_eq "$out" '.ips[0].address' 10.86.0.3/24
	[ ! -e "$T/elsewhere/target" ] || fail "wrote through a symlink"
}

run_tests
