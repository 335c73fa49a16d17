#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# demo.sh — the main job, end to end: build ccni, then attach two network
# namespaces ("containers") to a ccni bridge network with addresses from
# host-local, show their addresses and routes, ping between them and to the
# gateway, detach them and clean up.
#
# Everything happens inside a private "host" namespace made for the demo, so
# the machine's own links, routes and firewall are never touched. Needs root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "demo.sh needs root (network namespaces)" >&2; exit 1; }
bash scripts/deps.sh
echo "building ccni ..."
bash scripts/build.sh "$top/build"

bin="$top/build/stage/opt/cni/bin"
cli="$top/build/stage/usr/local/bin/ccni"
work=$(mktemp -d /tmp/ccni-demo.XXXXXX)
id=$$
host="ccni-demo-host-$id" a="ccni-demo-a-$id" b="ccni-demo-b-$id"

cleanup() {
	set +e
	for ns in "$a" "$b"; do
		[ -e "/run/netns/$ns" ] && run ccni del demo "/run/netns/$ns" >/dev/null 2>&1
	done
	for ns in "$a" "$b" "$host"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/net.d"
cat >"$work/net.d/10-demo.conflist" <<JSON
{
  "cniVersion": "1.1.0",
  "name": "demo",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "ccni-demo0",
      "isGateway": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "10.88.7.0/24" }], [{ "subnet": "fd00:88:7::/64" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$work/ipam"
      }
    },
    { "type": "loopback" }
  ]
}
JSON

# run ARGS...: the ccni CLI inside the demo's host namespace, cnitool-style.
run() {
	ip netns exec "$host" env NETCONFPATH="$work/net.d" CNI_PATH="$bin" \
		CNI_CACHE_DIR="$work/cache" "$@"
}
PATH="$(dirname "$cli"):$PATH"

step() { printf '\n\033[1m%s\033[0m\n' "$*"; }

ip netns add "$host"
ip -n "$host" link set lo up
ip netns add "$a"
ip netns add "$b"

step "network config ($work/net.d/10-demo.conflist):"
cat "$work/net.d/10-demo.conflist"

step "ccni add demo /run/netns/$a"
run ccni add demo "/run/netns/$a"
step "ccni add demo /run/netns/$b"
run ccni add demo "/run/netns/$b" | jq -c '.ips'

addr_of() { ip -n "$1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }
ipa=$(addr_of "$a")
ipb=$(addr_of "$b")

step "container $a:"
ip -n "$a" -br addr
ip -n "$a" route
step "container $b:"
ip -n "$b" -br addr
step "bridge ccni-demo0 in the host namespace:"
ip -n "$host" -br addr show dev ccni-demo0
ip -n "$host" -br link show master ccni-demo0

step "$a -> $b ($ipb):"
ip netns exec "$a" ping -c 2 -W 2 "$ipb"
step "$b -> $a ($ipa):"
ip netns exec "$b" ping -c 2 -W 2 "$ipa"
step "$a -> gateway 10.88.7.1:"
ip netns exec "$a" ping -c 1 -W 2 10.88.7.1

step "ccni check demo /run/netns/$a"
run ccni check demo "/run/netns/$a" && echo "check: ok"

step "ccni del demo (both)"
run ccni del demo "/run/netns/$a"
run ccni del demo "/run/netns/$b"
echo "left on the bridge after DEL: $(ip -n "$host" -br link show master ccni-demo0 | wc -l) ports"
echo "addresses still reserved: $(find "$work/ipam/demo" -maxdepth 1 -name '10.*' -o -maxdepth 1 -name 'fd00*' | wc -l)"

step "demo finished: cleaning up namespaces"
