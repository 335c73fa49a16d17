# SPDX-License-Identifier: Apache-2.0
# bash completion of ccni: its commands and options, network names (from
# the conf dir, as `ccni list` reads it), network namespaces (/run/netns),
# plugin types (CNI_PATH) and, after exec's "--", the program to run.
# Installed as bash-completion/completions/ccni; works without the
# bash-completion package too (`. completion.bash`).

_ccni_networks() {
	# The conf dir as ccni itself reads it: aggregation and precedence.
	"$1" list --json 2>/dev/null | sed -n 's/^        "name": "\([^"]*\)".*/\1/p'
}

_ccni_netns() {
	local n
	for n in /run/netns/*; do
		[ -e "$n" ] && printf '%s\n' "$n"
	done
}

_ccni_plugins() {
	local d f IFS=:
	for d in ${CNI_PATH:-/opt/cni/bin}; do
		for f in "$d"/*; do
			[ -f "$f" ] && [ -x "$f" ] && printf '%s\n' "${f##*/}"
		done
	done
}

# _ccni_reply WORDS...: the words that start with the current one.
_ccni_reply() {
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$*" -- "$cur"))
}

# Namespaces are given as paths: "c" completes to /run/netns/c1; a path
# being typed completes as a file name too.
_ccni_reply_netns() {
	local IFS=$'\n' n
	COMPREPLY=()
	for n in $(_ccni_netns); do
		[[ $n == "$cur"* || ${n#/run/netns/} == "$cur"* ]] && COMPREPLY+=("$n")
	done
	[[ $cur == */* || $cur == .* ]] || return 0
	for n in $(compgen -f -- "$cur"); do
		[[ $n == /run/netns/* ]] || COMPREPLY+=("$n")
	done
}

_ccni() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local self=${COMP_WORDS[0]} cmd="" i w npos=0
	local commands="add check del status gc list validate version show exec reload help"
	local opts="--ifname --json --trace --timeout --help"

	# The command, how many arguments it has so far, and exec's "--".
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -- && $cmd == exec ]]; then
			if declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			elif ((i + 1 == COMP_CWORD)); then
				COMPREPLY=($(compgen -c -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return 0
		fi
		case $w in
		-i | --ifname | --timeout | --valid | --net | --port | --ip | --mac) ((i++)); continue ;;
		-*) continue ;;
		esac
		if [ -z "$cmd" ]; then cmd=$w; else npos=$((npos + 1)); fi
	done

	case $prev in
	--net) _ccni_reply "$(_ccni_networks "$self")"; return 0 ;;
	-i | --ifname | --timeout | --valid | --port | --ip | --mac) COMPREPLY=(); return 0 ;;
	esac
	case $cmd in
	exec) opts+=" --net --port --ip --mac --" ;;
	gc) opts+=" --valid" ;;
	esac
	if [[ $cur == -* ]]; then
		_ccni_reply $opts
		return 0
	fi
	case $cmd in
	"") _ccni_reply $commands ;;
	help) ((npos == 0)) && _ccni_reply $commands ;;
	add | check | del | status | gc)
		if ((npos == 0)); then
			_ccni_reply "$(_ccni_networks "$self")"
		elif ((npos == 1)); then
			_ccni_reply_netns
		fi
		;;
	show) ((npos == 0)) && _ccni_reply_netns ;;
	reload) ((npos == 0)) && _ccni_reply "$(_ccni_networks "$self")" ;;
	version) ((npos == 0)) && _ccni_reply "$(_ccni_plugins)" ;;
	validate) ((npos == 0)) && COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}
complete -F _ccni ccni
