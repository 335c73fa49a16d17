#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/concurrency.sh — many ADDs at once with GC running throughout, then
# as many DELs, on one network with the chain bridge(ipMasq, macspoofchk)
# + host-local + portmap (tcp+udp) + firewall + tuning + bandwidth, through
# the ccni command as a runtime drives it:
#   - PODS ADDs, PAR at a time, while `ccni gc` runs in a loop (the cache is
#     its list of valid attachments: an ADD that has not cached its result
#     yet is in flight, and GC must not take it);
#   - then every pod whose ADD printed a result is checked, object by
#     object: its cache entry, its eth0 with its address in its namespace,
#     its reservation, its host veth, ifb, masquerade, port mappings and
#     firewall elements (a pod missing any is lost), and no address is
#     given twice;
#   - then PODS DELs, PAR at a time, with GC still running, and the node is
#     compared with what it was before: nothing may be left.
#
#   bash bench/concurrency.sh [BUILD_DIR]      (root; default BUILD_DIR: build)
#
# Environment: PODS (1000), PAR (32), CCNI_BIN / CCNI_CLI. Everything is in
# a private host namespace. Prints the figures and exits 1 on any lost pod,
# duplicate address, failed command or leftover.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
PODS=${PODS:-1000} PAR=${PAR:-32}
[ "$(id -u)" -eq 0 ] || { echo "concurrency.sh: needs root" >&2; exit 2; }
[ -x "$BIN/bridge" ] && [ -x "$CLI" ] || { echo "concurrency.sh: build first ($build)" >&2; exit 2; }

