#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The bad-input catalogue: for every plugin, configs, environments and
# CNI_ARGS that must be refused. Each case asserts the spec's error code, a
# message naming the key and the value, and that nothing was left: no link,
# qdisc or nftables object in the host or container namespace, no
# reservation, record or other file in host-local's or tuning's dataDir.
#
# A case is one line:   c CODE KEY VALUE JQ [VAR=VALUE...]
# JQ edits the plugin's valid base config (base PLUGIN) into the bad one
# ("raw:TEXT" gives stdin as it is); KEY and VALUE must both be in the
# message (VALUE "" when there is none to name); VAR=VALUE set the
# environment of that run: CMD the command (ADD by default), CNI_* go to
# the plugin as they are, others are lib.sh's cni() variables (CNI_ARGS_T,
# PLUGIN_PATH, ...).
# CATALOGUE_SHOW=FILE writes each case's answer there instead of asserting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/state.sh"

PREV='{"cniVersion":"1.0.0","interfaces":[{"name":"cbad0"},{"name":"vethbad0"},{"name":"eth0","sandbox":"/var/run/netns/x"}],"ips":[{"interface":2,"address":"10.222.0.5/24","gateway":"10.222.0.1"}],"routes":[{"dst":"0.0.0.0/0"}]}'

# base PLUGIN: a config of PLUGIN that works.
base() {
	local ipam='{"type":"host-local","dataDir":"'$T/ipam'","ranges":[[{"subnet":"10.222.0.0/24"}]]}'
	case $1 in
	bridge | ptp) printf '{"cniVersion":"1.0.0","name":"badnet","type":"%s","bridge":"cbad0","ipam":%s}' "$1" "$ipam" ;;
	loopback) printf '{"cniVersion":"1.0.0","name":"badnet","type":"loopback"}' ;;
	host-local) printf '{"cniVersion":"1.0.0","name":"badnet","type":"bridge","ipam":%s}' "$ipam" ;;
	dhcp) printf '{"cniVersion":"1.0.0","name":"badnet","type":"bridge","ipam":{"type":"dhcp","daemonSocketPath":"%s/dhcp.sock"}}' "$T" ;;
	static) printf '{"cniVersion":"1.0.0","name":"badnet","type":"ptp","ipam":{"type":"static","addresses":[{"address":"10.222.0.9/24","gateway":"10.222.0.1"}]}}' ;;
	portmap) printf '{"cniVersion":"1.0.0","name":"badnet","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]},"prevResult":%s}' "$PREV" ;;
	tuning) printf '{"cniVersion":"1.0.0","name":"badnet","type":"tuning","dataDir":"%s","prevResult":%s}' "$T/tuning" "$PREV" ;;
	*) printf '{"cniVersion":"1.0.0","name":"badnet","type":"%s","prevResult":%s}' "$1" "$PREV" ;;
	esac
}

# snapshot: what a plugin could leave, on the host and in the container;
# the bridge of the config is not counted: a failed ADD leaves it, as the
# reference's does (it is the network's, and removing it could take a port
# another ADD has just put on it).
snapshot() {
	{
		state_kernel "$HOSTNS"
		state_kernel "$NETNS" | sed 's/^/container-/'
		state_ipam "$T/ipam"
		state_files tuning "$T/tuning"
	} | grep -v "^link-bridge	cbad0 " | sort
}

c() {
	local code=$1 key=$2 value=$3 expr=$4 conf out rc=0 cmd=ADD v
	shift 4
	local envs=() raw=()
	for v in "$@"; do
		case $v in
		CMD=*) cmd=${v#CMD=} ;;
		CNI_*=*) raw+=("$v") ;; # straight into the plugin's environment
		*) envs+=("$v") ;;       # lib.sh's cni() variables
		esac
	done
	if [[ $expr == raw:* ]]; then
		conf=${expr#raw:}
	else
		conf=$(base "$P" | jq -c "$expr") || fail "case '$expr': bad jq"
	fi
	out=$(
		for v in "${envs[@]}"; do export "${v?}"; done
		cni "$P" "$cmd" "$conf" "${raw[@]}" 2>/dev/null
	) || rc=$?
	if [ -n "${CATALOGUE_SHOW:-}" ]; then
		printf '%s %s [%s] rc=%s: %s\n' "$P" "$cmd" "$expr" "$rc" \
			"$(jq -c '[.code, .msg]' <<<"$out" 2>/dev/null || echo "$out")" >>"$CATALOGUE_SHOW"
		[ "$(snapshot)" = "$before" ] || echo "    STATE LEFT: $(state_diff <(echo "$before") <(snapshot) | head -3 | paste -sd' ')" >>"$CATALOGUE_SHOW"
		return 0
	fi
	[ "$rc" -ne 0 ] || fail "$P $cmd [$expr $*]: accepted: $out"
	jq_eq "$out" '.code' "$code"
	local msg
	msg=$(jq -r '.msg' <<<"$out")
	assert_contains "$msg" "$key" "$P [$expr] message names the key"
	assert_contains "$msg" "$value" "$P [$expr] message names the value"
	assert_eq "$(snapshot)" "$before" "$P [$expr]: state left"
}

