#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/scale.sh — ADD and DEL latency of one more pod on a full node:
# bridge(ipMasq) + host-local + portmap (tcp+udp), through the ccni command,
# with FILL pods already attached to the one bridge (each with its port
# mappings and masquerade), against the kernel floor measured at the same
# fill: bench/floor on that very bridge, beside its ports (the netlink work
# alone, deletes returning as ccni's do; `floor -f FILL` gives the same
# standalone). What ccni adds beyond the floor must not grow with the
# fill.
#
#   bash bench/scale.sh [BUILD_DIR]        (root; default BUILD_DIR: build)
#
# Environment: FILLS ("0 1000"; a bridge takes at most 1,023 ports),
# ROUNDS (20 pods measured per fill), PAR (8: parallel ADDs of the fill),
# CCNI_BIN / CCNI_CLI, PERF=DIR (each measured ADD and DEL also recorded
# with perf record -g into DIR/FILL-ROUND.add|del, for perf report;
# PERF_ALL=1: every CPU's work meanwhile, kernel threads too),
# STRACE=DIR (the same with strace -f -T: each system call's time),
# INSNS=1 (one more pod per fill under callgrind: the instructions ccni's
# processes execute in user space, a count no other work on the machine
# can inflate), SETTLE
# (0: seconds each round waits before its ADD, for the kernel's deferred
# work of the round before to finish), NO_MCAST_FLOOD=1 (the fill's
# bridge ports get no flooded multicast). Prints, per fill: medians of ADD
# and DEL as the runtime's caller sees them, each plugin's share (from the
# runtime's trace), the floor's, and ccni's time beyond the floor; the mean
# user and system CPU of the runtime and its plugins.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
FLOOR=${FLOOR:-$build/bench/floor}
FILLS=${FILLS:-0 1000} ROUNDS=${ROUNDS:-20} PAR=${PAR:-8}
[ "$(id -u)" -eq 0 ] || { echo "scale.sh: needs root" >&2; exit 2; }
[ -x "$BIN/bridge" ] && [ -x "$CLI" ] && [ -x "$FLOOR" ] || { echo "scale.sh: build first ($build)" >&2; exit 2; }

W=$(mktemp -d /tmp/ccni-scale.XXXXXX)
P=ccs$$
export W BIN CLI P
cleanup() {
	ls /run/netns | grep "^$P-" | sed 's/^/netns del /' | ip -force -batch - 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
med() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)]; else printf "-" }'; }

# pod H VERB NAME PORT: the ccni command in host namespace H for pod NAME
# mapping PORT (tcp and udp) to 80; the runtime's JSON trace to $W/trace.NAME.VERB
pod() {
	nsenter --net="/run/netns/$1" env NETCONFPATH="$W/net.d.$1" CNI_PATH="$BIN" CNI_CACHE_DIR="$W/cache.$1" CCNI_TRACE=json \
		CAP_ARGS="{\"portMappings\":[{\"hostPort\":$4,\"containerPort\":80,\"protocol\":\"tcp\"},{\"hostPort\":$4,\"containerPort\":80,\"protocol\":\"udp\"}]}" \
		${PRE:-} "$CLI" "$2" scale "/run/netns/$3" >/dev/null 2>"$W/trace.$3.$2"
}
export -f pod
fill_one() { ip netns add "$P-f$2" && pod "$1" add "$P-f$2" $((10000 + $2)) || echo "fill pod $2 failed: $(tail -1 "$W/trace.$P-f$2.add")"; }
export -f fill_one
now_us() { echo "${EPOCHREALTIME/./}"; }

