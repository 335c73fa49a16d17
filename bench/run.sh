#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/run.sh — every benchmark, ccni side by side with Debian's Go
# reference plugins (/usr/lib/cni, package containernetworking-plugins), in
# private network namespaces (the machine's own network is not touched).
#
#   bash bench/run.sh [BUILD_DIR]      (default: build; run as root)
#
# Environment: PODS (20), ROUNDS (3), PAR (8), SCALE ("1 100 1000"), N (20, docker runs),
# REF (/usr/lib/cni), OUT (bench/results). Prints the tables and writes
# JSON reports under OUT.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
bin=$build/stage/opt/cni/bin
REF=${REF:-/usr/lib/cni}
PODS=${PODS:-20} ROUNDS=${ROUNDS:-3} PAR=${PAR:-8}
SCALE=${SCALE:-1 100 1000}
OUT=${OUT:-$top/bench/results}
mkdir -p "$OUT" /run/cnibench
[ -x "$bin/bridge" ] || { echo "bench: build first (bash scripts/build.sh $build)" >&2; exit 1; }
[ -x "$REF/bridge" ] || { echo "bench: no reference plugins in $REF (apt-get install containernetworking-plugins)" >&2; exit 1; }

made=()
mkns() { ip netns add "$1"; ip -n "$1" link set lo up; made+=("$1"); }
cleanup() {
	local n
	for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf /run/cnibench
}
trap cleanup EXIT
ns=cnib$$

echo "== kernel floor (the netlink work of a bridge attachment, in one process)"
mkns "${ns}f"
ip netns exec "${ns}f" "$build/bench/floor" -n "$PODS" -o "$OUT/floor.json"

echo
echo "== bridge + host-local: $PODS pods x $ROUNDS rounds, then $PAR parallel ADDs"
mkns "${ns}b"
ip netns exec "${ns}b" "$build/bench/cnibench" -n "$PODS" -r "$ROUNDS" -p "$PAR" \
	-o "$OUT/bridge.json" "$top/bench/conf/bridge.json" ref="$REF" ccni="$bin"

echo
echo "== macvlan + host-local: $PODS pods x $ROUNDS rounds, then $PAR parallel ADDs"
mkns "${ns}m"
# the master: one end of a veth pair, both ends up (the macvlans get carrier)
ip -n "${ns}m" link add cnibm0 type veth peer name cnibm0p
ip -n "${ns}m" link set cnibm0 up
ip -n "${ns}m" link set cnibm0p up
ip netns exec "${ns}m" "$build/bench/cnibench" -n "$PODS" -r "$ROUNDS" -p "$PAR" \
	-o "$OUT/macvlan.json" "$top/bench/conf/macvlan.json" ref="$REF" ccni="$bin"

echo
echo "== chain: bridge(ipMasq) + host-local + portmap(2 mappings) + bandwidth + tuning"
mkns "${ns}c"
ip netns exec "${ns}c" "$build/bench/cnibench" -n "$PODS" -r "$ROUNDS" \
	-o "$OUT/chain.json" "$top/bench/conf/chain.conflist" ref="$REF" ccni="$bin"

echo
bash "$top/bench/dhcp.sh" "$build"

echo
echo "== host-device + host-local: $PODS pods x $ROUNDS rounds (a veth per pod moved in and back)"
mkns "${ns}d"
for i in $(seq 0 $((PODS - 1))); do
	d=$(printf 'hdb%04d' "$i")
	ip -n "${ns}d" link add "$d" type veth peer name "${d}p"
	ip -n "${ns}d" link set "$d" up
done
ip netns exec "${ns}d" "$build/bench/cnibench" -n "$PODS" -r "$ROUNDS" \
	-o "$OUT/host-device.json" "$top/bench/conf/host-device.json" ref="$REF" ccni="$bin"
# what the kernel alone takes to move a device in and back (its RCU waits)
mkns "${ns}m"
ip netns exec "${ns}m" "$build/bench/floor" -m -n "$PODS" -o "$OUT/floor-host-device.json"

echo
echo "== the runtime's own cost per attachment (no-op plugin)"
mkdir -p /run/cnibench/noop
cp "$build/examples/noop" /run/cnibench/noop/
mkns "${ns}r"
"$build/bench/rtbench" -n 200 -c 0,1000,10000 /run/cnibench/noop "/run/netns/${ns}r"

echo
echo "== portmap ADD+DEL of one container with N containers already mapped"
# pm_conf CID HOSTPORT IP: a portmap config whose prevResult gives IP
pm_conf() {
	printf '{"cniVersion":"1.0.0","name":"scale","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":%s,"containerPort":80,"protocol":"tcp"}]},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"interface":0,"address":"%s/16"}]}}' "$2" "$3"
}
printf '%-6s %8s %12s %12s\n' set mapped add-med-ms del-med-ms
for set in ref ccni; do
	dir=$bin
	[ $set = ref ] && dir=$REF
	h="${ns}s$set"
	mkns "$h"
	have=0
	for n in $SCALE; do
		while [ "$have" -lt "$n" ]; do
			pm_conf "fill$have" $((20000 + have)) "10.77.$((have / 250)).$((have % 250 + 2))" |
				ip netns exec "$h" env -i CNI_COMMAND=ADD CNI_CONTAINERID="fill$have" \
					CNI_NETNS=/proc/1/ns/net CNI_IFNAME=eth0 CNI_PATH="$dir" \
					PATH=/usr/sbin:/usr/bin:/sbin:/bin "$dir/portmap" >/dev/null
			have=$((have + 1))
		done
		# let the fill's after-effects settle (the kernel frees what
		# nftables clients released a grace period later) before measuring
		sleep 1
		pm_conf x 8080 10.78.0.2 >/run/cnibench/pm.json
		ip netns exec "$h" "$build/bench/cnibench" -n 1 -r 20 -o "$OUT/portmap-$set-$n.json" \
			/run/cnibench/pm.json "$set=$dir" >/dev/null
		jq -r --arg n "$n" --arg s "$set" '.sets[0] | "\($s) \($n) \(.add_median_ms) \(.del_median_ms)"' \
			"$OUT/portmap-$set-$n.json" | xargs printf '%-6s %8s %12.2f %12.2f\n'
	done
done

echo
echo "== installed size"
printf 'reference %s: %s\n' "$REF" "$(du -shL "$REF" | cut -f1)"
printf 'ccni      %s: %s (one multi-call binary, %s plugin names)\n' "$bin" \
	"$(du -sh "$bin/ccni-plugin" | cut -f1)" "$(find "$bin" -type l | wc -l)"

echo
echo "== docker run -d on a ccni network vs Docker's bridge driver (ccni-docker)"
if [ -x /usr/bin/docker ] && command -v dockerd >/dev/null; then
	OUT=$OUT bash "$top/bench/docker.sh" "$build"
else
	echo "(skipped: no docker.io)"
fi
