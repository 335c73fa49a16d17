#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test.sh — the whole suite, from a fresh machine: installs the dependencies,
# then runs, each against its own build:
#   1. release build: unit tests (cmocka) + integration tests (root, netns)
#      + the Debian package (built with dpkg-buildpackage, checked, lintian)
#   2. ASan+UBSan build: unit tests + integration tests
#   3. valgrind (a build with dynamically linked plugins): unit tests + the
#      plugin-level integration tests
#   4. libFuzzer (clang): every harness, briefly, on its seed corpus
# and ends with one line "N passed, N failed, N skipped". In stages 1-3 the
# integration tests that need a link kind this kernel lacks run after the
# others in one boot of user-mode Linux (tests/uml/; ASan's programs cannot
# run there, so stage 2 leaves those tests to the others).
#
# Options (environment): QUICK=1 runs only stage 1; FUZZ_SECONDS (default
# 10); T_TIMEOUT (600: seconds one integration test may take before it is
# killed and failed); SUITE_BUDGET (4500: seconds after which nothing new
# starts and what is left counts as failed).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

pass=0 failn=0 skipn=0
# The suite's budget (SUITE_BUDGET seconds, 4500): past it no new test or
# stage starts, and what was left is counted failed, so that a machine far
# slower than expected (or a test that hangs, each stopped at T_TIMEOUT)
# still gets a verdict and the names of what did not run.
budget=${SUITE_BUDGET:-4500}
export T_DEADLINE=$(($(date +%s) + budget - SECONDS))
late() { # STAGE: true when the budget is spent; the stage counts one failure
	[ "$SECONDS" -lt "$budget" ] && return 1
	echo "not run: $1 (the suite is past its budget of $budget s, SUITE_BUDGET)"
	add 0 1
}
log=$(mktemp -d /tmp/ccni-suite.XXXXXX)

add() { pass=$((pass + $1)); failn=$((failn + $2)); skipn=$((skipn + ${3:-0})); }
# each stage's heading says when it began, in seconds since the suite's start
say() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }

# unit BUILDDIR [WRAPPER]: run the cmocka tests, count cases from their output.
unit() {
	local dir=$1 wrap=${2:-} out p f
	out="$log/unit-$(basename "$dir").txt"
	if [ -n "$wrap" ]; then
		meson test -C "$dir" --suite unit --print-errorlogs --wrapper "$wrap" >"$out" 2>&1
	else
		meson test -C "$dir" --suite unit --print-errorlogs >"$out" 2>&1
	fi
	local rc=$?
	local tl="$dir/meson-logs/testlog.txt"
	[ -n "$wrap" ] && tl="$dir/meson-logs/testlog-valgrind.txt"
	[ -f "$tl" ] || tl="$dir/meson-logs/testlog.txt"
	p=$(grep -ho '\[  PASSED  \] [0-9]* test' "$tl" | awk '{s+=$4} END {print s+0}')
	f=$(grep -ho '\[  FAILED  \] [0-9]* test' "$tl" | awk '{s+=$4} END {print s+0}')
	local mf
	mf=$(grep -Eo '^(Fail|Timeout):[[:space:]]+[0-9]+' "$out" | awk '{s+=$2} END {print s+0}')
	[ "$mf" -gt "$f" ] && f=$mf
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT)' "$out" | head -20
	[ "$f" -gt 0 ] && grep -B2 -A20 '\[  FAILED  \]\|\[  ERROR   \]\|ERROR: AddressSanitizer\|runtime error:\|Invalid read\|definitely lost' "$tl" | head -80
	echo "unit ($(basename "$dir")${wrap:+, $wrap}): $p passed, $f failed"
	add "$p" "$f"
}

