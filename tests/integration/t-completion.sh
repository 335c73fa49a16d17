#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bash completion of ccni, as installed: commands, options, network names
# from the conf dir, namespaces from /run/netns, plugin types from CNI_PATH,
# and the program after exec's "--".
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
COMPLETION=$(dirname "$CCNI_CLI")/../share/bash-completion/completions/ccni
[ -f "$COMPLETION" ] || COMPLETION=$here/../../tools/ccni/completion.bash

# comp WORD...: what completing the last word of "ccni WORD..." offers,
# one a line, sorted.
comp() {
	env NETCONFPATH="$T/net.d" CNI_PATH="$CCNI_BIN" bash --norc -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_ccni
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$CCNI_CLI" "$@" | sed '/^$/d' | sort
}

setup() {
	mkdir -p "$T/net.d"
	printf '{"cniVersion":"1.0.0","name":"alpha","plugins":[{"type":"loopback"}]}' >"$T/net.d/10-alpha.conflist"
	printf '{"cniVersion":"1.0.0","name":"beta","type":"loopback"}' >"$T/net.d/20-beta.conf"
}

test_it_registers_for_ccni() {
	assert_eq "$(bash --norc -c ". '$COMPLETION'; complete -p ccni")" "complete -F _ccni ccni"
}

test_commands_and_options() {
	setup
	assert_eq "$(comp "")" "$(printf '%s\n' add check del exec gc help list reload show status validate version)"
	assert_eq "$(comp v)" "$(printf '%s\n' validate version)"
	assert_eq "$(comp re)" reload
	assert_eq "$(comp help st)" status
	assert_eq "$(comp exec --)" "$(printf '%s\n' -- --help --ifname --ip --json --mac --net --port --timeout --trace)"
	assert_eq "$(comp gc --v)" --valid
	assert_eq "$(comp add --ifname "")" ""
}

test_network_names_from_the_conf_dir() {
	setup
	assert_eq "$(comp add "")" "$(printf '%s\n' alpha beta)"
	assert_eq "$(comp del b)" beta
	assert_eq "$(comp exec --net "")" "$(printf '%s\n' alpha beta)"
	assert_eq "$(comp exec --net alpha --net b)" beta
	# an option's argument is not taken for the network
	assert_eq "$(comp -i eth1 status a)" alpha
	assert_eq "$(comp --timeout 50 gc "")" "$(printf '%s\n' alpha beta)"
	assert_eq "$(comp reload "")" "$(printf '%s\n' alpha beta)"
}

test_namespaces_from_run_netns() {
	setup
	assert_contains "$(comp add alpha "")" "/run/netns/$NETNS"
	assert_eq "$(comp add alpha "$NETNS")" "/run/netns/$NETNS"
	assert_eq "$(comp check alpha "/run/netns/$NETNS")" "/run/netns/$NETNS"
	assert_eq "$(comp show "$NETNS")" "/run/netns/$NETNS"
	# the third argument has no completion
	assert_eq "$(comp add alpha "/run/netns/$NETNS" "")" ""
	# a path being typed completes as a file too
	: >"$T/nsfile"
	assert_eq "$(comp del alpha "$T/nsf")" "$T/nsfile"
}

test_plugin_types_and_exec_program() {
	setup
	assert_eq "$(comp version br)" bridge
	assert_contains "$(comp version "")" host-local
	# every binary name of the reference set is a type
	assert_eq "$(comp version ho)" "$(printf '%s\n' host-device host-local)"
	assert_eq "$(comp version ta)" tap
	assert_eq "$(comp version v)" "$(printf '%s\n' vlan vrf)"
	assert_eq "$(comp version d)" "$(printf '%s\n' dhcp dummy)"
	assert_contains "$(comp version "")" "$(printf '%s\n' ipvlan loopback macvlan)"
	assert_contains "$(comp exec --net alpha -- ech)" echo
	assert_eq "$(comp validate "$T/net")" "$T/net.d"
}

run_tests
