#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# script-plugin.sh — a CNI plugin in plain POSIX sh, to show how small the
# protocol is. It records every call in a log file (config key "log",
# default /tmp/script-plugin.log: command, container id, ifname, netns, and
# "prev" when a prevResult came in) and passes prevResult on; with no
# prevResult it answers an empty result. Needs only sh and sed.
conf=$(cat)
version=$(printf '%s' "$conf" | sed -n 's/.*"cniVersion"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)
log=$(printf '%s' "$conf" | sed -n 's/.*"log"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)
: "${version:=0.1.0}" "${log:=/tmp/script-plugin.log}"

dump=$(printf '%s' "$conf" | sed -n 's/.*"dump"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)
case "$conf" in *'"prevResult"'*) prev=prev ;; *) prev=- ;; esac
echo "$CNI_COMMAND ${CNI_CONTAINERID:-} ${CNI_IFNAME:-} ${CNI_NETNS:-} $prev" >>"$log"
# "dump": a file that receives the config of the last call (for tests).
[ -n "$dump" ] && printf '%s' "$conf" >"$dump"
case "$CNI_COMMAND" in
VERSION)
	echo '{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}' ;;
ADD)
	case "$conf" in
	*'"prevResult"'*)
		# The previous result is the last object in the config: print it back.
		printf '%s' "$conf" | sed -n 's/.*"prevResult"[[:space:]]*:[[:space:]]*\({.*}\)[[:space:]]*}[[:space:]]*$/\1/p' ;;
	*) printf '{"cniVersion":"%s","dns":{}}\n' "$version" ;;
	esac ;;
DEL | CHECK | STATUS | GC) ;;
*)
	printf '{"cniVersion":"%s","code":4,"msg":"unknown CNI_COMMAND %s"}\n' "$version" "$CNI_COMMAND"
	exit 1 ;;
esac
