# SPDX-License-Identifier: Apache-2.0
#
# state.sh — every kind of object an attachment can leave on a node, listed
# one per line as "KIND<TAB>OBJECT", sorted, so that two listings compare
# with comm(1): what a crash, a failed ADD or a GC left or took away is the
# difference. Sourced by the crash and concurrency trials (bench/) and by
# the integration tests.
#
#   state_kernel NETNS            links, qdiscs and ccni's nftables objects
#                                 of the namespace
#   state_files KIND DIR          the files under DIR: temp files (.ccni-*,
#                                 *.tmp.*) as "tmp", the others as KIND
#   state_ipam DIR                host-local's dataDir: reservations, records,
#                                 the rest, temp files
#   state_diff OLD NEW            "+KIND<TAB>OBJECT" for what NEW has more,
#                                 "-..." for what it lacks (files of listings)
#   state_count_kinds             per kind, how many lines (stdin: a diff)
#
# Objects every kernel has (lo, default noqueue qdiscs) are left out; nft
# objects are those of ccni's tables (ccni_*), handles stripped.

state_kernel() {
	local ns=$1
	ip -n "$ns" -j -d link show 2>/dev/null | jq -r '.[] | select(.ifname != "lo") |
		"link-\(.linkinfo.info_kind // "other")\t\(.ifname) \(.ifalias // "")"'
	tc -n "$ns" -j qdisc show 2>/dev/null | jq -r '.[] | select(.kind != "noqueue") |
		"qdisc\t\(.dev) \(.kind) \(.handle) \(.parent // "root")"'
	ip netns exec "$ns" nft -j list ruleset 2>/dev/null | jq -r '
		def ccni(o): (o.table // o.name // "") | startswith("ccni");
		.nftables[] |
		if .table then select(ccni(.table)) | "nft-table\t\(.table.family) \(.table.name)"
		elif .chain then select(ccni(.chain)) | "nft-chain\t\(.chain.family) \(.chain.table) \(.chain.name)"
		elif .rule then select(ccni(.rule)) |
			"nft-rule\t\(.rule.family) \(.rule.table) \(.rule.chain) \(.rule.expr | tojson) \(.rule.comment // "")"
		elif (.set // .map) then (.set // .map) as $s | select(ccni($s)) | ($s.elem // [])[] |
			"nft-elem\t\($s.family) \($s.table) \($s.name) \(tojson)"
		else empty end'
}

state_files() {
	local kind=$1 dir=$2
	[ -d "$dir" ] || return 0
	find "$dir" -mindepth 1 -not -type d -printf '%P\n' | awk -v k="$kind" '{
		n = $0; sub(/.*\//, "", n)
		print ((n ~ /^\.ccni-/ || n ~ /\.tmp(\.|$)/) ? "tmp" : k) "\t" $0 }'
}

state_ipam() {
	local dir=$1
	[ -d "$dir" ] || return 0
	find "$dir" -mindepth 1 -not -type d -printf '%P\n' | awk '{
		n = $0; sub(/.*\//, "", n)
		if (n ~ /^\.ccni-/ || n ~ /\.tmp(\.|$)/) k = "tmp"
		else if ($0 ~ /^\.ccni\//) k = "ipam-record"
		else if (n ~ /^[0-9.]+$/ || n ~ /:/) k = "ipam-reservation"
		else k = "ipam-file"
		print k "\t" $0 }'
}

state_diff() {
	comm -13 <(sort "$1") <(sort "$2") | sed 's/^/+/'
	comm -23 <(sort "$1") <(sort "$2") | sed 's/^/-/'
}

state_count_kinds() {
	awk -F'\t' '{ n[$1]++ } END { for (k in n) printf "%s %d\n", k, n[k] }' | sort
}
