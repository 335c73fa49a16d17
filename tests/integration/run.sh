#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh [FILTER] — run every integration test file (t-*.sh) and print
# "N passed, N failed, N skipped". Needs root. CCNI_BIN must be set.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "integration tests need root" >&2; exit 1; }
export T_RESULTS
T_RESULTS=$(mktemp)
export T_FILTER=${1:-}
for f in "$here"/t-*.sh; do
	[ -e "$f" ] || continue
	bash "$f"
done
read -r p f s < <(awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}' "$T_RESULTS")
rm -f "$T_RESULTS"
echo "integration: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
