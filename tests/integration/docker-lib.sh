#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# docker-lib.sh — a real dockerd (Debian's docker.io 20.10) for one test,
# sourced after lib.sh. dk_start runs dockerd and ccni-docker inside the
# test's private host network namespace ($HOSTNS) and a private mount
# namespace held by an "anchor" process, with a tmpfs on /run (the plugin
# socket dir /run/docker/plugins is fixed in dockerd; the exec-root and
# containerd's sockets live there too) and on /etc/docker, the data-root
# and every CNI path under $T, vfs storage, no iptables, and a cgroup
# parent of the test's own. Nothing it starts can reach the machine's
# network namespace, iptables, /var/lib/docker or /etc/docker, and
# dk_stop_all (the EXIT trap) kills everything it started, also when the
# test fails: first gracefully, then by cgroup and by namespace.
#
# dkx CMD...   run CMD in the test's namespaces (where dockerd runs)
# dk ARGS...   /usr/bin/docker ARGS with a timeout (never the docker first
#              on PATH: another client may come first)

DOCKER=/usr/bin/docker
DOCKERD=${DOCKERD:-$(command -v dockerd || echo /usr/sbin/dockerd)}
CCNI_DOCKER=${CCNI_DOCKER:-$(dirname "$CCNI_CLI")/ccni-docker}
DK_TIMEOUT=${DK_TIMEOUT:-60}
here_dk=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

need_docker() {
	[ -x "$DOCKER" ] && [ -x "$DOCKERD" ] || skip "no dockerd/docker (apt-get install docker.io)"
	[ -x /bin/busybox ] || skip "no /bin/busybox (apt-get install busybox-static)"
	[ -x "$CCNI_DOCKER" ] || fail "no ccni-docker at $CCNI_DOCKER"
}

dkx() { nsenter -t "$DK_ANCHOR" -m -n -- "$@"; }
dk() {
	timeout -k 5 "$DK_TIMEOUT" nsenter -t "$DK_ANCHOR" -m -n -- env DOCKER_HOST=unix:///run/dtest.sock \
		DOCKER_CONFIG="$D/cfg" "$DOCKER" "$@"
}
# cli ARGS...: the ccni command on the test's conf dir, plugins and cache
cli() {
	dkx env NETCONFPATH="$D/net.d" CNI_PATH="$D/bin" CNI_CACHE_DIR="$D/cache" \
		${CCNI_CID:+CNI_CONTAINERID=$CCNI_CID} "$CCNI_CLI" "$@"
}

