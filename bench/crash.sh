#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/crash.sh — crash trials: the chain bridge(ipMasq, macspoofchk) +
# host-local + portmap (tcp+udp) + firewall + tuning + bandwidth, driven
# through the ccni command as a runtime drives it, is SIGKILLed at random
# points of ADD and of DEL; then the runtime's recovery runs (DEL, or GC
# with its list of live pods, with the pod's namespace kept or gone) and
# every kind of object the chain makes is counted on the node: host and
# container links, ifbs, qdiscs, nftables tables, chains, rules and
# elements of ccni's tables, host-local reservations, records and other
# files, tuning backups, cache entries, temp files. Three pods live through
# all trials: GC must never touch them, and nothing they own may go.
#
#   bash bench/crash.sh [BUILD_DIR]          (root; default BUILD_DIR: build)
#
# Environment: TRIALS (1000), SEED (random, printed: a run is repeated by
# giving it back), KEEP (3 live pods), PHASES ("add del"), MODES ("group
# runtime plugin") and ACTIONS ("del gone-del gc gone-gc") to draw from,
# MAX_ADD_US / MAX_DEL_US (the kill delays' bound, default the median of
# three clean runs), CCNI_BIN / CCNI_CLI / CRASHKILL
# (default: the build dir's stage and bench/crashkill), VERBOSE=1 (a line
# per trial). Everything happens in a private host namespace; the machine's
# own network is not touched. Prints the counts and exits 1 if any object
# was left or a live pod lost any.
#
# Each trial: a fresh namespace; a kill during ADD (or a clean ADD and a
# kill during DEL) with one of crashkill's modes (group: the runtime and its
# plugins; runtime: ccni alone; plugin: the plugin at work), at a delay
# drawn from [0, the measured duration); then one recovery:
#   del       ccni del, the namespace still there
#   gone-del  the namespace deleted, then ccni del
#   gc        ccni gc --valid <live pods>, the namespace still there
#   gone-gc   the namespace deleted, then ccni gc --valid <live pods>
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
CRASHKILL=${CRASHKILL:-$build/bench/crashkill}
TRIALS=${TRIALS:-1000} KEEP=${KEEP:-3} VERBOSE=${VERBOSE:-0}
SEED=${SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
[ "$(id -u)" -eq 0 ] || { echo "crash.sh: needs root" >&2; exit 2; }
for f in "$BIN/bridge" "$CLI" "$CRASHKILL"; do
	[ -x "$f" ] || { echo "crash.sh: $f missing (bash scripts/build.sh $build)" >&2; exit 2; }
done
RANDOM=$SEED
# An ASan build's LeakSanitizer checks at exit from a tracer process, a
# clone of the plugin that the plugin waits for without a limit: a kill
# that takes the tracer (the newest process, as "plugin" kills) leaves the
# plugin spinning for ever. The trials run with leak checks off; memory
# errors are still caught, and the rest of the suite checks leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

W=$(mktemp -d /tmp/ccni-crash.XXXXXX)
H=ccrh$$ NET=crashnet BR=ccrb$$
made=("$H")
cleanup() {
	local n
	for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$H" && ip -n "$H" link set lo up
mkdir -p "$W/net.d" "$W/cache" "$W/ipam" "$W/tuning"
full_chain "$NET" "$BR" "$W" 10.199 >"$W/net.d/$NET.conflist"

# ccni VERB ARGS... with PORT set: the CLI in the host namespace, mapping
# PORT (tcp and udp) to the pod's 80.
ccni() {
	ip netns exec "$H" env NETCONFPATH="$W/net.d" CNI_PATH="$BIN" CNI_CACHE_DIR="$W/cache" \
		CAP_ARGS="{\"portMappings\":[{\"hostPort\":$PORT,\"containerPort\":80,\"protocol\":\"tcp\"},{\"hostPort\":$PORT,\"containerPort\":80,\"protocol\":\"udp\"}]}" \
		${PRE:-} "$CLI" "$@"
}
newns() { ip netns add "$1" && ip -n "$1" link set lo up && made+=("$1"); }
# snapshot FILE: everything the chain can leave on this node.
snapshot() {
	{
		state_kernel "$H"
		state_ipam "$W/ipam"
		state_files tuning-backup "$W/tuning"
		state_files cache "$W/cache/results"
	} | sort >"$1"
}
# peers_of NS: the host ends (ifindex) of NS's veths.
peers_of() { ip -n "$1" -j link show type veth | jq -r '.[] | select(.link_netnsid != null) | .link_index'; }
# wait_gone IFINDEX...: a deleted namespace goes some time later (the
# kernel's cleanup_net work), its veths with it; wait for that (up to 10 s),
# lest it be counted as a leak.
wait_gone() {
	local i
	for i in "$@"; do
		for _ in $(seq 100); do
			ip -n "$H" -j link show | jq -e --argjson i "$i" 'any(.[]; .ifindex == $i)' >/dev/null || break
			sleep 0.1
		done
	done
}
ms_of() { local t0=$EPOCHREALTIME; "$@" >/dev/null; echo "$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))"; }

echo "crash trials: $TRIALS, seed $SEED, $KEEP live pods, work dir $W"
snapshot "$W/empty"
valid=() add_ms=() del_ms=()
for k in $(seq "$KEEP"); do
	newns "ccrk$$-$k"
	PORT=$((10000 + k))
	add_ms+=("$(ms_of ccni add "$NET" "/run/netns/ccrk$$-$k")")
	valid+=(--valid "$(cnitool_id "/run/netns/ccrk$$-$k")/eth0")
done
# calibrate the kill delays: a clean ADD and DEL of the chain, three times
for k in 1 2 3; do
	newns "ccrc$$-$k"
	PORT=$((10100 + k))
	add_ms+=("$(ms_of ccni add "$NET" "/run/netns/ccrc$$-$k")")
	del_ms+=("$(ms_of ccni del "$NET" "/run/netns/ccrc$$-$k")")
	ip netns del "ccrc$$-$k"
done
med() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
max_add=${MAX_ADD_US:-$(($(med "${add_ms[@]}") * 1000))} max_del=${MAX_DEL_US:-$(($(med "${del_ms[@]}") * 1000))}
echo "clean ADD $(med "${add_ms[@]}") ms, DEL $(med "${del_ms[@]}") ms: kills within [0, $max_add) us of ADD, [0, $max_del) us of DEL"
PORT=0 ccni gc "$NET" "${valid[@]}" || echo "crash.sh: GC before the trials failed"
snapshot "$W/base"
cp "$W/base" "$W/prev"

read -ra modes <<<"${MODES:-group runtime plugin}"
read -ra actions <<<"${ACTIONS:-del gone-del gc gone-gc}"
read -ra phases <<<"${PHASES:-add del}"
declare -A leaks=() damage=() bycase=() killed_in=()
fails=0 finished_first=0 trials_leaking=0 ns_links_after_gc=0
for i in $(seq "$TRIALS"); do
	ns=ccrt$$-$i path=/run/netns/ccrt$$-$i PORT=$((20000 + i % 30000))
	newns "$ns"
	: >"$W/clinks"
	phase=${phases[RANDOM % ${#phases[@]}]}
	mode=${modes[RANDOM % ${#modes[@]}]} action=${actions[RANDOM % ${#actions[@]}]}
	max=$max_add
	if [ $phase = del ]; then
		ccni add "$NET" "$path" >/dev/null 2>"$W/err" || { fails=$((fails + 1)); echo "trial $i: clean ADD failed: $(cat "$W/err")"; }
		max=$max_del
	fi
	verb=${phase}
	PRE="$CRASHKILL -u $max -s $((SEED * 7919 + i)) -m $mode --" ccni "$verb" "$NET" "$path" >/dev/null 2>"$W/kill"
	what=$(grep '^crashkill: \(killed\|finished\)' "$W/kill" | tail -1)
	if grep -q '^crashkill: hung' "$W/kill"; then
		fails=$((fails + 1))
		echo "trial $i ($phase $mode): $(grep '^crashkill: hung' "$W/kill")"
	fi
	case $what in
	*"finished first"*) finished_first=$((finished_first + 1)) victim=none ;;
	*) victim=$(awk '{print $4}' <<<"$what") ;;
	esac
	killed_in["$phase $victim"]=$((${killed_in["$phase $victim"]:-0} + 1))
	peers=
	case $action in gone-*) peers=$(peers_of "$ns"); ip netns del "$ns" ;; esac
	case $action in
	*del) ccni del "$NET" "$path" >/dev/null 2>"$W/err" ;;
	*gc) ccni gc "$NET" "${valid[@]}" >/dev/null 2>"$W/err" ;;
	esac || { fails=$((fails + 1)); echo "trial $i ($phase $mode $victim $action): recovery failed: $(cat "$W/err")"; }
	if [ -e "$path" ]; then
		# the links a namespace still has after DEL are leaks; after GC
		# they are not (the spec lets GC assume the namespace is gone, and
		# its links with it: the runtime deletes it next, as here)
		ip -n "$ns" -j link show | jq -r '.[] | select(.ifname != "lo") | "container-link\t\(.ifname)"' >"$W/clinks"
		[ "$VERBOSE" = 2 ] && [ -s "$W/clinks" ] && { ip -n "$ns" -d link show; ip -n "$H" link show type veth; }
		case $action in *gc) ns_links_after_gc=$((ns_links_after_gc + $(wc -l <"$W/clinks"))); : >"$W/clinks" ;; esac
		peers=$(peers_of "$ns")
		ip netns del "$ns"
	fi
	wait_gone $peers
	snapshot "$W/now"
	{ state_diff "$W/prev" "$W/now"; sed 's/^/+/' "$W/clinks"; } >"$W/diff"
	# what is gone is a leak of an earlier trial collected since, unless
	# a live pod owned it
	comm -12 <(grep '^-' "$W/diff" | cut -c2- | sort) "$W/base" >"$W/lost"
	grep '^+' "$W/diff" >"$W/new"
	n=$(wc -l <"$W/new")
	if [ "$n" -gt 0 ] || [ -s "$W/lost" ]; then
		trials_leaking=$((trials_leaking + 1))
		echo "trial $i: $phase killed ($mode, $victim; $what), $action: $n left, $(wc -l <"$W/lost") lost"
		sed 's/^/    /' "$W/new" "$W/lost" | head -20
		while read -r kind c; do leaks[$kind]=$((${leaks[$kind]:-0} + c)); done < <(cut -c2- "$W/new" | state_count_kinds)
		while read -r kind c; do damage[$kind]=$((${damage[$kind]:-0} + c)); done < <(state_count_kinds <"$W/lost")
		bycase["$phase $mode $action"]=$((${bycase["$phase $mode $action"]:-0} + 1))
	elif [ "$VERBOSE" = 1 ]; then
		echo "trial $i: $phase killed ($mode, $victim), $action: clean"
	fi
	cp "$W/now" "$W/prev"
done

# the live pods still work
for k in $(seq "$KEEP"); do
	ip netns exec "ccrk$$-$k" ping -c1 -W2 10.199.0.1 >/dev/null || { fails=$((fails + 1)); echo "live pod $k cannot reach its gateway"; }
done
# after the trials, GC as a runtime would run it, then the live pods' DELs
PORT=0 ccni gc "$NET" "${valid[@]}" || fails=$((fails + 1))
snapshot "$W/after-gc"
for k in $(seq "$KEEP"); do
	PORT=$((10000 + k)) ccni del "$NET" "/run/netns/ccrk$$-$k" || fails=$((fails + 1))
done
snapshot "$W/end"
# per-node setup (tables, chains, rules, the bridge) stays; elements,
# links other than the bridge, qdiscs and files must all be gone
state_diff "$W/empty" "$W/end" | grep '^+' | grep -v "^+nft-\(table\|chain\|rule\)" |
	grep -v "^+link-bridge	$BR " | grep -v "^+ipam-file	$NET/\(lock\|last_reserved_ip\.0\)$" >"$W/left" || true

echo
echo "== kills (phase, process at work when killed)"
for k in "${!killed_in[@]}"; do printf '  %-28s %d\n' "$k" "${killed_in[$k]}"; done | sort
echo "  (finished before the kill: $finished_first)"
echo "== objects left after the trial's recovery, by kind (target 0)"
for k in link-veth link-ifb link-bridge container-link qdisc nft-table nft-chain nft-rule nft-elem \
	ipam-reservation ipam-record ipam-file tuning-backup cache tmp; do
	printf '  %-18s %d\n' "$k" "${leaks[$k]:-0}"
done
for k in "${!leaks[@]}"; do
	case " link-veth link-ifb link-bridge container-link qdisc nft-table nft-chain nft-rule nft-elem ipam-reservation ipam-record ipam-file tuning-backup cache tmp " in
	*" $k "*) ;; *) printf '  %-18s %d\n' "$k" "${leaks[$k]}" ;;
	esac
