#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ccni validate on a catalogue of broken configs (tests/integration/validate):
# each case is a file or a conf dir (CASE.d) with the exact output expected
# (CASE.out: every FILE:LINE:COL line, the summary and the exit status) and
# optionally an environment (CASE.env, e.g. CAP_ARGS). ccni's plugins are
# checked by their own parsers, a plugin of another origin ("thirdparty", a
# copy of examples/script-plugin.sh) by VERSION. CNI_PATH is printed as
# "CNI_PATH". Plus --json, and the plugin side asked directly.
# CCNI_VALIDATE_UPDATE=1 prints what each case gives instead of comparing.
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
CASES=$here/validate

# run_case NAME: the output of ccni validate on case NAME, and its status.
run_case() {
	local name=$1 target env=() line rc=0 out
	mkdir -p "$T/bin"
	cp "$here/../../examples/script-plugin.sh" "$T/bin/thirdparty"
	target=$(cd "$CASES" && ls -d "$name".* | grep -Ev '\.(out|env)$' | head -1)
	if [ -f "$CASES/$name.env" ]; then
		while IFS= read -r line; do env+=("$line"); done <"$CASES/$name.env"
	fi
	out=$(cd "$CASES" && env CNI_PATH="$T/bin:$CCNI_BIN" CNI_CACHE_DIR="$T/cache" \
		NETCONFPATH="$CASES/$target" ${env[@]+"${env[@]}"} $CCNI_WRAP "$CCNI_CLI" validate "$target") || rc=$?
	printf '%s\nexit %s\n' "${out//$T\/bin:$CCNI_BIN/CNI_PATH}" "$rc"
}

check_case() {
	local name=$1 got
	got=$(run_case "$name")
	if [ "${CCNI_VALIDATE_UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$got" >"$CASES/$name.out"
		return 0
	fi
	[ -f "$CASES/$name.out" ] || fail "no $name.out"
	assert_eq "$got" "$(cat "$CASES/$name.out")" "ccni validate $name"
}

for f in "$CASES"/*.out; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .out)
	eval "test_catalogue_${n//[^A-Za-z0-9]/_}() { check_case '$n'; }"
done

test_the_catalogue_has_at_least_30_cases() {
	[ "$(ls "$CASES"/*.out | wc -l)" -ge 30 ] || fail "only $(ls "$CASES"/*.out | wc -l) cases"
	local t
	for t in "$CASES"/*; do
		case $t in *.out | *.env) continue ;; esac
		[ -f "${t%.*}.out" ] || fail "$(basename "$t") has no .out"
	done
}

test_json_names_the_key_and_the_value() {
	out=$(cd "$CASES" && env CNI_PATH="$CCNI_BIN" "$CCNI_CLI" validate --json 24-invalid-cidr.conflist) &&
		fail "exit 0 with errors"
	jq_eq "$out" '.files' 1
	jq_eq "$out" '.errors' 2
	jq_eq "$out" '.warnings' 0
	jq_eq "$out" '[.problems[] | "\(.line):\(.column) \(.severity) \(.key)=\(.value)"] | join(",")' \
		'7:7 error plugins[0].ipMasq=yes,10:9 error plugins[0].ipam.subnet=10.1.2.300/24'
	jq_eq "$out" '.problems[1].message' 'plugins[0].ipam.subnet: invalid CIDR "10.1.2.300/24"'
	# warnings alone: exit 0
	out=$(cd "$CASES" && env CNI_PATH="$CCNI_BIN" "$CCNI_CLI" validate --json 38-warnings-only.conflist) ||
		fail "exit 1 with warnings only"
	jq_eq "$out" '[.errors, .warnings] | map(tostring) | join(" ")' "0 1"
}

# The plugin side: a ccni plugin run with --ccni-validate answers with its
# parser's problems and facts, and changes nothing.
test_a_plugin_answers_validation() {
	out=$(printf '%s' '{"cniVersion":"1.0.0","name":"n","type":"bridge","bridge":"br9","mtu":"x","ipam":{"type":"host-local","dataDir":"'"$T"'/d","subnet":"10.1.0.0/24"}}' |
		env -i CNI_COMMAND=VERSION CNI_PATH="$CCNI_BIN" "$CCNI_BIN/bridge" --ccni-validate)
	jq_eq "$out" '.validated' true
	jq_eq "$out" '[.problems[] | "\(.severity): \(.message)"] | join("|")' 'error: mtu: expected an integer, got string "x"'
	jq_eq "$out" '.facts.bridge' br9
	jq_eq "$out" '.facts.store' "$T/d/n"
	jq_eq "$out" '.facts.ranges[0] | "\(.subnet) \(.rangeStart) \(.rangeEnd) \(.key)"' \
		"10.1.0.0/24 10.1.0.1 10.1.0.254 ipam.subnet"
	[ ! -e "$T/d" ] || fail "validation wrote host-local's store"
	assert_eq "$(in_host ip -o link show br9 2>/dev/null)" "" "validation made the bridge"
	# a plugin of another origin only answers VERSION
	out=$(printf '{}' | env -i CNI_COMMAND=VERSION "$here/../../examples/script-plugin.sh" --ccni-validate)
	jq_eq "$out" '.supportedVersions | length' 5
}

run_tests