# integ BUILDDIR [FILTER]: run the integration tests against BUILDDIR's stage
# (those of directory $T_DIR when set).
integ() {
	local dir=$1 filter=${2:-} out
	out="$log/integ-$(basename "$dir")${T_DIR:+-$(basename "$T_DIR")}.txt"
	# shown as it comes (a run cut short still shows how far it got): what
	# failed or was deferred, and the tests that took a minute or more
	CCNI_BIN="$dir/stage/opt/cni/bin" CCNI_CLI="$dir/stage/usr/local/bin/ccni" \
		bash tests/integration/run.sh "$filter" 2>&1 | tee "$out" |
		awk '(!/^ok / && !/^integration:/ || / \(([6-9][0-9]|[0-9][0-9][0-9]+) s\)$/) && n++ < 300 { print; fflush() }'
	local line
	line=$(grep '^integration:' "$out" | tail -1)
	echo "${line:-integration: 0 passed, 1 failed, 0 skipped (runner died)}"
	set -- $(echo "${line:-x 0 x 1 x 0}" | tr -cd '0-9 \n' | xargs)
	add "${1:-0}" "${2:-1}" "${3:-0}"
}

build() {
	local dir=$1
	shift
	if ! bash scripts/build.sh "$dir" "$@"; then
		echo "build $dir failed"
		add 0 1
		return 1
	fi
}

say "release build"
if build "$top/build"; then
	unit "$top/build"
	say "integration (release)"
	integ "$top/build"
	say "Debian package"
	T_DIR="$top/tests/package" integ "$top/build"
fi

if [ "${QUICK:-0}" != 1 ]; then
	say "ASan+UBSan build"
	if ! late "the ASan+UBSan stage" && build "$top/build-asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then
		export ASAN_OPTIONS="detect_leaks=1:exitcode=86:abort_on_error=0"
		export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1"
		export LSAN_OPTIONS="exitcode=86"
		unit "$top/build-asan"
		say "integration (ASan+UBSan)"
		integ "$top/build-asan"
		unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
	fi

	say "valgrind"
	# valgrind checks memory through a dynamically linked malloc: its own
	# build with the plugins linked dynamically (the release build is static).
	if ! late "the valgrind stage" && build "$top/build-vg" -Dstatic_plugins=false; then
		unit "$top/build-vg" "valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$top/tests/valgrind.supp"
		CCNI_WRAP="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$top/tests/valgrind.supp" \
			integ "$top/build-vg" "${VALGRIND_FILTER:-t-protocol|t-loopback|t-host-local.test_(add|del|gc)|t-static|t-bridge.test_(two|del_|failed|vlan)|t-uml|t-runtime.test_add|t-tuning|t-portmap.test_(tcp|conflict|del_|check|stale)|t-ptp.test_(add|del|failed|readd)|t-sbr.test_(add|del|table|failed)|t-bandwidth.test_(add|del|failed|no_limits)|t-dhcp.test_(add|del_|check|status|bad|server_down|macvlan_add)|t-macvlan.test_(add|failed|del|link_in|master_with|mac_)|t-ipvlan.test_chained|t-dummy.test_the|t-exec|t-validate.test_catalogue_(16|24|39|41|44|5[1-5])|t-host-device.test_(moved|a_phys|del_with|failed|gc)|t-tap.test_(every|with_ipam|check|failed)|t-vrf.test_(enslaved|failed|del_with)}"
	fi

	say "fuzz (libFuzzer, ${FUZZ_SECONDS:-10}s each)"
	if ! late "the fuzz stage" && CC=clang build "$top/build-fuzz" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false; then
		for h in "$top"/build-fuzz/tests/fuzz/fuzz-*; do
			[ -f "$h" ] && [ -x "$h" ] || continue
			name=$(basename "$h")
			corpus="$top/tests/fuzz/corpus/${name#fuzz-}"
			work=$(mktemp -d)
			[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
			if "$h" -max_total_time="${FUZZ_SECONDS:-10}" -print_final_stats=0 "$work" >"$log/$name.txt" 2>&1; then
				echo "ok   $name"
				add 1 0
			else
				echo "FAIL $name"
				tail -30 "$log/$name.txt"
				add 0 1
			fi
			rm -rf "$work"
		done
	fi
fi

echo
echo "logs: $log (the suite took $SECONDS s)"
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
