#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run.sh LIST — run the integration tests named in LIST (one FILE.test_name
# a line: those needs_kernel deferred because this machine's kernel lacks a
# link kind) inside one boot of a user-mode Linux kernel (Debian's
# user-mode-linux: Linux 6.1 as a program, with dummy, ipvlan, 8021q, VRF and
# VLAN-filtering bridges as modules). Prints each test's result line and a
# timing line, and adds "passed failed skipped" to $T_RESULTS as every test
# file does: each test in LIST is counted exactly once, and one with no
# outcome (the kernel hung past the timeout, or crashed) counts as failed.
#
# The guest's root is the host's /, read-only, under tmpfs overlays
# (tests/uml/init.sh); the tests run there with the same CCNI_BIN, CCNI_CLI,
# REF_BIN and CCNI_WRAP, so the staged plugins and the reference are the
# host's files.
#
# run.sh -c COMMANDS runs bash -c COMMANDS in the same guest instead (from
# the repository's top directory) and prints its output: a look around.
#
# Environment: CCNI_BIN etc. as for the tests; CCNI_UML_TIMEOUT (seconds for
# the whole boot; default 60 + 120 per test); CCNI_UML_PRELOAD (the
# uml-xstate.so the build makes in tests/uml/; found from CCNI_BIN's stage).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
usage="usage: run.sh LIST | run.sh -c COMMANDS"
exec_cmds=
if [ "${1:-}" = -c ]; then
	exec_cmds=${2:?$usage}
	names=()
else
	mapfile -t names < <(sort -u "${1:?$usage}")
	[ ${#names[@]} -gt 0 ] || exit 0
fi
: "${CCNI_BIN:?CCNI_BIN must name the directory of installed ccni plugins}"
T_RESULTS=${T_RESULTS:-}

pass=0 failn=0 skipn=0
report() {
	[ -n "$T_RESULTS" ] && echo "$pass $failn $skipn" >>"$T_RESULTS"
	[ "$failn" -eq 0 ]
}

# skip_all REASON: none of the tests can run here.
skip_all() {
	for n in "${names[@]}"; do
		echo "skip $n: $1"
	done
	skipn=${#names[@]}
	report
	exit
}
uml=$(command -v linux.uml) ||
	skip_all "no user-mode Linux kernel to run it in (package user-mode-linux; scripts/deps.sh installs it)"
# AddressSanitizer's shadow memory lies above the top of a UML process's
# address space (512 GB): its programs cannot start there (valgrind's can).
# Such a stage leaves these tests to the release stage (and valgrind's, when
# its filter names them), which count them; it counts them neither as run
# nor as skipped.
if [ -z "$exec_cmds" ] && readelf -d "$CCNI_BIN/ccni-plugin" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	for n in "${names[@]}"; do
		echo "uml  $n: not in this stage: AddressSanitizer's programs cannot run in user-mode Linux (no room for its shadow memory); the release stage runs it there, and valgrind's when its filter names it"
	done
	report
	exit
fi

# past the suite's deadline (tests/integration/lib.sh): not booted
if [ -z "$exec_cmds" ] && [ -n "${T_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$T_DEADLINE" ]; then
	for n in "${names[@]}"; do
		echo "FAIL $n [uml]: not run, the suite is past its deadline (T_DEADLINE)"
	done
	failn=${#names[@]}
	report
	exit
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/ccni-uml.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# The stage is BUILD/stage/opt/cni/bin; the preload is built in BUILD/tests/uml.
preload=${CCNI_UML_PRELOAD:-$(realpath -m "$CCNI_BIN/../../../../tests/uml/uml-xstate.so")}
[ -f "$preload" ] || { echo "uml: no $preload (built with -Dtests=true); booting without it"; preload=; }

files=$(printf '%s\n' "${names[@]}" | sed 's/\..*//' | sort -u | xargs)
filter="^($(printf '%s\n' "${names[@]}" | sed 's/\./\\./g' | paste -sd'|'))\$"
{
	for v in CCNI_BIN CCNI_CLI REF_BIN CCNI_WRAP ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'export T_FILTER=%q T_OUTCOMES=%q CCNI_IN_UML=1 UML_HOST_T0=%q\n' "$filter" "$dir/outcomes" "$(date +%s)"
	printf 'UML_TOP=%q UML_FILES=%q UML_EXEC=%q\n' "$top" "$files" "$exec_cmds"
	printf 'UML_HOST_PATHS=%q\n' "$(realpath -m "$top" "$CCNI_BIN/../../.." "${CCNI_CLI:-/}" "${REF_BIN:-/}" | xargs)"
	echo "UML_MODULES='dummy ipvlan 8021q vrf macvlan veth bridge tun nf_tables'"
} >"$dir/env"

limit=${CCNI_UML_TIMEOUT:-$((60 + 120 * ${#names[@]}))}
# The guest's memory is a file UML maps: on tmpfs when /dev/shm has room for
# it (it is written back to disk otherwise), else in our directory.
mem=1024
memdir=$dir
[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
	[ "$(($(stat -f -c '%a * %S' /dev/shm) / 1048576))" -gt $((mem + 256)) ] && memdir=/dev/shm
t0=$(date +%s%N)
# Its own PID namespace: when timeout kills unshare, the kernel is killed
# (--kill-child) and every process it made on the host ends with it. Its own
# network namespace: the guest's eth0 (a uml_net device, the tests'
# physical device: it has no rtnetlink kind) is a tap ccniuml0 there, down,
# so nothing it sends reaches the host's network, and it ends with the boot.
# (--foreground: timeout kills unshare only, not also itself with the group.)
timeout --foreground -s KILL "$limit" unshare --pid --net --fork --kill-child \
	env TMPDIR="$memdir" ${preload:+LD_PRELOAD="$preload"} "$uml" \
	mem=${mem}M panic=1 root=/dev/root rootfstype=hostfs rootflags=/ ro init="$here/init.sh" \
	CCNI_UML_DIR="$dir" uml_dir="$dir" umid=ccni quiet con=null con0=null,fd:1 eth0=tuntap,ccniuml0 \
	</dev/null >"$dir/console" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))

[ -f "$dir/log" ] && grep -v '^uml: kernel\|^uml: tests done' "$dir/log"
boot=$(sed -n 's/^uml: kernel .* up after \([0-9.]*\) s/\1/p' "$dir/log" 2>/dev/null)
why=
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	why="user-mode Linux did not finish within ${limit} s"
elif [ ! -f "$dir/finished" ]; then
	why="user-mode Linux ended (exit $rc) before the tests finished"
fi
for n in "${names[@]}"; do
	o=$(awk -v n="$n" '$2 == n { s = $1 } END { print s }' "$dir/outcomes" 2>/dev/null)
	case $o in
	ok) pass=$((pass + 1)) ;;
	skip) skipn=$((skipn + 1)) ;;
	FAIL) failn=$((failn + 1)) ;;
	*) failn=$((failn + 1)); echo "FAIL $n [uml]: no result: ${why:-the test did not report}" ;;
	esac
done
if [ -n "$why" ]; then
	echo "uml: $why; the console's end:"
	tail -20 "$dir/console" | sed 's/^/    /'
fi
if [ -n "$exec_cmds" ]; then
	echo "uml: the commands ran in one user-mode Linux boot: ${ms} ms (kernel up after ${boot:-?} s)"
	[ -z "$why" ]
	exit
fi
echo "uml: ${#names[@]} tests in one user-mode Linux boot: ${ms} ms (kernel up after ${boot:-?} s)"
report