# catalogue PLUGIN [CASES]: runs cases_CASES (default: cases_PLUGIN)
# against PLUGIN, each compared with the state before the first.
catalogue() {
	P=$1
	mkdir -p "$T/ipam" "$T/tuning"
	before=$(snapshot)
	"cases_${2:-${P//-/_}}"
}

# --- the protocol, the SDK's for every plugin (run through bridge)
cases_protocol() {
	c 4 CNI_COMMAND FOO '.' CMD=FOO
	c 4 CNI_CONTAINERID '' '.' CNI_CONTAINERID=
	c 4 CNI_CONTAINERID 'a/b' '.' CNI_CONTAINERID=a/b
	c 4 CNI_IFNAME '' '.' CNI_IFNAME=
	c 4 CNI_IFNAME 'eth0/x' '.' CNI_IFNAME=eth0/x
	c 4 CNI_IFNAME 'averyverylongifname' '.' CNI_IFNAME=averyverylongifname
	c 4 CNI_NETNS '' '.' CNI_NETNS=
	c 4 CNI_PATH '' '.' CNI_PATH=
	c 3 CNI_NETNS '/nonexistent/netns' '.' CNI_NETNS=/nonexistent/netns
	c 4 CNI_ARGS 'novalue' '.' CNI_ARGS=novalue
	c 6 stdin 'invalid JSON' 'raw:{"cniVersion":'
	c 6 stdin 'not a JSON object' 'raw:[1,2]'
	c 1 cniVersion 9.9.9 '.cniVersion = "9.9.9"'
	c 1 cniVersion 0.3.1 '.cniVersion = "0.3.1"' CMD=GC
	c 1 cniVersion 0.4.0 '.cniVersion = "0.4.0"' CMD=STATUS
	c 7 name '' 'del(.name)'
	c 7 name 'a/b' '.name = "a/b"'
	c 7 name '..' '.name = ".."'
	c 7 runtimeConfig 'object' '.runtimeConfig = 5'
	c 7 cni.dev/valid-attachments 'array' '.cniVersion = "1.1.0" | ."cni.dev/valid-attachments" = {}' CMD=GC
}
test_protocol_bad_input() { catalogue bridge protocol; }

cases_bridge() {
	c 7 mtu 70000 '.mtu = 70000'
	c 7 mtu 20 '.mtu = 20'
	c 7 mtu '"x"' '.mtu = "x"'
	c 7 bridge 'abcdefghijklmnopq' '.bridge = "abcdefghijklmnopq"'
	c 7 bridge 'a/b' '.bridge = "a/b"'
	c 7 ipMasqBackend pf '.ipMasqBackend = "pf"'
	c 7 ipMasq '"yes"' '.ipMasq = "yes"'
	c 7 isGateway 1 '.isGateway = 1'
	c 7 hairpinMode promiscMode '.hairpinMode = true | .promiscMode = true'
	c 7 vlan 5000 '.vlan = 5000'
	c 7 vlan -1 '.vlan = -1'
	c 7 vlanTrunk 'array' '.vlanTrunk = "x"'
	c 7 'vlanTrunk[0]' maxID '.vlanTrunk = [{"minID": 10}]'
	c 7 'vlanTrunk[0]' 'minID 20' '.vlanTrunk = [{"minID": 20, "maxID": 10}]'
	c 7 'vlanTrunk[0].id' 5000 '.vlanTrunk = [{"id": 5000}]'
	c 7 mac 'zz:zz' '.args.cni.mac = "zz:zz"'
	c 7 mac '02:00' '.runtimeConfig.mac = "02:00"'
	c 7 mac 'nomac' '.' CNI_ARGS='IgnoreUnknown=1;MAC=nomac'
	c 2 CNI_ARGS 'FOO' '.' CNI_ARGS='FOO=1'
	c 7 ipam object '.ipam = "x"'
	c 7 disableContainerInterface ipam '.disableContainerInterface = true'
	c 7 ipam.type 5 '.ipam.type = 5'
	c 7 ipam.type '../x' '.ipam.type = "../x"'
	c 102 '"nosuch-ipam"' "$CCNI_BIN" '.ipam.type = "nosuch-ipam"' 
	c 7 'ipam.ranges[0][0].subnet' '10.1/40' '.ipam.ranges[0][0].subnet = "10.1/40"'
	c 7 mtu 70000 '.mtu = 70000' CMD=DEL
	c 7 vlan 4095 '.vlan = 4095' CMD=CHECK
}
test_bridge_bad_input() { catalogue bridge; }