W=$(mktemp -d /tmp/ccni-conc.XXXXXX)
H=ccch$$ NET=concnet BR=cccb$$ P=ccc$$
cleanup() {
	[ -f "$W/gc.pid" ] && kill "$(cat "$W/gc.pid")" 2>/dev/null
	for i in $(seq "$PODS"); do echo "netns del $P-$i"; done | ip -force -batch - 2>/dev/null
	ip netns del "$H" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$H" && ip -n "$H" link set lo up
mkdir -p "$W/net.d" "$W/cache" "$W/ipam" "$W/tuning" "$W/res" "$W/err"
full_chain "$NET" "$BR" "$W" 10.198 >"$W/net.d/$NET.conflist"
export H W NET CLI BIN P
# pod VERB I: the ccni command for pod I (host port 20000+I, tcp and udp).
pod() {
	local port=$((20000 + $2))
	ip netns exec "$H" env NETCONFPATH="$W/net.d" CNI_PATH="$BIN" CNI_CACHE_DIR="$W/cache" \
		CAP_ARGS="{\"portMappings\":[{\"hostPort\":$port,\"containerPort\":80,\"protocol\":\"tcp\"},{\"hostPort\":$port,\"containerPort\":80,\"protocol\":\"udp\"}]}" \
		"$CLI" "$1" "$NET" "/run/netns/$P-$2" >"$W/res/$1.$2" 2>"$W/err/$1.$2" || { rm -f "$W/res/$1.$2"; return 0; }
}
export -f pod
gc() { ip netns exec "$H" env ${CCNI_TRACE:+CCNI_TRACE=$CCNI_TRACE} NETCONFPATH="$W/net.d" CNI_PATH="$BIN" CNI_CACHE_DIR="$W/cache" "$CLI" gc "$NET"; }
# gc_loop: GC after GC until $W/stop exists; one line per GC in $W/gc.log
gc_loop() {
	local t0
	while [ ! -e "$W/stop" ]; do
		t0=$(now_ms)
		if gc 2>>"$W/gc.err"; then echo "ok $(($(now_ms) - t0))" >>"$W/gc.log"; else echo fail >>"$W/gc.log"; fi
	done
}

echo "concurrency: $PODS pods, $PAR at a time, GC throughout; work dir $W"
snapshot() { { state_kernel "$H"; state_ipam "$W/ipam"; state_files tuning-backup "$W/tuning"; state_files cache "$W/cache/results"; } | sort >"$1"; }
snapshot "$W/empty"
for i in $(seq "$PODS"); do echo "netns add $P-$i"; done | ip -batch -

# phase VERB: all pods' VERB, PAR at a time, with the GC loop beside it
phase() {
	rm -f "$W/stop" "$W/gc.log"
	gc_loop &
	echo $! >"$W/gc.pid"
	local t0
	t0=$(now_ms)
	seq "$PODS" | xargs -P "$PAR" -I{} bash -c "pod $1 {}"
	elapsed=$(($(now_ms) - t0))
	touch "$W/stop"
	wait "$(cat "$W/gc.pid")"
	rm -f "$W/gc.pid"
	gcs=$(grep -c ok "$W/gc.log" 2>/dev/null) gcfail=$(grep -c fail "$W/gc.log" 2>/dev/null)
	gcms=$(awk '$1 == "ok" { s += $2; n++ } END { printf "%d", n ? s / n : 0 }' "$W/gc.log")
}

phase add
added=$(ls "$W/res" | grep -c '^add\.')
echo "ADD: $added of $PODS printed a result in $((elapsed / 1000)).$((elapsed % 1000 / 100)) s ($((added * 1000 / (elapsed + 1))) pods/s), $gcs GCs ran beside them (${gcfail:-0} failed, $gcms ms each on average, lock wait included)"
t0=$(now_ms)
CCNI_TRACE=json gc 2>"$W/gc.trace" || echo "a GC alone failed"
echo "a GC alone with $added pods: $(($(now_ms) - t0)) ms ($(jq -r 'select(.step == "exec") | "\(.plugin) \(.duration_ms | floor)"' "$W/gc.trace" | paste -sd, | sed 's/,/, /g') ms)"
failed_adds=$((PODS - added))
[ "$failed_adds" -gt 0 ] && { echo "failed ADDs:"; for f in "$W"/err/add.*; do [ -e "$W/res/${f##*/}" ] || sed "s|^|    ${f##*/}: |" "$f"; done | head -10; }
gc || echo "the GC after the ADDs failed"

# every pod with a result: its own objects, all of them
ip netns exec "$H" nft -j list ruleset | jq -r '.nftables[] | (.set // .map) | select(.) | . as $s |
	(.elem // [])[] | "\($s.table) \($s.name) \(tojson)"' >"$W/elems"
ip -n "$H" -j link show >"$W/links.json"
jq -r '.[] | .ifalias // empty' "$W/links.json" | sort >"$W/aliases"
grep '^ccni_masq src4 ' "$W/elems" >"$W/masq"
grep '^ccni_portmap dnat4 ' "$W/elems" >"$W/dnat"
grep '^ccni_firewall addr4 ' "$W/elems" >"$W/fw"
lost=0
: >"$W/addrs"
for f in "$W"/res/add.*; do
	i=${f##*.} ns=$P-$i id=$(cnitool_id "/run/netns/$P-$i")
	a=$(jq -r '.ips[0].address | split("/")[0]' "$f")
	echo "$a" >>"$W/addrs"
	why=
	[ -f "$W/cache/results/$NET-$id-eth0" ] || why+=" cache"
	ip -n "$ns" -j addr show eth0 2>/dev/null | jq -e --arg a "$a" 'any(.[0].addr_info[]; .local == $a)' >/dev/null || why+=" eth0-address"
	[ "$(head -1 "$W/ipam/$NET/$a" 2>/dev/null | tr -d '\r')" = "$id" ] || why+=" reservation"
	grep -qxF "$NET $id eth0" "$W/aliases" || why+=" host-veth"
	grep -qF "\"$a\"" "$W/masq" || why+=" masquerade"
	[ "$(grep -F "\"$a\"" "$W/dnat" | grep -cF "$((20000 + i))")" -eq 2 ] || why+=" port-mappings"
	grep -qF "\"$a\"" "$W/fw" || why+=" firewall"
	[ -n "$why" ] && { lost=$((lost + 1)); [ "$lost" -le 10 ] && echo "lost pod $i ($a):$why"; }
done
ifbs=$(jq '[.[] | select(.link_type == "ether" and (.ifname | startswith("bwp")))] | length' "$W/links.json")
dups=$(sort "$W/addrs" | uniq -d | wc -l)
echo "after the ADDs: $lost lost pods, $dups duplicate addresses, $ifbs ifbs for $added pods"
[ "$ifbs" -eq "$added" ] || lost=$((lost + 1))

phase del
dels=$(ls "$W/res" | grep -c '^del\.')
echo "DEL: $dels of $PODS succeeded in $((elapsed / 1000)).$((elapsed % 1000 / 100)) s ($((dels * 1000 / (elapsed + 1))) pods/s), $gcs GCs ran beside them (${gcfail:-0} failed, $gcms ms each on average, lock wait included)"
failed_dels=$((PODS - dels))
snapshot "$W/end"
# per-node setup (tables, chains, rules, the bridge) stays
state_diff "$W/empty" "$W/end" | grep '^+' | grep -v "^+nft-\(table\|chain\|rule\)" |
	grep -v "^+link-bridge	$BR " | grep -v "^+ipam-file	$NET/\(lock\|last_reserved_ip\.0\)$" >"$W/left"
left=$(wc -l <"$W/left")
echo "left after the DELs: $left"
sed 's/^/    /' "$W/left" | head -10
echo
echo "concurrency: $PODS pods, $added added, $lost lost, $dups duplicate addresses, $failed_adds failed ADDs, $failed_dels failed DELs, $left left"
[ "$lost" -eq 0 ] && [ "$dups" -eq 0 ] && [ "$failed_adds" -eq 0 ] && [ "$failed_dels" -eq 0 ] && [ "$left" -eq 0 ]
