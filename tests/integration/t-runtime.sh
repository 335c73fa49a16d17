#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The runtime and the ccni CLI: cnitool-compatible verbs, the libcni cache,
# chaining, capabilities, version selection, aggregation, timeouts, crashes,
# GC, and ccni's own commands.
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
EXAMPLES=${CCNI_EXAMPLES:-$CCNI_BIN/../../../../examples}

# setup: a conf dir, a plugin dir (ccni's plugins + test plugins), a cache.
setup() {
	mkdir -p "$T/net.d" "$T/bin" "$T/cache"
	cp "$here"/plugins/* "$T/bin/"
	cp "$here/../../examples/script-plugin.sh" "$T/bin/script"
	[ -x "$EXAMPLES/noop" ] && cp "$EXAMPLES/noop" "$T/bin/noop"
	export NETCONFPATH=$T/net.d CNI_PATH=$T/bin:$CCNI_BIN CNI_CACHE_DIR=$T/cache
}
# cli ARGS...: the ccni CLI in the test's host netns ($CLI_GUARD: a prefix,
# e.g. "timeout 60" where a test shows that a call does not hang).
cli() {
	${CLI_GUARD:-} ip netns exec "$HOSTNS" env NETCONFPATH="$NETCONFPATH" CNI_PATH="$CNI_PATH" \
		CNI_CACHE_DIR="$CNI_CACHE_DIR" ${CAP_ARGS:+CAP_ARGS="$CAP_ARGS"} \
		${CNI_ARGS_T:+CNI_ARGS="$CNI_ARGS_T"} $CCNI_WRAP "$CCNI_CLI" "$@" 2>"${CLI_ERR:-$T/cli.err}"
}
# wait_until CMD...: poll until CMD succeeds (a minute at most: a guard
# against a hang, not a measure of time).
wait_until() {
	local i
	for i in $(seq 1200); do "$@" && return 0; sleep 0.05; done
	fail "never happened: $*"
}
# gc_waits_on LOCKFILE: an exclusive flock on it is blocked (a GC waiting).
gc_waits_on() {
	local ino
	ino=$(stat -c %i "$1")
	grep -Eq -- "-> FLOCK +ADVISORY +WRITE +[0-9]+ +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}
netconf() { # NAME VERSION PLUGINS-JSON [EXTRA]
	printf '{"cniVersion":"%s","name":"%s","plugins":%s%s}' "$2" "$1" "$3" "${4:-}" >"$T/net.d/$1.conflist"
}
cnitool_id() { printf 'cnitool-%s' "$(printf '%s' "$1" | sha512sum | cut -c1-20)"; }

test_every_command_has_help_and_a_man_page() {
	man=$(cd "$(dirname "$0")/../../docs/man" && pwd)
	for c in add check del status gc list validate version show exec reload; do
		out=$("$CCNI_CLI" "$c" --help) || fail "$c --help failed"
		assert_contains "$out" "Usage: ccni $c"
		assert_eq "$("$CCNI_CLI" help "$c")" "$out" "ccni help $c"
		[ -f "$man/ccni-$c.1" ] || fail "no man page for $c"
		head -1 "$man/ccni-$c.1" | grep -q "^.TH CCNI.-$(tr a-z A-Z <<<"$c") 1" || fail "ccni-$c.1 title"
		if command -v groff >/dev/null; then
			w=$(groff -man -Tutf8 -ww -z "$man/ccni-$c.1" 2>&1)
			assert_eq "$w" "" "groff warnings for ccni-$c.1"
		fi
	done
	assert_contains "$("$CCNI_CLI" --help)" "Commands (cnitool-compatible)"
	out=$("$CCNI_CLI" nosuch 2>&1) && fail "unknown command accepted"
	assert_contains "$out" 'unknown command "nosuch"'
}

test_add_check_del_with_cache_in_libcni_format() {
	setup
	netconf chain 1.0.0 "[{\"type\":\"loopback\"},{\"type\":\"script\",\"log\":\"$T/log\"}]"
	out=$(cli add chain "$NETNS_PATH")
	jq_eq "$out" '.interfaces[0].name' lo
	id=$(cnitool_id "$NETNS_PATH")
	f="$T/cache/results/chain-$id-eth0"
	[ -f "$f" ] || fail "no cache file $f"
	c=$(cat "$f")
	jq_eq "$c" '.kind' cniCacheV1
	jq_eq "$c" '.containerId' "$id"
	jq_eq "$c" '.ifName' eth0
	jq_eq "$c" '.networkName' chain
	jq_eq "$c" '.netns' "$NETNS_PATH"
	jq_eq "$c" '.result.interfaces[0].name' lo
	assert_eq "$(jq -r .config <<<"$c" | base64 -d)" "$(cat "$T/net.d/chain.conflist")" "cached config bytes"
	cli check chain "$NETNS_PATH"
	cli del chain "$NETNS_PATH"
	[ ! -e "$f" ] || fail "cache entry left after DEL"
	# The script plugin saw ADD without prevResult (loopback's result came
	# first), then CHECK and DEL with the cached result.
	assert_eq "$(awk '{print $1, $5}' "$T/log" | xargs)" "ADD prev CHECK prev DEL prev"
	cli del chain "$NETNS_PATH" # twice: no cache, still fine
	jq_eq "$(in_ns "$NETNS" ip -j link show lo)" '.[0].flags | index("UP") == null' true
}

test_del_survives_corrupt_cache() {
	setup
	netconf c 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\"}]"
	cli add c "$NETNS_PATH" >/dev/null
	: >"$T/cache/results/c-$(cnitool_id "$NETNS_PATH")-eth0"
	cli --trace del c "$NETNS_PATH"
	assert_contains "$(cat "$T/cli.err")" "no prevResult"
	assert_eq "$(tail -1 "$T/log" | awk '{print $1, $5}')" "DEL -"
}

test_reads_a_cache_written_by_libcni() {
	setup
	netconf c 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\",\"dump\":\"$T/dump\"}]"
	id=$(cnitool_id "$NETNS_PATH")
	mkdir -p "$T/cache/results"
	cfg=$(base64 -w0 "$T/net.d/c.conflist")
	printf '{"kind":"cniCacheV1","containerId":"%s","config":"%s","ifName":"eth0","networkName":"c","netns":"%s","result":{"cniVersion":"1.0.0","ips":[{"address":"10.7.0.9/24"}],"dns":{}}}' \
		"$id" "$cfg" "$NETNS_PATH" >"$T/cache/results/c-$id-eth0"
	cli check c "$NETNS_PATH"
	jq_eq "$(cat "$T/dump")" '.prevResult.ips[0].address' 10.7.0.9/24
	cli del c "$NETNS_PATH"
	jq_eq "$(cat "$T/dump")" '.prevResult.ips[0].address' 10.7.0.9/24
}

test_capabilities_become_runtime_config() {
	setup
	netconf cap 1.0.0 "[{\"type\":\"script\",\"dump\":\"$T/dump\",\"log\":\"$T/log\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false,\"custom\":true}}]"
	CAP_ARGS='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"bandwidth":{"ingressRate":1},"custom":{"x":1},"ips":["10.0.0.1/24"]}' \
		cli add cap "$NETNS_PATH" >/dev/null
	d=$(cat "$T/dump")
	jq_eq "$d" '.runtimeConfig | keys | join(",")' "custom,portMappings"
	jq_eq "$d" '.runtimeConfig.portMappings[0].hostPort' 8080
	jq_eq "$d" '.name' cap
	jq_eq "$d" '.cniVersion' 1.0.0
	c=$(cat "$T/cache/results/cap-$(cnitool_id "$NETNS_PATH")-eth0")
	jq_eq "$c" '.capabilityArgs.bandwidth.ingressRate' 1
}

test_cni_args_reach_plugins_and_cache() {
	setup
	netconf a 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\"}]"
	CNI_ARGS_T='K8S_POD_NAME=web;K8S_POD_NAMESPACE=prod' cli add a "$NETNS_PATH" >/dev/null
	c=$(cat "$T/cache/results/a-$(cnitool_id "$NETNS_PATH")-eth0")
	jq_eq "$c" '.cniArgs | map(join("=")) | join(";")' "K8S_POD_NAME=web;K8S_POD_NAMESPACE=prod"
}

test_version_selection_prefers_cni_versions() {
	setup
	netconf v 0.3.1 "[{\"type\":\"script\",\"dump\":\"$T/dump\",\"log\":\"$T/log\"}]" ',"cniVersions":["0.4.0","1.1.0","9.9.9"]'
	cli add v "$NETNS_PATH" >/dev/null
	jq_eq "$(cat "$T/dump")" '.cniVersion' 1.1.0
}

test_aggregates_plugins_from_network_folder() {
	setup
	printf '{"cniVersion":"1.1.0","name":"agg"}' >"$T/net.d/agg.conflist"
	mkdir -p "$T/net.d/agg"
	printf '{"type":"script","log":"%s"}' "$T/log" >"$T/net.d/agg/10-script.conf"
	cli add agg "$NETNS_PATH" >/dev/null
	assert_eq "$(awk '{print $1}' "$T/log")" "ADD"
	printf '{"cniVersion":"1.1.0","name":"inl","loadOnlyInlinedPlugins":true,"plugins":[{"type":"loopback"}]}' >"$T/net.d/inl.conflist"
	mkdir -p "$T/net.d/inl"
	printf '{"type":"script","log":"%s/log2"}' "$T" >"$T/net.d/inl/10-script.conf"
	cli add inl "$NETNS_PATH" >/dev/null
	[ ! -e "$T/log2" ] || fail "aggregated plugin ran despite loadOnlyInlinedPlugins"
}

test_single_conf_file_and_default_network() {
	setup
	printf '{"cniVersion":"1.0.0","name":"single","type":"loopback"}' >"$T/net.d/10-single.conf"
	out=$(cli add single "$NETNS_PATH")
	jq_eq "$out" '.interfaces[0].name' lo
	c=$(cat "$T/cache/results/single-$(cnitool_id "$NETNS_PATH")-eth0")
	jq_eq "$(jq -r .config <<<"$c" | base64 -d)" '.plugins[0].type' loopback
}

test_plugin_timeout_is_reported() {
	setup
	netconf slow 1.0.0 '[{"type":"sleeper"}]'
	start=$(date +%s)
	cli --timeout 300 add slow "$NETNS_PATH" && fail "hung plugin succeeded"
	[ $(($(date +%s) - start)) -lt 10 ] || fail "timeout not enforced"
	assert_contains "$(cat "$T/cli.err")" 'plugin "sleeper" ADD timed out after 300 ms'
}

test_plugin_crash_is_reported() {
	setup
	netconf crash 1.0.0 '[{"type":"crasher"}]'
	out=$(cli --json add crash "$NETNS_PATH") && fail "crash succeeded"
	jq_eq "$out" '.code' 102
	assert_contains "$(jq -r .msg <<<"$out")" 'plugin "crasher" ADD was killed by signal 11'
	assert_contains "$(jq -r .details <<<"$out")" "about to crash"
}

test_plugin_stderr_in_details() {
	setup
	netconf b 1.0.0 '[{"type":"babbler"}]'
	out=$(cli --json add b "$NETNS_PATH") && fail "failure succeeded"
	assert_contains "$(jq -r .msg <<<"$out")" "exited with status 3"
	assert_contains "$(jq -r .details <<<"$out")" "the disk is on fire"
}

test_plugin_error_passes_up_with_its_code() {
	setup
	netconf e 1.0.0 '[{"type":"noop","fail":42}]'
	[ -x "$T/bin/noop" ] || skip "examples not built"
	out=$(cli --json add e "$NETNS_PATH") && fail "failure succeeded"
	jq_eq "$out" '.code' 42
	assert_contains "$(jq -r .msg <<<"$out")" 'plugin "noop" ADD: noop: failing with code 42'
	[ ! -e "$T/cache/results/e-$(cnitool_id "$NETNS_PATH")-eth0" ] || fail "cache written for a failed ADD"
}

test_missing_plugin_names_type_and_path() {
	setup
	netconf m 1.0.0 '[{"type":"nonexistent"}]'
	cli add m "$NETNS_PATH" && fail "missing plugin succeeded"
	assert_contains "$(cat "$T/cli.err")" 'failed to find plugin "nonexistent" in path'
}

test_type_with_slash_is_rejected() {
	setup
	netconf s 1.0.0 '[{"type":"../../bin/sh"}]'
	cli add s "$NETNS_PATH" && fail "type with / accepted"
	assert_contains "$(cat "$T/cli.err")" 'invalid plugin type'
}

test_a_2_mib_config_runs_and_one_over_64_mib_is_refused() {
	setup
	pad=$(head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x')
	netconf big 1.0.0 "[{\"type\":\"loopback\",\"pad\":\"$pad\"},{\"type\":\"script\",\"log\":\"$T/log\"}]"
	out=$(cli add big "$NETNS_PATH")
	jq_eq "$out" '.interfaces[0].name' lo
	f="$T/cache/results/big-$(cnitool_id "$NETNS_PATH")-eth0"
	cmp <(jq -r .config "$f" | base64 -d) "$T/net.d/big.conflist" || fail "cached config bytes differ"
	cli check big "$NETNS_PATH"
	cli del big "$NETNS_PATH"
	assert_eq "$(awk '{print $1, $5}' "$T/log" | xargs)" "ADD prev CHECK prev DEL prev"
	rm "$T/net.d/big.conflist"
	# one byte over the bound: refused from its size, naming the limit
	c='{"cniVersion":"1.0.0","name":"huge","plugins":[{"type":"loopback"}]}'
	{ printf '%s' "$c"; head -c $((64 * 1024 * 1024 + 1 - ${#c})) /dev/zero | tr '\0' ' '; } >"$T/net.d/huge.conflist"
	out=$(cli --json add huge "$NETNS_PATH") && fail "a config over 64 MiB was accepted"
	jq_eq "$out" '.code' 107
	assert_contains "$(jq -r .msg <<<"$out")" "huge.conflist: cannot read: larger than the limit of 67108864 bytes (64 MiB)"
}

test_fifo_in_the_cache_or_conf_dir_never_hangs() {
	setup
	netconf f 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\"}]"
	e="$T/cache/results/f-$(cnitool_id "$NETNS_PATH")-eth0"
	mkdir -p "$T/cache/results" "$T/cache/locks"
	mkfifo "$e"
	export CLI_GUARD="timeout 60"
	rc=0
	cli check f "$NETNS_PATH" || rc=$?
	[ $rc -ne 124 ] || fail "CHECK hung on a FIFO in the cache"
	[ $rc -ne 0 ] || fail "CHECK passed without a readable cache entry"
	assert_contains "$(cat "$T/cli.err")" "cache entry is unreadable"
	rc=0
	cli --trace del f "$NETNS_PATH" || rc=$?
	[ $rc -eq 0 ] || fail "DEL failed ($rc) on a FIFO in the cache: $(cat "$T/cli.err")"
	assert_contains "$(cat "$T/cli.err")" "not a regular file"
	[ ! -e "$e" ] || fail "DEL left the FIFO"
	assert_eq "$(awk '{print $1, $5}' "$T/log")" "DEL -"
	# a FIFO as the network's lock file
	rm "$T/cache/locks/f"
	mkfifo "$T/cache/locks/f"
	rc=0
	cli add f "$NETNS_PATH" || rc=$?
	[ $rc -ne 124 ] || fail "ADD hung on a FIFO lock file"
	[ $rc -ne 0 ] || fail "ADD took a FIFO for its lock"
	assert_contains "$(cat "$T/cli.err")" "locks/f is not a regular file"
	# a FIFO in the conf dir: skipped with a reason, the others still load
	mkfifo "$T/net.d/00-fifo.conflist"
	rm "$T/cache/locks/f"
	rc=0
	out=$(cli --json list) || rc=$?
	[ $rc -eq 0 ] || fail "list failed ($rc) with a FIFO in the conf dir"
	jq_eq "$out" 'map(select(.error))[0].error' "$T/net.d/00-fifo.conflist: cannot read: not a regular file"
	cli add f "$NETNS_PATH" >/dev/null
	cli del f "$NETNS_PATH"
}

test_check_rules() {
	setup
	netconf old 0.3.1 '[{"type":"loopback"}]'
	cli add old "$NETNS_PATH" >/dev/null
	cli check old "$NETNS_PATH" && fail "CHECK allowed on 0.3.1"
	assert_contains "$(cat "$T/cli.err")" "does not support CHECK"
	netconf nochk 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\"}]" ',"disableCheck":true'
	cli check nochk "$NETNS_PATH" # no cache, but CHECK is disabled: fine
	netconf chk 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\"}]"
	cli check chk "$NETNS_PATH" && fail "CHECK without a cached result passed"
	assert_contains "$(cat "$T/cli.err")" "no cached result"
}

test_status_surfaces_code_50() {
	setup
	netconf ok 1.1.0 '[{"type":"loopback"}]'
	cli status ok
	netconf un 1.1.0 '[{"type":"loopback"},{"type":"unavailable"}]'
	out=$(cli --json status un) && fail "STATUS passed"
	jq_eq "$out" '.code' 50
}

test_gc_deletes_stale_attachments() {
	setup
	netconf g 1.1.0 "[{\"type\":\"script\",\"log\":\"$T/log\",\"dump\":\"$T/dump\"}]"
	ns2=$(mkns d)
	cli add g "$NETNS_PATH" >/dev/null
	cli add g "/run/netns/$ns2" >/dev/null
	keep=$(cnitool_id "$NETNS_PATH")
	gone=$(cnitool_id "/run/netns/$ns2")
	cli gc g --valid "$keep/eth0"
	[ -e "$T/cache/results/g-$keep-eth0" ] || fail "valid attachment's cache removed"
	[ ! -e "$T/cache/results/g-$gone-eth0" ] || fail "stale attachment's cache kept"
	grep -q "^DEL $gone eth0" "$T/log" || fail "stale attachment not deleted: $(cat "$T/log")"
	jq_eq "$(cat "$T/dump")" '."cni.dev/valid-attachments" | map("\(.containerID)/\(.ifname)") | join(",")' "$keep/eth0"
}

test_gc_deletes_stale_attachments_before_the_plugins_gc() {
	setup
	netconf g 1.1.0 "[{\"type\":\"script\",\"log\":\"$T/log\",\"dump\":\"$T/dump\"}]"
	ns2=$(mkns d2)
	ns3=$(mkns d3)
	for ns in "$NETNS_PATH" "/run/netns/$ns2" "/run/netns/$ns3"; do cli add g "$ns" >/dev/null; done
	keep=$(cnitool_id "$NETNS_PATH")
	gone2=$(cnitool_id "/run/netns/$ns2")
	gone3=$(cnitool_id "/run/netns/$ns3")
	: >"$T/log"
	cli gc g --valid "$keep/eth0"
	# libcni's order: every stale DEL (with its cached result), then GC
	assert_eq "$(awk '{print $1, $NF}' "$T/log" | xargs)" "DEL prev DEL prev GC -"
	assert_eq "$(awk '$1 == "DEL" {print $2}' "$T/log" | sort | xargs)" "$(printf '%s\n' "$gone2" "$gone3" | sort | xargs)"
	jq_eq "$(cat "$T/dump")" '."cni.dev/valid-attachments" == ."cni.dev/attachments"' true
	# without --valid, the cached attachments are the valid ones: no DEL
	: >"$T/log"
	cli gc g
	assert_eq "$(awk '{print $1}' "$T/log" | xargs)" "GC"
	jq_eq "$(cat "$T/dump")" '."cni.dev/valid-attachments" | map("\(.containerID)/\(.ifname)") | join(",")' "$keep/eth0"
	[ -e "$T/cache/results/g-$keep-eth0" ] || fail "a valid attachment's cache entry went"
}

# The race of a GC with an ADD, made certain: the ADD is held inside its
# first plugin (its result not yet cached) until the GC is seen waiting for
# the network's lock. A GC that lists the cache before it holds the lock
# misses the fresh attachment and collects it.
test_gc_never_collects_an_add_in_flight() {
	setup
	netconf g 1.1.0 "[{\"type\":\"gated\",\"gate\":\"$T/gate\"},{\"type\":\"script\",\"log\":\"$T/log\"}]"
	ns2=$(mkns g)
	keep=$(cnitool_id "$NETNS_PATH")
	fresh=$(cnitool_id "/run/netns/$ns2")
	touch "$T/gate.go"
	cli add g "$NETNS_PATH" >/dev/null
	rm "$T/gate.go"
	CLI_ERR=$T/add.err cli add g "/run/netns/$ns2" >"$T/add.out" &
	add=$!
	wait_until test -e "$T/gate.in.$fresh"
	CLI_ERR=$T/gc.err cli gc g &
	gc=$!
	wait_until gc_waits_on "$T/cache/locks/g"
	touch "$T/gate.go"
	wait $add || fail "ADD failed: $(cat "$T/add.err")"
	wait $gc || fail "GC failed: $(cat "$T/gc.err")"
	jq_eq "$(cat "$T/add.out")" '.cniVersion' 1.1.0
	[ -e "$T/cache/results/g-$fresh-eth0" ] || fail "GC removed the cache entry of an ADD in flight"
	! grep -q "^DEL $fresh" "$T/log" || fail "GC deleted an ADD in flight: $(cat "$T/log")"
	jq_eq "$(cat "$T/gate.gc")" '."cni.dev/valid-attachments" | map(.containerID) | sort | join(",")' \
		"$(printf '%s\n' "$keep" "$fresh" | sort | paste -sd,)"
}

# add_waits_at_gate NETWORK: a shared flock on the network's gate is blocked
# (an ADD held off by a waiting GC).
add_waits_at_gate() {
	local ino
	ino=$(stat -c %i "$T/cache/locks/.gate-$1" 2>/dev/null) || return 1
	grep -Eq -- "-> FLOCK +ADVISORY +READ +[0-9]+ +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}

# flock lets new shared holders in while an exclusive one waits: with ADDs
# always in flight, GC waited for ever (1,000 concurrent ADDs with GC in a
# loop: 2 GCs ran). An ADD that comes while GC waits now waits behind it.
test_gc_waiting_holds_off_new_adds() {
	setup
	netconf g 1.1.0 "[{\"type\":\"gated\",\"gate\":\"$T/gate\"}]"
	ns2=$(mkns g) ns3=$(mkns h)
	first=$(cnitool_id "/run/netns/$ns2") second=$(cnitool_id "/run/netns/$ns3")
	CLI_ERR=$T/add1.err cli add g "/run/netns/$ns2" >/dev/null &
	add1=$!
	wait_until test -e "$T/gate.in.$first"
	CLI_ERR=$T/gc.err cli gc g &
	gc=$!
	wait_until gc_waits_on "$T/cache/locks/g"
	CLI_ERR=$T/add2.err cli add g "/run/netns/$ns3" >/dev/null &
	add2=$!
	# the second ADD either waits at the gate or (unfair) is in already
	wait_until eval 'add_waits_at_gate g || test -e "$T/gate.in.$second"'
	touch "$T/gate.go"
	wait $add1 || fail "first ADD failed: $(cat "$T/add1.err")"
	wait $gc || fail "GC failed: $(cat "$T/gc.err")"
	wait $add2 || fail "second ADD failed: $(cat "$T/add2.err")"
	assert_eq "$(paste -sd, "$T/gate.order")" "ADD $first,GC,ADD $second" "order of arrival"
}

# The report's repro on real plugins (bridge + host-local), smaller: pods
# attached, then rounds of ADDs in the background with a GC a few ms later.
# Every ADD that printed a result keeps its interface, address and entry.
# fwstate: every element of ccni's tables, with its comment, sorted.
fwstate() {
	in_host nft -j list ruleset | jq -r '.nftables[] | (.map // .set) | select(.) |
		"\(.family) \(.table) \(.name)" as $s | .elem[]? |
		(if type == "array" then .[0] else . end) | "\($s) \(.elem.val | tostring) \(.elem.comment)"' | sort
}

test_reload_puts_back_the_firewall_state_after_a_flush() {
	command -v socat >/dev/null || skip "socat missing"
	setup
	netconf rl 1.1.0 "[{\"type\":\"bridge\",\"bridge\":\"rl0\",\"isGateway\":true,\"ipMasq\":true,\"macspoofchk\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.98.0.0/24\",\"dataDir\":\"$T/ipam\"}},{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}},{\"type\":\"firewall\"}]"
	n2=$(mkns r2)
	CAP_ARGS='{"portMappings":[{"hostPort":8181,"containerPort":80,"protocol":"tcp"}]}' cli add rl "$NETNS_PATH" >/dev/null
	CAP_ARGS='{"portMappings":[{"hostPort":8182,"containerPort":80,"protocol":"tcp"}]}' cli add rl "/run/netns/$n2" >/dev/null
	before=$(fwstate)
	links=$(in_host ip -br link | sort; in_ns "$NETNS" ip -br addr; in_ns "$n2" ip -br addr)
	assert_contains "$before" "inet ccni_portmap dnat4" "port mappings made"
	assert_contains "$before" "bridge ccni_spoof ports" "spoof checks made"
	# a firewall flush: CHECK notices, reload puts everything back
	in_host nft flush ruleset
	cli check rl "$NETNS_PATH" && fail "CHECK passed after the flush"
	out=$(cli reload rl) || fail "reload: $(cat "$T/cli.err")"
	assert_eq "$out" "rl: 2 attachments reloaded" "reload's output"
	assert_eq "$(fwstate)" "$before" "the firewall state after reload"
	cli check rl "$NETNS_PATH" || fail "CHECK after reload: $(cat "$T/cli.err")"
	cli check rl "/run/netns/$n2" || fail "CHECK after reload: $(cat "$T/cli.err")"
	# links and addresses untouched; the mapping carries traffic again
	assert_eq "$(in_host ip -br link | sort; in_ns "$NETNS" ip -br addr; in_ns "$n2" ip -br addr)" "$links" "links and addresses"
	in_ns "$NETNS" socat -T3 -t3 TCP-LISTEN:80,fork,reuseaddr SYSTEM:"read -r _; echo hello" >/dev/null 2>&1 &
	wait_listen "$NETNS" tcp 80
	assert_eq "$(echo ping | in_host timeout 6 socat -T3 -t3 - TCP:10.98.0.1:8181 2>/dev/null)" hello "host port after reload"
	# idempotent: a second reload changes nothing
	cli reload rl >/dev/null || fail "second reload: $(cat "$T/cli.err")"
	assert_eq "$(fwstate)" "$before" "the firewall state after a second reload"
	# the JSON form, and a network with nothing cached
	assert_eq "$(cli --json reload rl | jq -c .)" '{"reloaded":2,"failed":0}' "reload --json"
	assert_eq "$(cli reload nosuch)" "" "reload of a network without attachments"
}

test_gc_while_adding_loses_no_pod() {
	setup
	netconf gr 1.1.0 "[{\"type\":\"bridge\",\"bridge\":\"cbr0\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.99.0.0/24\",\"dataDir\":\"$T/ipam\"}}]"
	for i in $(seq "${GC_RACE_PODS:-100}"); do
		ns=$(mkns "p$i")
		cli add gr "/run/netns/$ns" >"$T/res.$ns"
		echo "$ns" >>"$T/pods"
	done
	for i in $(seq "${GC_RACE_ROUNDS:-20}"); do
		for k in 1 2; do
			ns=$(mkns "r$i-$k")
			echo "$ns" >>"$T/pods"
			CLI_ERR=$T/err.$ns cli add gr "/run/netns/$ns" >"$T/res.$ns" &
		done
		sleep "0.00$((RANDOM % 10))"
		CLI_ERR=$T/gc.err cli gc gr || fail "gc: $(cat "$T/gc.err")"
		wait
	done
	n=0
	while read -r ns; do
		ip=$(jq -r '.ips[0].address' "$T/res.$ns") || fail "$ns: ADD printed no result"
		got=$(in_ns "$ns" ip -j addr show eth0 2>/dev/null | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')
		assert_eq "$got" "$ip" "$ns: address on eth0"
		[ -e "$T/cache/results/gr-$(cnitool_id "/run/netns/$ns")-eth0" ] || fail "$ns: cache entry lost"
		[ -e "$T/ipam/gr/${ip%/*}" ] || fail "$ns: host-local reservation lost"
		n=$((n + 1))
	done <"$T/pods"
	assert_eq "$n" $((${GC_RACE_PODS:-100} + 2 * ${GC_RACE_ROUNDS:-20})) "pods checked"
}

test_gc_collects_unreadable_cache_entries() {
	setup
	netconf g 1.1.0 "[{\"type\":\"script\",\"log\":\"$T/log\",\"dump\":\"$T/dump\"}]"
	cli add g "$NETNS_PATH" >/dev/null
	keep=$(cnitool_id "$NETNS_PATH")
	r=$T/cache/results
	printf 'not json' >"$r/g-broken-eth0"
	: >"$r/g-empty-eth0"
	mkfifo "$r/g-fifo-eth0"
	printf '{"kind":"cniCacheV1"' >"$r/g-$keep-eth0.tmp.4242"
	printf 'not json' >"$r/g-named-eth0"
	# other networks' files stay, readable or not, also one whose name
	# starts with "g-" (network "g-two" holds a lock file)
	printf 'junk' >"$r/h-x-eth0"
	touch "$T/cache/locks/g-two"
	printf 'junk' >"$r/g-two-c-eth0"
	CLI_GUARD="timeout 60" cli --trace gc g --valid "$keep/eth0" --valid named/eth0
	for f in broken empty fifo; do
		[ ! -e "$r/g-$f-eth0" ] && [ ! -L "$r/g-$f-eth0" ] || fail "unreadable g-$f-eth0 not collected"
	done
	[ ! -e "$r/g-$keep-eth0.tmp.4242" ] || fail "an interrupted write's leftover not collected"
	assert_contains "$(cat "$T/cli.err")" "removing unreadable cache entry g-fifo-eth0 (not a regular file)"
	[ -e "$r/g-named-eth0" ] || fail "the entry of a valid attachment went, unreadable as it is"
	[ -e "$r/g-$keep-eth0" ] || fail "a valid readable entry went"
	[ -e "$r/h-x-eth0" ] || fail "another network's file went"
	[ -e "$r/g-two-c-eth0" ] || fail "network g-two's file went"
	# without --valid, an unreadable entry is not among the cached ones
	cli gc g
	[ ! -e "$r/g-named-eth0" ] || fail "unreadable entry kept by a GC without --valid"
	jq_eq "$(cat "$T/dump")" '."cni.dev/valid-attachments" | map(.containerID) | join(",")' "$keep"
}

# The caller's trace context reaches every plugin, as libcni passes it
# (TRACEPARENT, TRACESTATE, BAGGAGE: OpenTelemetry's environment carriers).
test_trace_context_reaches_plugins() {
	setup
	netconf tc 1.1.0 "[{\"type\":\"envdump\",\"out\":\"$T/env\"}]"
	tp=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
	export TRACEPARENT=$tp TRACESTATE=congo=t61rcWkgMzE BAGGAGE=userId=alice,tenant=7
	cli add tc "$NETNS_PATH" >/dev/null
	cli check tc "$NETNS_PATH"
	cli gc tc
	cli del tc "$NETNS_PATH"
	assert_eq "$(grep -c '^== ' "$T/env")" 4 "calls recorded"
	assert_eq "$(grep -c "^TRACEPARENT=$tp\$" "$T/env")" 4 "TRACEPARENT in each call"
	assert_eq "$(grep -c '^TRACESTATE=congo=t61rcWkgMzE$' "$T/env")" 4 "TRACESTATE in each call"
	assert_eq "$(grep -c '^BAGGAGE=userId=alice,tenant=7$' "$T/env")" 4 "BAGGAGE in each call"
	# the runtime's own CNI_* never leak into a call that does not set them
	: >"$T/env"
	CNI_CONTAINERID=stray CNI_NETNS=/stray cli status tc
	assert_eq "$(grep -c '^CNI_' "$T/env")" 2 "CNI_* of STATUS: $(grep '^CNI_' "$T/env" | xargs)"
	grep -q '^CNI_COMMAND=STATUS$' "$T/env" || fail "no CNI_COMMAND=STATUS"
}

test_an_environment_over_the_limit_is_an_error() {
	setup
	netconf tc 1.1.0 "[{\"type\":\"envdump\",\"out\":\"$T/env\"}]"
	out=$(for i in $(seq 600); do export "CCNI_T_$i=x"; done; cli --json add tc "$NETNS_PATH") &&
		fail "600 variables passed"
	jq_eq "$out" '.code' 102
	assert_contains "$(jq -r .msg <<<"$out")" "more than the limit of 512"
	[ ! -e "$T/env" ] || fail "the plugin ran with part of the environment"
}

test_trace_as_json_lines() {
	setup
	netconf j 1.0.0 "[{\"type\":\"loopback\"},{\"type\":\"script\",\"log\":\"$T/log\"}]"
	tp=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	TRACEPARENT=$tp CCNI_TRACE=json cli add j "$NETNS_PATH" >/dev/null
	e=$T/cli.err
	lines=$(wc -l <"$e")
	[ "$lines" -ge 5 ] || fail "few trace lines: $(cat "$e")"
	assert_eq "$(jq -c 'select(type == "object" and (.time | test("^[0-9-]+T[0-9:.]+Z$")) and
		(.elapsed_ms | type == "number") and (.step | type == "string") and
		(.msg | type == "string") and .traceparent == "'"$tp"'")' "$e" | wc -l)" "$lines" "well-formed lines"
	x=$(jq -c 'select(.step == "exec" and .plugin == "loopback")' "$e")
	jq_eq "$x" '.command' ADD
	jq_eq "$x" '.exe | endswith("/loopback")' true
	jq_eq "$x" '.wait_status' 0
	jq_eq "$x" '.duration_ms | type' number
	jq_eq "$x" '.msg | test("loopback ADD exited with status 0 in [0-9.]+ ms")' true
	jq_eq "$(jq -sc 'map(.step) | unique' "$e")" 'join(",")' "add,cache,exec,load"
	CCNI_TRACE=json cli --trace check j "$NETNS_PATH"
	jq_eq "$(head -1 "$e")" '.step' load
	# --trace alone: the text lines as before
	cli --trace del j "$NETNS_PATH"
	assert_contains "$(cat "$e")" "ccni: trace: +"
	assert_contains "$(cat "$e")" " exec: "
}

test_list_validate_version_show() {
	setup
	netconf good 1.0.0 '[{"type":"loopback"}]'
	printf '{\n  "cniVersion": "1.0.0",\n  "name": "bad",\n  "plugins": [\n    {"type": "loopback"},\n    {"type": "missing-one"}\n  ]\n}\n' >"$T/net.d/bad.conflist"
	printf '{"cniVersion":"1.0.0", "name": }' >"$T/net.d/broken.conflist"
	out=$(cli --json list)
	jq_eq "$out" 'map(select(.name=="good"))[0].plugins | join(",")' loopback
	jq_eq "$out" 'map(select(.error))| length' 1
	out=$(cli validate "$T/net.d") && fail "validate passed a broken dir"
	assert_contains "$out" "bad.conflist:6:6: error: plugins[1].type"
	assert_contains "$out" 'failed to find plugin "missing-one"'
	assert_contains "$out" "broken.conflist:1:"
	out=$(cli validate "$T/net.d/good.conflist")
	assert_contains "$out" "1 file checked, 0 problems"
	jq_eq "$(cli --json version loopback)" '.supportedVersions | length' 7
	cli add good "$NETNS_PATH" >/dev/null
	jq_eq "$(cli --json show "$NETNS_PATH")" '.[0].networkName' good
	assert_contains "$(cli show "$NETNS_PATH")" "network good"
	assert_contains "$(cli --help)" "cnitool-compatible"
}

test_exec_runs_a_program_in_a_fresh_netns() {
	setup
	netconf ex 1.0.0 "[{\"type\":\"loopback\"},{\"type\":\"script\",\"log\":\"$T/log\"}]"
	out=$(cli exec --net ex -- sh -c 'ip -j link show lo; readlink /proc/self/ns/net')
	assert_contains "$out" '"operstate":"UNKNOWN"'
	grep -q '^ADD ccni-exec-' "$T/log" || fail "no ADD logged"
	grep -q '^DEL ccni-exec-' "$T/log" || fail "no DEL logged"
	# its own namespace (the ADD's CNI_NETNS) is gone; other runs' are not ours to check
	ns=$(awk '$1 == "ADD" {print $4; exit}' "$T/log")
	assert_match "$ns" '^/run/netns/ccni-exec-' "exec's netns"
	[ ! -e "$ns" ] || fail "netns left behind: $ns"
	# exit status of the program is ccni's
	cli exec --net ex -- sh -c 'exit 7' && fail "exit status lost"
	[ $? -eq 7 ] || true
}

test_exec_cleans_up_on_sigterm() {
	setup
	netconf ex 1.0.0 "[{\"type\":\"script\",\"log\":\"$T/log\"}]"
	cli exec --net ex -- sleep 30 &
	pid=$!
	for _ in $(seq 50); do grep -q '^ADD' "$T/log" 2>/dev/null && break; sleep 0.1; done
	sleep 0.2
	pkill -TERM -f "$CCNI_CLI exec --net ex" || true
	wait $pid || true
	grep -q '^DEL ccni-exec-' "$T/log" || fail "no DEL after SIGTERM: $(cat "$T/log")"
	ns=$(awk '$1 == "ADD" {print $4; exit}' "$T/log")
	assert_match "$ns" '^/run/netns/ccni-exec-' "exec's netns"
	[ ! -e "$ns" ] || fail "netns left behind: $ns"
}

test_embedding_example_uses_the_shared_library() {
	setup
	[ -x "$EXAMPLES/attach" ] || skip "examples not built"
	ldd "$EXAMPLES/attach" | grep -q 'libccni.so.0' || fail "attach does not link libccni.so.0"
	netconf emb 1.0.0 '[{"type":"loopback"}]'
	out=$(ip netns exec "$HOSTNS" env NETCONFPATH="$NETCONFPATH" CNI_PATH="$CNI_PATH" CNI_CACHE_DIR="$CNI_CACHE_DIR" \
		"$EXAMPLES/attach" emb "$NETNS_PATH" embedded-1)
	jq_eq "$out" '.interfaces[0].name' lo
	[ -f "$T/cache/results/emb-embedded-1-eth0" ] || fail "no cache entry"
	ip netns exec "$HOSTNS" env NETCONFPATH="$NETCONFPATH" CNI_PATH="$CNI_PATH" CNI_CACHE_DIR="$CNI_CACHE_DIR" \
		"$EXAMPLES/attach" emb "$NETNS_PATH" embedded-1 -d
	[ ! -f "$T/cache/results/emb-embedded-1-eth0" ] || fail "cache entry left"
}

run_tests