cases_ptp() {
	c 7 mtu 70000 '.mtu = 70000'
	c 7 mtu '-5' '.mtu = -5'
	c 7 ipMasq '"on"' '.ipMasq = "on"'
	c 7 ipMasqBackend pf '.ipMasqBackend = "pf"'
	c 7 ipam '' 'del(.ipam)'
	c 7 ipam.type '' 'del(.ipam.type)'
	c 7 'ipam.ranges[0][0].subnet' '10.0.0.300/24' '.ipam.ranges[0][0].subnet = "10.0.0.300/24"'
}
test_ptp_bad_input() { catalogue ptp; }

cases_loopback() {
	c 4 CNI_NETNS '' '.' CNI_NETNS=
	c 3 CNI_NETNS '/nonexistent/netns' '.' CNI_NETNS=/nonexistent/netns
	c 1 cniVersion '2.0.0' '.cniVersion = "2.0.0"'
	c 7 cniVersion 5 '.cniVersion = 5'
	c 6 prevResult 'address' '.prevResult = {"cniVersion": "1.0.0", "ips": [{"address": "bogus"}]}'
	c 6 prevResult 'interface' '.prevResult = {"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.2/24", "interface": 7}]}'
}
test_loopback_bad_input() { catalogue loopback; }

cases_host_local() {
	c 7 'ipam.ranges[0][0].subnet' '10.1/40' '.ipam.ranges[0][0].subnet = "10.1/40"'
	c 7 'ipam.ranges[0][0].subnet' '10.222.0.3/24' '.ipam.ranges[0][0].subnet = "10.222.0.3/24"'
	c 7 'ipam.ranges[0][0].rangeStart' '10.9.0.1' '.ipam.ranges[0][0].rangeStart = "10.9.0.1"'
	c 7 'ipam.ranges[0][0]' 'rangeEnd 10.222.0.2' '.ipam.ranges[0][0].rangeStart = "10.222.0.9" | .ipam.ranges[0][0].rangeEnd = "10.222.0.2"'
	c 7 'ipam.ranges[0][0].gateway' 'x' '.ipam.ranges[0][0].gateway = "x"'
	c 7 'ipam.ranges[0][1]: 10.222.0.0/16' 'ipam.ranges[0][0] (10.222.0.0/24)' '.ipam.ranges[0][1] = {"subnet": "10.222.0.0/16"}'
	c 7 'ipam.ranges' '"x"' '.ipam.ranges = "x"'
	c 7 'ipam' 'no IP ranges' '.ipam.ranges = []'
	c 7 'ipam.ranges[0]' '[]' '.ipam.ranges = [[]]'
	c 7 'ipam.ranges[1][0]' '10.222.0.0/24' '.ipam.ranges[1] = [{"subnet": "10.222.0.0/24"}]'
	c 7 'ipam.routes[0].dst' 'bogus' '.ipam.routes = [{"dst": "bogus"}]'
	c 7 'ipam.routes[0].gw' 'bogus' '.ipam.routes = [{"dst": "10.0.0.0/8", "gw": "bogus"}]'
	c 7 'ipam.routes[0].mtu' '-1' '.ipam.routes = [{"dst": "10.0.0.0/8", "mtu": -1}]'
	c 7 'ipam.dataDir' 5 '.ipam.dataDir = 5'
	c 5 'ipam.resolvConf' '/nonexistent/resolv.conf' '.ipam.resolvConf = "/nonexistent/resolv.conf"'
	c 7 'ipam.subnet' '10.9.0.0/33' 'del(.ipam.ranges) | .ipam.subnet = "10.9.0.0/33"'
	c 7 'IP' 'bogus' '.' CNI_ARGS='IgnoreUnknown=1;IP=bogus'
	c 104 '10.9.9.9' 'range' '.' CNI_ARGS='IgnoreUnknown=1;IP=10.9.9.9'
	c 7 'args.cni.ips[0]' 'bogus' '.args.cni.ips = ["bogus"]'
	c 7 'runtimeConfig.ips[0]' '10.1.1.1/99' '.runtimeConfig.ips = ["10.1.1.1/99"]'
	c 7 'runtimeConfig.ipRanges[0][0].subnet' 'x' '.runtimeConfig.ipRanges = [[{"subnet": "x"}]]'
	c 2 CNI_ARGS 'FOO' '.' CNI_ARGS='FOO=1'
}
test_host_local_bad_input() { catalogue host-local; }