done
echo "== objects of the live pods lost (target 0): $(IFS=+; echo "$((0${damage[*]:+ + ${damage[*]}}))")"
for k in "${!damage[@]}"; do printf '  %-18s %d\n' "$k" "${damage[$k]}"; done
echo "== trials leaking, by (phase, mode, recovery)"
for k in "${!bycase[@]}"; do printf '  %-28s %d\n' "$k" "${bycase[$k]}"; done | sort
echo "== left after a final GC: $(state_diff "$W/base" "$W/after-gc" | grep -c '^+')"
state_diff "$W/base" "$W/after-gc" | sed 's/^/    /' | head -20
echo "== left after the live pods' DEL (beyond per-node tables and chains): $(wc -l <"$W/left")"
sed 's/^/    /' "$W/left" | head -20
echo "== links in namespaces still there after GC (not leaks: they go with the namespace): $ns_links_after_gc"
echo "== failed commands: $fails"
total=0
for k in "${!leaks[@]}"; do total=$((total + leaks[$k])); done
for k in "${!damage[@]}"; do total=$((total + damage[$k])); done
echo
echo "crash: $TRIALS trials, $trials_leaking leaking, $total objects left or lost, $(wc -l <"$W/left") left at the end, $fails failed commands (seed $SEED)"
[ "$total" -eq 0 ] && [ ! -s "$W/left" ] && [ "$fails" -eq 0 ]
