#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lib.sh — the integration-test harness. A test file sources this, defines
# functions named test_*, and ends with `run_tests`. Each test_* runs in its
# own subshell with `set -e`, its own private "host" network namespace
# ($HOSTNS: plugins run inside it, so the machine's own links, routes and
# rules are never touched) and its own temp dir ($T); everything it made is
# removed afterwards, also when it fails. A test skips by calling
# `skip "reason"` (exit 77). Each test runs in a process of its own (the
# file run again for that one test) under a time limit, T_TIMEOUT seconds
# (600): one that hangs is killed with everything it started, cleaned up
# and failed, and the next test runs. Past T_DEADLINE (epoch seconds, when
# set) the tests left are failed without running.
#
# Kernel features. This machine's kernel (and CI's) has veth, bridge,
# macvlan, tap, ifb and vxlan, but no dummy, ipvlan, 8021q VLAN, VRF or
# VLAN-filtering bridges. A test that needs one of those says so first:
#
#     test_vlan_and_trunk() {
#         needs_kernel vlan_filtering
#         ...
#
# or, for every test of a file, before `run_tests`:
#
#     T_NEEDS_KERNEL="ipvlan"
#
# On a kernel that has them the test just runs. On one that lacks them it
# stops at once (nothing made yet), is listed as "uml" instead of counted, and
# after the other tests every test deferred that way runs inside one boot of
# a user-mode Linux kernel that has them (tests/uml/run.sh; the host's files
# under a tmpfs overlay, empty /run, /tmp and /var/lib/cni, the same plugins
# and reference), where its result is counted, once. Features: dummy ipvlan
# macvlan vlan (8021q) vrf vlan_filtering ifb vxlan nftables (the ip, ip6 and
# inet families) physdev (a physical device a test may move: see
# PHYSDEV_PATH below). That kernel (Debian's user-mode-linux) has all but
# nftables: there iptables is the legacy one, and a test that needs nftables
# and one of the others is skipped, saying which kernel lacks what. Inside it
# a feature its config promised but that is missing is a failure, never a
# skip. AddressSanitizer's programs cannot run in that kernel: the ASan stage
# leaves these tests to the release stage. `bash tests/uml/run.sh -c
# COMMANDS` runs commands in that kernel, to look around.
#
# Environment: CCNI_BIN (required) is the directory of the installed plugins
# (a staged `meson install`); CCNI_CLI the ccni binary; REF_BIN the Go
# reference plugins (/usr/lib/cni) for interop tests; CCNI_WRAP a command
# prefix (valgrind ...) put in front of every plugin run.

set -u
: "${CCNI_BIN:?CCNI_BIN must name the directory of installed ccni plugins}"
REF_BIN=${REF_BIN:-/usr/lib/cni}
CCNI_WRAP=${CCNI_WRAP:-}
CCNI_CLI=${CCNI_CLI:-$CCNI_BIN/../../../usr/local/bin/ccni}
T_RESULTS=${T_RESULTS:-}
T_FILTER=${T_FILTER:-}
T_OUTCOMES=${T_OUTCOMES:-}
T_UML_LIST=${T_UML_LIST:-}
T_NEEDS_KERNEL=${T_NEEDS_KERNEL:-}

_t_name=""
_t_netns=()
_t_hostlinks=()

# A short unique id: netns and link names stay within IFNAMSIZ.
_t_uid() { printf '%x%04x' "$$" "$RANDOM"; }

# mkns NAME: create a netns with a unique name; echo its name. Removed at cleanup.
mkns() {
	local n="cc${1:-ns}$(_t_uid)"
	ip netns add "$n"
	_t_netns+=("$n")
	# callers use $(mkns ...), a subshell: the list on disk is the record
	[ -n "${T:-}" ] && echo "$n" >>"$T/.netns"
	ip -n "$n" link set lo up
	echo "$n"
}

