#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The proofs under load, short: crash trials (SIGKILL at random points of
# ADD and DEL of the full chain, then DEL or GC: nothing left of any kind,
# nothing of the live pods lost) and concurrent ADDs with GC running
# throughout, then concurrent DELs (no pod lost, no address twice, nothing
# left). The long runs are bench/crash.sh (1,000 trials) and
# bench/concurrency.sh (1,000 pods); see README, "Proof under load".
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$CCNI_BIN/../../../..

test_crash_trials_leave_nothing_and_take_nothing_from_live_pods() {
	[ -x "$build_dir/bench/crashkill" ] || skip "bench/crashkill not built"
	CCNI_CLI=$CCNI_CLI CRASHKILL=$build_dir/bench/crashkill TRIALS=${CRASH_TRIALS:-30} SEED=${CRASH_SEED:-1} \
		bash "$top/bench/crash.sh" >"$T/out" 2>&1 || { tail -60 "$T/out"; fail "crash trials"; }
	line=$(tail -1 "$T/out")
	assert_match "$line" "^crash: [0-9]+ trials, 0 leaking, 0 objects left or lost, 0 left at the end, 0 failed commands" "summary"
}

test_concurrent_adds_with_gc_then_dels_lose_nothing() {
	CCNI_CLI=$CCNI_CLI PODS=${CONC_PODS:-60} PAR=${CONC_PAR:-16} \
		bash "$top/bench/concurrency.sh" >"$T/out" 2>&1 || { tail -30 "$T/out"; fail "concurrency"; }
	line=$(tail -1 "$T/out")
	assert_match "$line" "^concurrency: ([0-9]+) pods, \\1 added, 0 lost, 0 duplicate addresses, 0 failed ADDs, 0 failed DELs, 0 left$" "summary"
	# GC did run beside the ADDs
	assert_match "$(grep '^ADD:' "$T/out")" " [1-9][0-9]* GCs ran beside them \\(0 failed" "GCs during the ADDs"
}

run_tests
