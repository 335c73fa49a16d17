#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh [FILTER] — run every integration test file (t-*.sh; of the
# directory T_DIR when set, e.g. tests/package) and print
# "N passed, N failed, N skipped". Needs root. CCNI_BIN must be set.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "integration tests need root" >&2; exit 1; }
export T_RESULTS
T_RESULTS=$(mktemp)
export T_FILTER=${1:-}
# the tests this kernel cannot run (needs_kernel, lib.sh) run after the others
# in one boot of user-mode Linux
export T_UML_LIST
T_UML_LIST=$(mktemp)
for f in "${T_DIR:-$here}"/t-*.sh; do
	[ -e "$f" ] || continue
	t0=$SECONDS
	bash "$f"
	# each file's time: where the suite's time goes (a run cut short ends
	# at the file after the last one named)
	[ -n "$T_FILTER" ] || echo "-- $(basename "$f" .sh): $((SECONDS - t0)) s"
done
[ -s "$T_UML_LIST" ] && bash "$here/../uml/run.sh" "$T_UML_LIST"
rm -f "$T_UML_LIST"
read -r p f s < <(awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}' "$T_RESULTS")
rm -f "$T_RESULTS"
echo "integration: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