# in_host CMD...: run CMD in the test's private host namespace.
in_host() { ip netns exec "$HOSTNS" "$@"; }
# in_ns NS CMD...: run CMD in namespace NS.
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# cni PLUGIN COMMAND CONFIG [KEY=VAL...]: run a ccni plugin in the host netns
# with the usual CNI_* environment (CNI_CONTAINERID=$CID, CNI_NETNS=$NETNS,
# CNI_IFNAME=eth0, CNI_PATH=$CCNI_BIN unless given). Prints stdout; the exit
# status is the plugin's. Stderr goes to $T/stderr.
cni() { _cni_run "$CCNI_BIN" "$@"; }
# ref PLUGIN COMMAND CONFIG [KEY=VAL...]: the same with the Go reference.
ref() { _cni_run "$REF_BIN" "$@"; }
_cni_run() {
	local dir=$1 plugin=$2 cmd=$3 conf=$4
	shift 4
	local envs=(
		"CNI_COMMAND=$cmd"
		"CNI_CONTAINERID=${CID:-ctr-$$}"
		"CNI_NETNS=${NETNS_PATH:-}"
		"CNI_IFNAME=${IFNAME:-eth0}"
		"CNI_PATH=${PLUGIN_PATH:-$dir}"
	)
	[ -n "${CNI_ARGS_T:-}" ] && envs+=("CNI_ARGS=$CNI_ARGS_T")
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && envs+=("$v=${!v}")
	done
	local rc=0 o wrap=
	# only ccni's own plugins run under the wrapper (valgrind), not the reference
	[ "$dir" = "$CCNI_BIN" ] && wrap=$CCNI_WRAP
	o=$(mktemp "$T/.run.XXXXXX")
	printf '%s' "$conf" | ip netns exec "$HOSTNS" env -i PATH="$PATH" "${envs[@]}" "$@" \
		$wrap "$dir/$plugin" 2>"$o.err" >"$o" || rc=$?
	cat "$o"
	# A failing plugin's output also goes to the test's log, so a failure
	# shows why even when the test discarded stdout.
	[ $rc -eq 0 ] || { echo "($plugin $cmd exited $rc: $(head -c 2000 "$o"))"; cat "$o.err"; } >&2
	cp "$o.err" "$T/stderr" 2>/dev/null
	rm -f "$o" "$o.err"
	return $rc
}