# setup F: host namespace $P-hF with the network and F pods on its bridge
setup() {
	local H=$P-h$1
	ip netns add "$H"
	mkdir -p "$W/net.d.$H"
	cat >"$W/net.d.$H/scale.conflist" <<EOF
{"cniVersion":"1.1.0","name":"scale","plugins":[
 {"type":"bridge","bridge":"ccsb0","isGateway":true,"ipMasq":true,
  "ipam":{"type":"host-local","dataDir":"$W/ipam.$H","ranges":[[{"subnet":"10.196.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
 {"type":"portmap","capabilities":{"portMappings":true}}
]}
EOF
	seq 0 $(($1 - 1)) | xargs -r -P "$PAR" -I{} bash -c "fill_one $H {}"
	# the first pod makes the per-node tables and chains: not measured
	ip netns add "$P-warm$1" && pod "$H" add "$P-warm$1" 9999 && pod "$H" del "$P-warm$1" 9999
	ip netns del "$P-warm$1"
}
# round F R: one more pod's ADD and DEL on fill F (wall clock, and the CPU
# time of the runtime and its plugins), then the floor's
round() {
	local H=$P-h$1 ns=$P-m$1-$2 TIMEFORMAT='%3R %3U %3S'
	ip netns add "$ns"
	# SETTLE seconds for the previous round's deferred kernel work (the
	# namespace's cleanup, RCU callbacks of deleted links) to finish first
	sleep "${SETTLE:-0}"
	local rec=
	[ -n "${PERF:-}" ] && rec="perf record -q -g ${PERF_ALL:+-a} -o $PERF/$1-$2"
	[ -n "${STRACE:-}" ] && rec="strace -f -tt -T -o $STRACE/$1-$2"
	{ time PRE="$rec${rec:+.add --}" pod "$H" add "$ns" $((40000 + $2)); } 2>>"$W/add.$1"
	{ time PRE="$rec${rec:+.del --}" pod "$H" del "$ns" $((40000 + $2)); } 2>>"$W/del.$1"
	ip netns del "$ns"
	# the kernel floor on the same bridge, with the same ports
	nsenter --net="/run/netns/$H" "$FLOOR" -u -n 1 -b ccsb0 -o "$W/floor.json" >/dev/null
	jq .add_median_ms "$W/floor.json" >>"$W/fadd.$1"
	jq .del_median_ms "$W/floor.json" >>"$W/fdel.$1"
}
# insns F: one more pod's ADD and DEL on fill F under callgrind (every
# process of the runtime and its plugins): "ADD DEL" instruction totals
insns() {
	local H=$P-h$1 ns=$P-i$1 d=$W/cg.$1 v out=
	mkdir -p "$d"
	ip netns add "$ns"
	for v in add del; do
		PRE="valgrind -q --tool=callgrind --trace-children=yes --callgrind-out-file=$d/$v.%p" \
			pod "$H" "$v" "$ns" 45000
		out+="$(cat "$d/$v".* | awk '/^totals:/ { s += $2 } END { print s }') "
	done
	ip netns del "$ns"
	echo "$out" >"$W/insns.$1"
}

# wall FILE: the median wall-clock ms of bash's time lines; user FILE / sys
# FILE: the mean user / system CPU ms (the kernel counts CPU time by the
# tick, so one reading is coarse; a mean of many is close). User CPU is
# ccni's own code, the runtime's and its plugins'; system CPU is the
# kernel's work in their system calls, and the softirq work that ran while
# they did (a new port's packets flooded to the bridge's others is charged
# there).
wall() { awk '{ print $1 * 1000 }' "$1" | med; }
mean() { awk -v f="$2" '{ s += $f * 1000 } END { if (NR) printf "%.1f", s / NR; else printf "-" }' "$1"; }
user() { mean "$1" 2; }
sys() { mean "$1" 3; }
# share F VERB: each plugin's median from the runtime's trace
share() {
	local out= p
	for p in bridge portmap; do
		out+="$p $(cat "$W"/trace.$P-m$1-*."$2" | jq -r --arg p "$p" 'select(.step == "exec" and .plugin == $p) | .duration_ms' | med) "
	done
	echo "$out"
}

# teardown F: the fill's namespaces, then its host namespace
teardown() {
	ls /run/netns | grep "^$P-f" | sed 's/^/netns del /' | ip -force -batch - 2>/dev/null
	ip netns del "$P-h$1"
}

# One fill after the other: each is measured with only its own pods'
# namespaces on the machine, as on a node that holds that many (they
# count: the kernel looks a sysctl of "eth0" up among every namespace's).
for fill in $FILLS; do
	setup "$fill"
	# NO_MCAST_FLOOD=1: the fill's ports get no flooded multicast (what
	# each new pod's IPv6 DAD, MLD and router solicitations cost the
	# kernel, once per port of the bridge)
	[ -z "${NO_MCAST_FLOOD:-}" ] || ip -n "$P-h$fill" -o link show master ccsb0 |
		awk -F': ' '{ sub(/@.*/, "", $2); print "link set dev " $2 " mcast_flood off" }' |
		ip netns exec "$P-h$fill" bridge -batch -
	sleep 1 # let the fill's after-effects (detached closes, RCU work) settle
	for r in $(seq "$ROUNDS"); do round "$fill" "$r"; done
	[ -z "${INSNS:-}" ] || insns "$fill"
	teardown "$fill"
done
printf '%-6s %7s %6s %6s %7s %7s   %7s %6s %6s %7s %7s   %s\n' fill ADD user sys floor beyond DEL user sys floor beyond \
	"(medians, ms; user/sys: CPU, means; beyond: wall clock beyond the floor) per plugin: ADD / DEL"
for fill in $FILLS; do
	a=$(wall "$W/add.$fill") d=$(wall "$W/del.$fill") fa=$(med <"$W/fadd.$fill") fd=$(med <"$W/fdel.$fill")
	printf '%-6s %7s %6s %6s %7s %7s   %7s %6s %6s %7s %7s   %s/ %s\n' "$fill" \
		"$a" "$(user "$W/add.$fill")" "$(sys "$W/add.$fill")" "$fa" \
		"$(awk -v x="$a" -v y="$fa" 'BEGIN { printf "%.2f", x - y }')" \
		"$d" "$(user "$W/del.$fill")" "$(sys "$W/del.$fill")" "$fd" \
		"$(awk -v x="$d" -v y="$fd" 'BEGIN { printf "%.2f", x - y }')" "$(share "$fill" add)" "$(share "$fill" del)"
done
[ -z "${INSNS:-}" ] || for fill in $FILLS; do
	read -r ia id <"$W/insns.$fill"
	printf 'fill %s: user-space instructions of one more pod, ADD %s, DEL %s\n' "$fill" "$ia" "$id"
done
