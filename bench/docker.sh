#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/docker.sh [BUILD_DIR] — `docker run -d` until the container has its
# address, on a ccni network (ccni-docker, bridge + host-local + portmap)
# and on Docker's own bridge driver, alternating in the same private
# dockerd (the test harness's: tests/integration/docker-lib.sh; the
# machine's network, iptables and /var/lib/docker are not touched); N runs
# of each, medians. Then ccni-docker's own time per Join and Leave, from
# its log: the whole request, the CNI chain inside it, and the rest.
#
# Environment: N (20), OUT (bench/results). Run as root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
N=${N:-20}
OUT=${OUT:-$top/bench/results}
export CCNI_BIN=$build/stage/opt/cni/bin CCNI_CLI=$build/stage/usr/local/bin/ccni
[ -x "$CCNI_CLI" ] || { echo "bench: build first (bash scripts/build.sh $build)" >&2; exit 1; }
mkdir -p "$OUT"
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/docker-lib.sh"
skip() { echo "bench: $*" >&2; exit 0; }
T=$(mktemp -d /tmp/ccni-dbench.XXXXXX)
HOSTNS=$(mkns dbh)
set +u # docker-lib's helpers expect lib.sh's test environment
dk_start

dk_conf dnet 10.89.0.0/24
dk_net ccni dnet 10.89.0.0/24 >/dev/null
dk network create -d bridge --subnet 10.99.0.0/24 -o com.docker.network.bridge.name=dbr0 docker >/dev/null

now_ms() { date +%s%N | awk '{printf "%.3f", $1 / 1e6}'; }
# one NET: time `docker run -d`, check the address is there, remove it
one() {
	local net=$1 prefix=$2 t0 t1 id addr
	t0=$(now_ms)
	id=$(dk run -d --network "$net" bb sleep 1000)
	t1=$(now_ms)
	addr=$(dkx nsenter --net="$(dk_sandbox "$id")" ip -4 -o addr show eth0 | awk '{print $4}')
	[[ "$addr" == "$prefix"* ]] || { echo "bench: $net: no address in the container ($addr)" >&2; exit 1; }
	dk rm -f "$id" >/dev/null
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", b - a}'
}
median() { sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

one ccni 10.89.0. >/dev/null # warm-up: first activation, image cache
one docker 10.99.0. >/dev/null
: >"$T/ccni.ms"
: >"$T/docker.ms"
: >"$D/ccni-docker.log"
for i in $(seq 1 "$N"); do
	one ccni 10.89.0. >>"$T/ccni.ms"
	one docker 10.99.0. >>"$T/docker.ms"
done
cp "$D/ccni-docker.log" "$OUT/ccni-docker.log"
c=$(median <"$T/ccni.ms")
d=$(median <"$T/docker.ms")

# ccni-docker's log: "NetworkDriver.Join ...: 12.3 ms (CNI chain 8.1 ms)"
field() { # METHOD total|chain
	grep "NetworkDriver.$1 " "$D/ccni-docker.log" | sed -E 's/.*: ([0-9.]+) ms \(CNI chain ([0-9.]+) ms\)/\1 \2/' |
		awk -v f="$2" '{print (f == "total" ? $1 : f == "chain" ? $2 : $1 - $2)}' | median
}
jt=$(field Join total) jc=$(field Join chain) jo=$(field Join own)
lt=$(field Leave total) lc=$(field Leave chain) lo=$(field Leave own)

printf '\n%-34s %10s\n' "docker run -d, until the address" "median ms"
printf '%-34s %10s\n' "ccni network (ccni-docker)" "$c" "Docker's bridge driver" "$d"
printf '%-34s %10s\n' "ratio ccni / bridge" "$(awk -v a="$c" -v b="$d" 'BEGIN {printf "%.2f", a / b}')"
printf '\n%-12s %10s %10s %10s   (median ms of %d)\n' "ccni-docker" request "CNI chain" own "$N"
printf '%-12s %10s %10s %10s\n' Join "$jt" "$jc" "$jo" Leave "$lt" "$lc" "$lo"
cat >"$OUT/docker.json" <<EOF
{"runs": $N, "docker_run_ms": {"ccni": $c, "docker_bridge": $d},
 "join_ms": {"request": $jt, "chain": $jc, "own": $jo},
 "leave_ms": {"request": $lt, "chain": $lc, "own": $lo}}
EOF