# Assertions. Each prints what it expected and what it got on failure.
fail() { echo "    FAIL: $*" >&2; exit 1; }
skip() { echo "$*" >&2; exit 77; }
assert_eq() { # GOT WANT [WHAT]
	[ "$1" == "$2" ] || fail "${3:-value}: got '$1', want '$2'"
}
assert_match() { # GOT REGEX [WHAT]
	[[ "$1" =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"
}
assert_contains() { # HAYSTACK NEEDLE [WHAT]
	[[ "$1" == *"$2"* ]] || fail "${3:-value}: '$2' not found in: $1"
}
assert_not_contains() {
	[[ "$1" != *"$2"* ]] || fail "${3:-value}: '$2' unexpectedly found in: $1"
}
# jq_eq JSON FILTER WANT: the jq filter's raw output equals WANT.
jq_eq() {
	local got
	got=$(printf '%s' "$1" | jq -r "$2") || fail "jq '$2' failed on: $1"
	[ "$got" == "$3" ] || fail "jq '$2': got '$got', want '$3' in: $1"
}
# expect_error CODE OUTPUT [SUBSTRING]: OUTPUT is a CNI error JSON with CODE
# whose msg contains SUBSTRING.
expect_error() {
	local code=$1 out=$2 sub=${3:-}
	jq_eq "$out" '.code' "$code"
	printf '%s' "$out" | jq -e '.cniVersion and (.msg|type=="string")' >/dev/null ||
		fail "not a CNI error object: $out"
	[ -z "$sub" ] || assert_contains "$(printf '%s' "$out" | jq -r '.msg + " " + (.details // "")')" "$sub" "error text"
}
# wait_listen NS tcp|udp PORT: wait (up to 10 s) until a socket listens on
# PORT in namespace NS. A server started in the background is not there at
# once, the less so on a loaded machine: asking it before it binds is a
# race, not a failure of what is tested.
wait_listen() {
	local flag=-Hltn i
	[ "$2" = udp ] && flag=-Hlun
	for i in $(seq 200); do
		[ -n "$(in_ns "$1" ss $flag "sport = :$3" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	fail "nothing listens on $2 port $3 in $1 after 10 s"
}

# Kernel link-type probe: can this kernel make a link of TYPE?
have_link_type() {
	local n="cp$(_t_uid)"
	if in_host ip link add "$n" type "$@" >/dev/null 2>&1; then
		in_host ip link del "$n" >/dev/null 2>&1
		return 0
	fi
	return 1
}
# have_sublink_type TYPE [ARGS]: a link of TYPE over a veth (vlan, ipvlan, macvlan).
have_sublink_type() {
	local n="cp$(_t_uid)" rc=1
	in_host ip link add "$n" type veth peer name "${n}p" >/dev/null 2>&1 || return 1
	in_host ip link add link "$n" name "${n}s" type "$@" >/dev/null 2>&1 && rc=0
	in_host ip link del "$n" >/dev/null 2>&1
	return $rc
}
# _t_feature_config FEATURE: the kernel config option behind a needs_kernel feature.
_t_feature_config() {
	case $1 in
	dummy) echo DUMMY ;;
	ipvlan) echo IPVLAN ;;
	macvlan) echo MACVLAN ;;
	vlan) echo VLAN_8021Q ;;
	vrf) echo NET_VRF ;;
	vlan_filtering) echo BRIDGE_VLAN_FILTERING ;;
	ifb) echo IFB ;;
	vxlan) echo VXLAN ;;
	nftables) echo NF_TABLES_INET ;;
	physdev) echo UML_NET ;;
	*) fail "needs_kernel: unknown feature '$1' (dummy ipvlan macvlan vlan vrf vlan_filtering ifb vxlan nftables physdev)" ;;
	esac
}
# have_kernel FEATURE: does this kernel have FEATURE (see the header)?
have_kernel() {
	_t_feature_config "$1" >/dev/null
	case $1 in
	dummy) have_link_type dummy ;;
	vrf) have_link_type vrf table 4242 ;;
	ipvlan) have_sublink_type ipvlan mode l2 ;;
	macvlan) have_sublink_type macvlan mode bridge ;;
	vlan) have_sublink_type vlan id 42 ;;
	vlan_filtering) have_link_type bridge vlan_filtering 1 ;;
	ifb) have_link_type ifb ;;
	vxlan) have_link_type vxlan id 42 dstport 4789 ;;
	nftables) in_host nft add table inet ccni_probe >/dev/null 2>&1 && in_host nft delete table inet ccni_probe ;;
	physdev) [ -e "$PHYSDEV_PATH/net/eth0" ] ;;
	esac
}
# physdev: a physical network device (no rtnetlink kind, so the kernel
# gives it back to the initial namespace when the namespace holding it
# goes) that a test may move around: user-mode Linux's eth0, a uml_net
# device on a tap in the boot's own network namespace (tests/uml/run.sh).
PHYSDEV_PATH=/sys/devices/platform/uml-netdev.0
# needs_kernel FEATURE...: the test needs these; without them it runs in the
# user-mode Linux kernel instead (see the header). Call it before anything else.
needs_kernel() {
	local f lacks=() uml_lacks=() uml_config
	for f in "$@"; do
		have_kernel "$f" || lacks+=("$f")
	done
	[ ${#lacks[@]} -gt 0 ] || return 0
	[ -z "${CCNI_IN_UML:-}" ] || fail "the user-mode Linux kernel lacks ${lacks[*]}"
	uml_config=$(linux.uml --showconfig 2>/dev/null) ||
		skip "this kernel lacks ${lacks[*]} and there is no user-mode Linux kernel to run the test in (package user-mode-linux; scripts/deps.sh installs it)"
	for f in "$@"; do
		grep -qE "^CONFIG_$(_t_feature_config "$f")=[ym]" <<<"$uml_config" || uml_lacks+=("$f")
	done
	[ ${#uml_lacks[@]} -eq 0 ] ||
		skip "this kernel lacks ${lacks[*]} and the user-mode Linux kernel ${uml_lacks[*]}"
	_t_defer "this kernel lacks ${lacks[*]}"
}
# runs_in_uml: the test checks the user-mode Linux kernel's environment
# itself (t-uml.sh): deferred there whatever this kernel has.
runs_in_uml() {
	[ -n "${CCNI_IN_UML:-}" ] && return 0
	command -v linux.uml >/dev/null ||
		skip "no user-mode Linux kernel (package user-mode-linux; scripts/deps.sh installs it)"
	_t_defer "it checks the user-mode Linux kernel"
}
# _t_defer REASON: stop the test here, for the user-mode Linux run. Its exit
# status and last line together say so: a command that fails with 78 under
# `set -e` is a failure, never a deferral.
_T_DEFER_MARK="deferred to user-mode Linux: "
_t_defer() {
	echo "$_T_DEFER_MARK$1" >&2
	exit 78
}

_t_cleanup() {
	local n
	[ -n "${T:-}" ] && [ -f "$T/.netns" ] && mapfile -t -O "${#_t_netns[@]}" _t_netns <"$T/.netns"
	for n in "${_t_netns[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	[ -z "${T:-}" ] || rm -rf "$T"
}

_t_one() {
	local fn=$1
	(
		T=$(mktemp -d /tmp/ccni-test.XXXXXX)
		trap _t_cleanup EXIT
		HOSTNS=$(mkns h)
		NETNS=$(mkns c)
		NETNS_PATH=/run/netns/$NETNS
		CID="ctr$(_t_uid)"
		set -e
		# shellcheck disable=SC2086
		[ -z "$T_NEEDS_KERNEL" ] || needs_kernel $T_NEEDS_KERNEL
		"$fn"
	)
}

# _t_outcome STATUS NAME: what the user-mode Linux runner reads back.
_t_outcome() { [ -z "$T_OUTCOMES" ] || echo "$1 $2" >>"$T_OUTCOMES"; }

run_tests() {
	local fn rc pass=0 failn=0 skipn=0 file tag= uml_list=$T_UML_LIST own_list=
	file=$(basename "${BASH_SOURCE[1]}" .sh)
	# one test of this file, run by the loop below under its time limit
	if [ -n "${_T_ONLY:-}" ]; then
		_t_one "$_T_ONLY"
		exit $?
	fi
	[ -z "${CCNI_IN_UML:-}" ] || tag=" [uml]"
	# run on its own (not from run.sh): this file boots user-mode Linux itself
	[ -n "$uml_list" ] || [ -n "${CCNI_IN_UML:-}" ] || { uml_list=$(mktemp); own_list=1; }
	for fn in $(declare -F | awk '{print $3}' | grep '^test_'); do
		[ -n "$T_FILTER" ] && ! [[ "$file.$fn" =~ $T_FILTER ]] && continue
		local out t0=$SECONDS took
		# past the suite's deadline (T_DEADLINE, epoch seconds): the rest fail
		# at once, by name, so that the suite still ends and says what it left
		if [ -n "${T_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$T_DEADLINE" ]; then
			failn=$((failn + 1))
			echo "FAIL $file.$fn$tag: not run, the suite is past its deadline (T_DEADLINE)"
			_t_outcome FAIL "$file.$fn"
			continue
		fi
		# each test in its own process under a time limit, so that one that
		# hangs fails with its name and the suite goes on; timeout signals
		# the test's whole process group, and _t_one's trap still cleans up
		out=$(_T_ONLY=$fn timeout -k 20 "${T_TIMEOUT:-600}" bash "${BASH_SOURCE[1]}" 2>&1)
		rc=$?
		# how long, when it is long enough to matter to the suite's time
		took=$((SECONDS - t0))
		[ "$took" -ge 10 ] && took=" (${took} s)" || took=
		[ $rc -ne 124 ] && [ $rc -ne 137 ] || out="$out
timed out after ${T_TIMEOUT:-600} s (T_TIMEOUT)"
		if [ $rc -eq 78 ] && { [ -n "${CCNI_IN_UML:-}" ] || [[ "$(printf '%s' "$out" | tail -1)" != "$_T_DEFER_MARK"* ]]; }; then
			rc=1
		fi
		case $rc in
		0) pass=$((pass + 1)); echo "ok   $file.$fn$tag$took"; _t_outcome ok "$file.$fn" ;;
		77) skipn=$((skipn + 1)); echo "skip $file.$fn$tag: $(printf '%s' "$out" | tail -1)"; _t_outcome skip "$file.$fn" ;;
		78) echo "uml  $file.$fn: $(printf '%s' "$out" | tail -1 | sed "s/^$_T_DEFER_MARK//"); runs in user-mode Linux"; echo "$file.$fn" >>"$uml_list" ;;
		*) failn=$((failn + 1)); echo "FAIL $file.$fn$tag$took"; printf '%s\n' "$out" | sed 's/^/    /' | tail -40; _t_outcome FAIL "$file.$fn" ;;
		esac
	done
	[ -n "$T_RESULTS" ] && echo "$pass $failn $skipn" >>"$T_RESULTS"
	if [ -n "$own_list" ]; then
		[ ! -s "$uml_list" ] || bash "$(dirname "${BASH_SOURCE[0]}")/../uml/run.sh" "$uml_list" || failn=$((failn + 1))
		rm -f "$uml_list"
	fi
	[ "$failn" -eq 0 ]
}
