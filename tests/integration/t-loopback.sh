#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# loopback: ADD/CHECK/DEL, results per version, byte-compatible with the reference.
. "$(dirname "$0")/lib.sh"

conf() { printf '{"cniVersion":"%s","name":"lo-net","type":"loopback"%s}' "${1:-1.0.0}" "${2:-}"; }

test_add_sets_lo_up_and_reports_it() {
	in_ns "$NETNS" ip link set lo down
	out=$(cni loopback ADD "$(conf 1.0.0)")
	jq_eq "$out" '.cniVersion' 1.0.0
	jq_eq "$out" '.interfaces | length' 1
	jq_eq "$out" '.interfaces[0].name' lo
	jq_eq "$out" '.interfaces[0].mac' 00:00:00:00:00:00
	jq_eq "$out" '.interfaces[0].sandbox' "$NETNS_PATH"
	jq_eq "$out" '[.ips[] | "\(.interface) \(.address)"] | join(",")' "0 127.0.0.1/8,0 ::1/128"
	jq_eq "$(in_ns "$NETNS" ip -j link show lo)" '.[0].flags | index("UP") != null' true
}

test_same_output_as_reference() {
	[ -x "$REF_BIN/loopback" ] || skip "no reference loopback in $REF_BIN"
	# Debian's reference loopback omits ips[].version for 0.3.x/0.4.0, which
	# the spec requires there; ccni prints it, so compare without it.
	for v in 0.3.1 0.4.0 1.0.0; do
		a=$(cni loopback ADD "$(conf $v)" | jq -S 'del(.ips[]?.version)')
		b=$(ref loopback ADD "$(conf $v)" | jq -S 'del(.ips[]?.version)')
		assert_eq "$a" "$b" "loopback $v result vs reference"
	done
}

test_result_shape_per_version() {
	out=$(cni loopback ADD "$(conf 0.3.1)")
	jq_eq "$out" '.ips[0].version' 4
	jq_eq "$out" '.ips[1].version' 6
	out=$(cni loopback ADD "$(conf 0.2.0)")
	jq_eq "$out" '.ip4.ip' 127.0.0.1/8
	jq_eq "$out" '.ip6.ip' ::1/128
	jq_eq "$out" 'has("interfaces")' false
	out=$(cni loopback ADD "$(conf 1.1.0)")
	jq_eq "$out" '.cniVersion' 1.1.0
	jq_eq "$out" '.ips[0] | has("version")' false
}

test_check_then_del_sets_lo_down() {
	cni loopback ADD "$(conf)" >/dev/null
	cni loopback CHECK "$(conf)" >/dev/null
	cni loopback DEL "$(conf)" >/dev/null
	jq_eq "$(in_ns "$NETNS" ip -j link show lo)" '.[0].flags | index("UP") == null' true
	out=$(cni loopback CHECK "$(conf)") && fail "CHECK passed with lo down"
	expect_error 108 "$out" "down"
}

test_del_twice_and_with_netns_gone() {
	cni loopback ADD "$(conf)" >/dev/null
	cni loopback DEL "$(conf)" >/dev/null
	cni loopback DEL "$(conf)" >/dev/null
	NETNS_PATH=/run/netns/does-not-exist-$$ cni loopback DEL "$(conf)" >/dev/null
}

test_prev_result_passes_through() {
	prev='{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"interface":0,"address":"10.1.2.3/24","gateway":"10.1.2.1"}],"dns":{}}'
	out=$(cni loopback ADD "$(conf 1.0.0 ",\"prevResult\":$prev")")
	assert_eq "$(jq -S . <<<"$out")" "$(jq -S . <<<"$prev")" "passed-through result"
}

run_tests
