#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# fuzz.sh [HARNESS...] — the long fuzzing job: builds the libFuzzer
# harnesses (clang, ASan+UBSan, in build-fuzz) and runs each (default: all
# of tests/fuzz/fuzz-*.c) for RUNS executions (default 10,000,000) on a
# copy of its seed corpus, one after the other. Prints each harness's
# executions, new corpus units and outcome, and ends with
# "N passed, N failed". A crash, leak or sanitizer report stops that
# harness; its input is kept under tests/fuzz/corpus/NAME/ as
# crash-<hash> (rename it for what it broke once fixed) and the log in
# LOGDIR. The scripts/test.sh suite runs the same harnesses briefly
# (FUZZ_SECONDS).
#
# Environment: RUNS (10000000), JOBS (1: harnesses run one at a time),
# NICE (10: the job yields to other work), LOGDIR (a fresh /tmp dir).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
RUNS=${RUNS:-10000000} NICE=${NICE:-10}
LOGDIR=${LOGDIR:-$(mktemp -d /tmp/ccni-fuzz.XXXXXX)}
mkdir -p "$LOGDIR"
bash scripts/deps.sh >/dev/null || exit 1
CC=clang bash scripts/build.sh "$top/build-fuzz" -Dfuzz=true -Dtests=false \
	-Db_sanitize=address,undefined -Db_lundef=false || exit 1
names=("$@")
[ ${#names[@]} -gt 0 ] || for f in tests/fuzz/fuzz-*.c; do n=${f##*/fuzz-}; names+=("${n%.c}"); done
pass=0 failn=0
for n in "${names[@]}"; do
	h=$top/build-fuzz/tests/fuzz/fuzz-$n
	[ -x "$h" ] || { echo "FAIL $n: no harness $h"; failn=$((failn + 1)); continue; }
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$n" ] && cp -r "tests/fuzz/corpus/$n"/. "$work"/
	t0=$(date +%s)
	(cd "$LOGDIR" && nice -n "$NICE" "$h" -runs="$RUNS" -print_final_stats=1 \
		-artifact_prefix="$LOGDIR/$n-" "$work" >"$LOGDIR/$n.log" 2>&1)
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOGDIR/$n.log" | grep -o '[0-9]*$' | tail -1)
	added=$(grep -o 'stat::new_units_added: *[0-9]*' "$LOGDIR/$n.log" | grep -o '[0-9]*$' | tail -1)
	if [ $rc -eq 0 ]; then
		echo "ok   $n: ${runs:-?} executions in $(($(date +%s) - t0)) s, ${added:-0} new units"
		pass=$((pass + 1))
	else
		echo "FAIL $n after ${runs:-?} executions (log $LOGDIR/$n.log)"
		grep -m3 -E 'ERROR|SUMMARY|runtime error' "$LOGDIR/$n.log" | sed 's/^/    /'
		for a in "$LOGDIR/$n-"*; do
			[ -f "$a" ] && cp "$a" "tests/fuzz/corpus/$n/${a##*/$n-}" &&
				echo "    input kept as tests/fuzz/corpus/$n/${a##*/$n-}"
		done
		failn=$((failn + 1))
	fi
	rm -rf "$work"
done
echo "fuzz logs: $LOGDIR"
echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