_dk_wait() { # TRIES CMD...: retry CMD every 0.1 s
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# The anchor: a process owning the private mount namespace (in $HOSTNS).
# /sys is remounted for $HOSTNS (as `ip netns exec` does) with the cgroup
# hierarchies moved over from the old one: dockerd needs them.
_dk_anchor() {
	mkdir -p "$D/cg"
	nsenter --net="/run/netns/$HOSTNS" unshare -m --propagation private sh -c '
		mount --rbind /sys/fs/cgroup "$1" && mount -t sysfs sysfs /sys &&
			mount --move "$1" /sys/fs/cgroup || exit 1
		mount -t tmpfs tmpfs /run && mkdir -p /run/docker/plugins /run/netns || exit 1
		if [ -d /etc/docker ]; then mount -t tmpfs tmpfs /etc/docker || exit 1; fi
		exec sleep 1000000' sh "$D/cg" </dev/null >/dev/null 2>&1 &
	DK_ANCHOR=$!
	echo "$DK_ANCHOR" >"$D/anchor.pid"
	_dk_wait 50 dkx test -d /run/docker/plugins || fail "the private namespaces did not come up"
}

# dk_plugin_dir: ccni's plugins plus the test plugins, in one CNI_PATH.
_dk_bin() {
	mkdir -p "$D/bin"
	local p
	for p in "$CCNI_BIN"/*; do ln -sf "$p" "$D/bin/"; done
	for p in "$here_dk"/plugins/*; do ln -sf "$p" "$D/bin/"; done
}

# dk_conf NAME SUBNET [EXTRA_PLUGINS_JSON]: a bridge + host-local conflist
# (bridge dk-NAME, routes to everywhere) in the test's conf dir.
dk_conf() {
	local name=$1 subnet=$2 extra=${3:-}
	cat >"$D/net.d/10-$name.conflist" <<EOF
{"cniVersion":"1.0.0","name":"$name","plugins":[
 {"type":"bridge","bridge":"b-$name","isGateway":true,"isDefaultGateway":true,
  "ipam":{"type":"host-local","dataDir":"$D/ipam","ranges":[[{"subnet":"$subnet"}]]}},
 {"type":"portmap","capabilities":{"portMappings":true}}${extra:+,$extra}]}
EOF
}

# (nsenter itself in the background, not dkx: $! is then the daemon's pid)
# Returns once it serves (its start-up collection done).
dk_ccni_start() {
	local n
	n=$(grep -c 'listening on' "$D/ccni-docker.log" 2>/dev/null) || true
	nsenter -t "$DK_ANCHOR" -m -n -- "$CCNI_DOCKER" --socket /run/docker/plugins/ccni.sock --conf-dir "$D/net.d" \
		--cni-path "$D/bin" --cache-dir "$D/cache" --state-dir "$D/state" \
		--timeout "${CD_TIMEOUT:-10000}" </dev/null >>"$D/ccni-docker.log" 2>&1 &
	DK_CCNI=$!
	echo "$DK_CCNI" >>"$D/pids"
	_dk_wait 100 _dk_serving "$((${n:-0} + 1))" || fail "ccni-docker did not start: $(tail -5 "$D/ccni-docker.log")"
}

_dk_serving() { [ "$(grep -c 'listening on' "$D/ccni-docker.log")" -ge "$1" ]; }

dk_ccni_kill() { # [SIGNAL]
	kill -"${1:-TERM}" "$DK_CCNI" 2>/dev/null
	wait "$DK_CCNI" 2>/dev/null || true
}

dk_dockerd_start() {
	# A dockerd killed with SIGKILL takes its containerd along; where pid 1
	# does not reap, that containerd stays a zombie that the pid file still
	# names, and the next dockerd waits for it forever.
	local cpid
	cpid=$(dkx cat /run/docker/containerd/containerd.pid 2>/dev/null) || true
	if [ -n "$cpid" ] && { [ ! -d "/proc/$cpid" ] || grep -q '^State:.*Z' "/proc/$cpid/status" 2>/dev/null; }; then
		dkx rm -f /run/docker/containerd/containerd.pid
	fi
	nsenter -t "$DK_ANCHOR" -m -n -- "$DOCKERD" --data-root "$D/root" --exec-root /run/docker --pidfile /run/dtest.pid \
		-H unix:///run/dtest.sock --bridge=none --iptables=false --ip6tables=false \
		--ip-masq=false --userland-proxy=false --storage-driver=vfs \
		--config-file "$D/daemon.json" --cgroup-parent "$DK_CGROUP" \
		</dev/null >>"$D/dockerd.log" 2>&1 &
	DK_DOCKERD=$!
	echo "$DK_DOCKERD" >>"$D/pids"
	_dk_wait 300 dk version || fail "dockerd did not start: $(tail -5 "$D/dockerd.log")"
}

dk_dockerd_stop() { # [SIGNAL]
	kill -"${1:-TERM}" "$DK_DOCKERD" 2>/dev/null
	local n=300
	while [ $n -gt 0 ] && kill -0 "$DK_DOCKERD" 2>/dev/null; do sleep 0.1; n=$((n - 1)); done
	kill -0 "$DK_DOCKERD" 2>/dev/null && kill -9 "$DK_DOCKERD"
	wait "$DK_DOCKERD" 2>/dev/null || true
}

# dk_start: namespaces, ccni-docker, dockerd, the busybox image "bb".
dk_start() {
	need_docker
	D=$T/d
	mkdir -p "$D/net.d" "$D/cfg" "$D/rootfs/bin" "$D/rootfs/www"
	echo '{}' >"$D/daemon.json"
	DK_CGROUP=/ccni-test-$(_t_uid)
	echo "$DK_CGROUP" >"$D/cgroup"
	trap 'dk_stop_all; _t_cleanup' EXIT
	_dk_bin
	_dk_anchor
	echo "$DK_ANCHOR" >>"$D/pids"
	dk_ccni_start
	dk_dockerd_start
	cp /bin/busybox "$D/rootfs/bin/"
	local a
	for a in sh ip ping sleep cat nc httpd wget ifconfig echo ls true; do
		ln -sf busybox "$D/rootfs/bin/$a"
	done
	echo "hello from docker" >"$D/rootfs/www/index.html"
	tar -C "$D/rootfs" -cf "$D/bb.tar" .
	dk import "$D/bb.tar" bb >/dev/null || fail "docker import failed"
}

# SIGKILL for what is left: our pids, the cgroup's (containers), $HOSTNS's.
_dk_kill_all() {
	local p cg c
	cg=$(cat "$D/cgroup" 2>/dev/null)
	# servers a test started in namespaces it made with `dkx ip netns add`
	for p in $(dkx ip netns list | awk '{print $1}'); do
		dkx ip netns pids "$p" | xargs -r kill -9
	done
	while read -r p; do kill -9 "$p"; done <"$D/pids"
	if [ -n "$cg" ]; then
		for c in /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}"; do
			[ -d "$c" ] && find "$c" -name cgroup.procs -exec cat {} + | xargs -r kill -9
		done
	fi
	ip netns pids "$HOSTNS" | xargs -r kill -9
	while read -r p; do wait "$p"; done <"$D/pids"
	sleep 0.2
	if [ -n "$cg" ]; then
		for c in /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}"; do
			[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} +
		done
	fi
}

# Everything the test started goes, whatever state it is in.
dk_stop_all() {
	set +e
	[ -n "${D:-}" ] && [ -f "$D/anchor.pid" ] || return 0
	DK_ANCHOR=$(cat "$D/anchor.pid")
	if [ -n "${DK_DOCKERD:-}" ] && kill -0 "$DK_DOCKERD" 2>/dev/null; then
		DK_TIMEOUT=20 dk rm -f $(DK_TIMEOUT=10 dk ps -aq 2>/dev/null) >/dev/null 2>&1
		dk_dockerd_stop
	fi
	_dk_kill_all 2>/dev/null
	return 0
}

# dk_eid CONTAINER NETWORK: the endpoint id (= the CNI container id).
dk_eid() { dk inspect -f "{{(index .NetworkSettings.Networks \"$2\").EndpointID}}" "$1"; }
dk_ip() { dk inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }
# dk_stop NAME: docker stop, then wait for Docker's network teardown of
# it (Leave, DeleteEndpoint, ReleaseAddress), which can finish after the
# stop request has returned: its endpoint and address records are gone.
dk_stop() {
	local eids e
	eids=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.EndpointID}} {{end}}' "$1")
	dk stop -t 1 "$1" >/dev/null || return 1
	for e in $eids; do
		_dk_wait 100 _dk_detached "$e" || fail "endpoint ${e:0:12} of $1 not torn down"
	done
}
_dk_detached() {
	[ ! -e "$D/state/endpoints/$1.json" ] && ! grep -rqs "^$1\$" "$D/state/addresses"
}
dk_running() { [ "$(DK_TIMEOUT=5 dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
dk_sandbox() { dk inspect -f '{{.NetworkSettings.SandboxKey}}' "$1"; }
# in_dk_ctr CONTAINER CMD...: run CMD in the container's network namespace
in_ctr_net() {
	local c=$1
	shift
	dkx nsenter --net="$(dk_sandbox "$c")" "$@"
}
# dk_net NAME CNINET SUBNET: the explicit form of network create
dk_net() {
	dk network create -d ccni --ipam-driver ccni --subnet "$3" --opt cni.network="$2" \
		--ipam-opt cni.network="$2" "$1"
}
# store_owner NET IP: the owner line of host-local's reservation file
store_owner() { head -1 "$D/ipam/$1/$2" 2>/dev/null | tr -d '\r'; }