cases_static() {
	c 7 'ipam' 'missing' 'del(.ipam)'
	c 7 'ipam.addresses' '"x"' '.ipam.addresses = "x"'
	c 7 'ipam.addresses[0]' '5' '.ipam.addresses = [5]'
	c 7 'ipam.addresses[0].address' '' '.ipam.addresses = [{"gateway": "10.222.0.1"}]'
	c 7 'ipam.addresses[0].address' '10.222.0.9' '.ipam.addresses[0].address = "10.222.0.9"'
	c 7 'ipam.addresses[0].address' 'bogus/24' '.ipam.addresses[0].address = "bogus/24"'
	c 7 'ipam.addresses[0].gateway' 'x' '.ipam.addresses[0].gateway = "x"'
	c 7 'ipam.addresses[0]' 'fd00::1' '.ipam.addresses[0].gateway = "fd00::1"'
	c 7 'ipam.addresses' '0.2.0' '.cniVersion = "0.2.0" | .ipam.addresses += [{"address": "10.9.0.9/24"}]'
	c 7 'ipam.routes[0].dst' 'bogus' '.ipam.routes = [{"dst": "bogus"}]'
	c 7 'ipam.routes[0].gw' 'fd00::1' '.ipam.routes = [{"dst": "10.0.0.0/8", "gw": "fd00::1"}]'
	c 7 'IP' 'nope' '.' CNI_ARGS='IgnoreUnknown=1;IP=nope'
	c 7 'args.cni.ips[0]' '10.0.0.1' '.args.cni.ips = ["10.0.0.1"]'
	c 7 'runtimeConfig.ips' '"x"' '.runtimeConfig.ips = "x"'
	c 2 CNI_ARGS 'FOO' '.' CNI_ARGS='FOO=1'
}
test_static_bad_input() { catalogue static; }

cases_dhcp() {
	c 7 ipam 'expected an object' '.ipam = "x"'
	c 7 ipam 'missing' 'del(.ipam)'
	c 7 ipam.daemonSocketPath 'relative.sock' '.ipam.daemonSocketPath = "relative.sock"'
	c 7 ipam.daemonSocketPath 'longer than' ".ipam.daemonSocketPath = \"/$(printf 's%.0s' $(seq 200))\""
	c 7 ipam.priority -1 '.ipam.priority = -1'
	c 7 ipam.request '"x"' '.ipam.request = "x"'
	c 7 'ipam.request[0]' 5 '.ipam.request = [5]'
	c 7 'ipam.request[0].option' 'no-such-option' '.ipam.request = [{"option": "no-such-option"}]'
	c 7 'ipam.request[0].skipDefault' '"y"' '.ipam.request = [{"option": "routers", "skipDefault": "y"}]'
	c 7 ipam.provide '{}' '.ipam.provide = {}'
	c 7 'ipam.provide[0].option' 'missing' '.ipam.provide = [{"value": "x"}]'
	c 7 'ipam.provide[0].option' '300' '.ipam.provide = [{"option": 300, "value": "x"}]'
}
test_dhcp_bad_input() { catalogue dhcp; }

cases_portmap() {
	c 7 'hostPort' 70000 '.runtimeConfig.portMappings[0].hostPort = 70000'
	c 7 'hostPort' '"x"' '.runtimeConfig.portMappings[0].hostPort = "x"'
	c 7 'containerPort' 0 '.runtimeConfig.portMappings[0].containerPort = 0'
	c 7 'protocol' 'icmp' '.runtimeConfig.portMappings[0].protocol = "icmp"'
	c 7 'hostIP' 'bogus' '.runtimeConfig.portMappings[0].hostIP = "bogus"'
	c 7 'runtimeConfig.portMappings' '"x"' '.runtimeConfig.portMappings = "x"'
	c 7 'runtimeConfig.portMappings[0]' 'object' '.runtimeConfig.portMappings = [5]'
	c 7 markMasqBit 40 '.markMasqBit = 40'
	c 7 backend pf '.backend = "pf"'
	c 7 snat '"x"' '.snat = "x"'
	c 7 externalSetMarkChain 'a"b' '.externalSetMarkChain = "a\"b"'
	c 7 externalSetMarkChain 'X' '.backend = "iptables" | .externalSetMarkChain = "X\n-F"'
	c 7 conditionsV4 'array' '.conditionsV4 = "x"'
	c 7 'conditionsV4' ';' '.conditionsV4 = ["ip", "saddr", "1.2.3.4;", "flush", "ruleset"]'
	c 7 prevResult '' 'del(.prevResult)'
	c 7 'runtimeConfig.portMappings' '"x"' '.runtimeConfig.portMappings = "x"' CMD=DEL
	c 7 backend pf '.cniVersion = "1.1.0" | .backend = "pf" | ."cni.dev/valid-attachments" = []' CMD=GC
}
test_portmap_bad_input() { catalogue portmap; }

