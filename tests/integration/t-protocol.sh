#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The plugin protocol (SDK): environment, stdin, versions and error objects,
# exercised through the loopback plugin.
. "$(dirname "$0")/lib.sh"

good='{"cniVersion":"1.0.0","name":"p-net","type":"loopback"}'

# raw ENV... : run loopback in the host netns with exactly these variables.
raw() { ip netns exec "$HOSTNS" env -i PATH="$PATH" "$@" $CCNI_WRAP "$CCNI_BIN/loopback" 2>"$T/stderr"; }

test_malformed_json_is_code_6() {
	out=$(cni loopback ADD '{"cniVersion":"1.0.0","name":') && fail "accepted"
	expect_error 6 "$out" "stdin:1:"
}

test_not_an_object_is_code_6() {
	out=$(cni loopback ADD '[1,2]') && fail "accepted"
	expect_error 6 "$out" "not a JSON object"
}

test_unknown_version_is_code_1() {
	out=$(cni loopback ADD '{"cniVersion":"7.7.7","name":"n","type":"loopback"}') && fail "accepted"
	expect_error 1 "$out" '"7.7.7"'
	jq_eq "$out" '.cniVersion' 1.1.0
}

test_missing_env_is_code_4() {
	out=$(printf '%s' "$good" | raw CNI_COMMAND=ADD CNI_NETNS="$NETNS_PATH" CNI_IFNAME=eth0 CNI_PATH=/x) && fail "accepted"
	expect_error 4 "$out" "CNI_CONTAINERID"
	out=$(printf '%s' "$good" | raw CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=eth0) && fail "accepted"
	expect_error 4 "$out" "CNI_NETNS,CNI_PATH"
}

test_unknown_command_is_code_4() {
	out=$(cni loopback FROB "$good") && fail "accepted"
	expect_error 4 "$out" "FROB"
}

test_long_ifname_is_code_4() {
	out=$(IFNAME=abcdefghijklmnop cni loopback ADD "$good") && fail "accepted"
	expect_error 4 "$out" "abcdefghijklmnop"
	out=$(IFNAME=a/b cni loopback ADD "$good") && fail "accepted"
	expect_error 4 "$out" "CNI_IFNAME"
}

test_bad_container_id_is_code_4() {
	out=$(CID='-bad id' cni loopback ADD "$good") && fail "accepted"
	expect_error 4 "$out" "CNI_CONTAINERID"
}

test_oversized_stdin_is_rejected() {
	# one byte over 64 MiB (a valid document followed by blanks)
	out=$({ printf '%s' "$good"; head -c $((64 * 1024 * 1024 + 1 - ${#good})) /dev/zero | tr '\0' ' '; } |
		raw CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS="$NETNS_PATH" CNI_IFNAME=eth0 CNI_PATH=/x) &&
		fail "accepted"
	expect_error 7 "$out" "stdin"
	assert_contains "$(jq -r .msg <<<"$out")" "larger than the limit of 67108864 bytes (64 MiB)"
}

test_a_2_mib_config_is_accepted() {
	# large route lists and runtimeConfig are real; the reference takes them
	pad=$(head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x')
	out=$(cni loopback ADD "{\"cniVersion\":\"1.0.0\",\"name\":\"p-net\",\"type\":\"loopback\",\"pad\":\"$pad\"}")
	jq_eq "$out" '.interfaces[0].name' lo
	# exactly 64 MiB is still within the bound
	out=$({ printf '%s' "$good"; head -c $((64 * 1024 * 1024 - ${#good})) /dev/zero | tr '\0' ' '; } |
		raw CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS="$NETNS_PATH" CNI_IFNAME=eth0 CNI_PATH=/x)
	jq_eq "$out" '.interfaces[0].name' lo
}

test_missing_or_bad_name_is_code_7() {
	out=$(cni loopback ADD '{"cniVersion":"1.0.0","type":"loopback"}') && fail "accepted"
	expect_error 7 "$out" "name"
	out=$(cni loopback ADD '{"cniVersion":"1.0.0","name":"../etc","type":"loopback"}') && fail "accepted"
	expect_error 7 "$out" '"../etc"'
}

test_check_needs_040() {
	out=$(cni loopback CHECK '{"cniVersion":"0.3.1","name":"n","type":"loopback"}') && fail "accepted"
	expect_error 1 "$out" "CHECK"
}

test_status_and_gc_need_110() {
	out=$(cni loopback STATUS '{"cniVersion":"1.0.0","name":"n","type":"loopback"}') && fail "accepted"
	expect_error 1 "$out" "STATUS"
	cni loopback STATUS '{"cniVersion":"1.1.0","name":"n","type":"loopback"}' >/dev/null
	cni loopback GC '{"cniVersion":"1.1.0","name":"n","type":"loopback","cni.dev/valid-attachments":[]}' >/dev/null
}

test_version_lists_every_version() {
	out=$(raw CNI_COMMAND=VERSION </dev/null)
	jq_eq "$out" '.cniVersion' 1.1.0
	jq_eq "$out" '.supportedVersions | join(" ")' "0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0"
}

test_no_command_prints_about() {
	raw </dev/null >/dev/null
	assert_contains "$(cat "$T/stderr")" "CNI protocol versions supported"
}

test_netns_checks() {
	out=$(NETNS_PATH=/run/netns/none-$$ cni loopback ADD "$good") && fail "accepted"
	expect_error 3 "$out" "none-$$"
	touch "$T/plain"
	out=$(NETNS_PATH=$T/plain cni loopback ADD "$good") && fail "accepted"
	expect_error 8 "$out" "not a network namespace"
	out=$(NETNS_PATH=/run/netns/$HOSTNS cni loopback ADD "$good") && fail "accepted"
	expect_error 8 "$out" "own network namespace"
}

test_cni_args_must_be_pairs() {
	out=$(CNI_ARGS_T='IgnoreUnknown=1;broken' cni loopback ADD "$good") && fail "accepted"
	expect_error 4 "$out" "broken"
}

test_error_has_spec_fields() {
	out=$(cni loopback ADD '{"cniVersion":"1.0.0","name":"n"') || true
	jq_eq "$out" 'keys | join(",")' "cniVersion,code,msg"
}

run_tests