cases_firewall() {
	c 7 backend pf '.backend = "pf"'
	c 2 backend firewalld '.backend = "firewalld"'
	c 7 iptablesAdminChainName 'averyveryveryveryveryverylongchainname' '.iptablesAdminChainName = "averyveryveryveryveryverylongchainname"'
	c 7 iptablesAdminChainName 'a b' '.iptablesAdminChainName = "a b"'
	c 7 ingressPolicy bogus '.ingressPolicy = "bogus"'
	c 7 firewalldZone 5 '.firewalldZone = 5'
	c 7 prevResult '' 'del(.prevResult)'
	c 7 prevResult '' 'del(.prevResult)' CMD=CHECK
}
test_firewall_bad_input() { catalogue firewall; }

cases_bandwidth() {
	c 7 ingressRate -1 '.ingressRate = -1 | .ingressBurst = 1000'
	c 7 ingressRate '"x"' '.ingressRate = "x"'
	c 7 ingressBurst '' '.ingressRate = 1000'
	c 7 egressRate '' '.egressBurst = 1000'
	c 7 egressBurst 34359738368 '.egressRate = 1000 | .egressBurst = 34359738368'
	c 7 'runtimeConfig.bandwidth' 'object' '.runtimeConfig.bandwidth = 5'
	c 7 'runtimeConfig.bandwidth.ingressRate' '-7' '.runtimeConfig.bandwidth = {"ingressRate": -7, "ingressBurst": 10}'
	c 7 prevResult '' 'del(.prevResult) | .ingressRate = 1000 | .ingressBurst = 1000'
}
test_bandwidth_bad_input() { catalogue bandwidth; }

cases_tuning() {
	c 7 'sysctl' 'kernel.pid_max' '.sysctl = {"kernel.pid_max": "1"}'
	c 7 'sysctl' '..' '.sysctl = {"net/ipv4/../../kernel/x": "1"}'
	c 7 'sysctl' 'net.core.somaxconn' '.sysctl = {"net.core.somaxconn": 5}'
	c 7 'sysctl' 'object' '.sysctl = ["net.core.somaxconn"]'
	c 7 mac 'zz' '.mac = "zz"'
	c 7 mtu 70000 '.mtu = 70000'
	c 7 txQLen -1 '.txQLen = -1'
	c 7 promisc '"x"' '.promisc = "x"'
	c 7 allmulti 3 '.allmulti = 3'
	c 7 dataDir 1024 ".dataDir = \"/$(printf 'd%.0s' $(seq 1100))\""
	c 7 mac 'badmac' '.' CNI_ARGS='IgnoreUnknown=1;MAC=badmac'
	c 7 'runtimeConfig.mac' 5 '.runtimeConfig.mac = 5'
	c 7 'args.cni.mac' 'q' '.args.cni.mac = "q"'
	c 7 'sysctl' 'kernel.x' '.args.cni.sysctl = {"kernel.x": "1"}'
	c 7 'sysctl' 'net.core.somaxconn' 'raw:{"cniVersion":"1.0.0","name":"badnet","type":"tuning","sysctl":{"net.core.somaxconn":"1","net.core.somaxconn":"2"},"prevResult":'"$PREV"'}'
	c 2 CNI_ARGS 'FOO' '.' CNI_ARGS='FOO=1'
	c 7 prevResult '' 'del(.prevResult) | .mtu = 1400'
}
test_tuning_bad_input() { catalogue tuning; }

cases_sbr() {
	c 7 table 0 '.table = 0'
	c 7 table '"x"' '.table = "x"'
	c 7 table 5000000000 '.table = 5000000000'
	c 7 prevResult '' 'del(.prevResult)'
}
test_sbr_bad_input() { catalogue sbr; }

# The catalogue's size: at least 100 cases.
test_catalogue_has_100_cases() {
	n=$(grep -c '^	c [0-9]' "${BASH_SOURCE[0]}")
	[ "$n" -ge 100 ] || fail "$n cases"
}
run_tests
