# SPDX-License-Identifier: Apache-2.0
#
# bench/lib.sh — what the proofs under load share (bench/crash.sh,
# concurrency.sh, scale.sh). Sourced after `top` is set; $1 of the script
# is the build dir.
#
#   BIN, CLI                     the plugins and the ccni command (CCNI_BIN,
#                                CCNI_CLI, or the build dir's stage)
#   full_chain NET BR DIR NET16  the conflist of bridge(ipMasq, macspoofchk)
#                                + host-local (NET16.0.0/16, dataDir DIR/ipam)
#                                + portmap + firewall + tuning (DIR/tuning)
#                                + bandwidth, on stdout
#   cnitool_id PATH              the container id ccni (as cnitool) derives
#                                from a namespace path
#   now_ms                       the wall clock in ms
. "$top/tests/integration/state.sh"
build=$(realpath -m "${1:-$top/build}")
BIN=${CCNI_BIN:-$build/stage/opt/cni/bin}
CLI=${CCNI_CLI:-$build/stage/usr/local/bin/ccni}

full_chain() {
	cat <<CONF
{"cniVersion":"1.1.0","name":"$1","plugins":[
 {"type":"bridge","bridge":"$2","isGateway":true,"ipMasq":true,"macspoofchk":true,
  "ipam":{"type":"host-local","dataDir":"$3/ipam","ranges":[[{"subnet":"$4.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
 {"type":"portmap","capabilities":{"portMappings":true}},
 {"type":"firewall"},
 {"type":"tuning","dataDir":"$3/tuning","mtu":1400,"sysctl":{"net.core.somaxconn":"512"}},
 {"type":"bandwidth","ingressRate":100000000,"ingressBurst":1000000,"egressRate":100000000,"egressBurst":1000000}
]}
CONF
}
cnitool_id() { printf 'cnitool-%s' "$(printf '%s' "$1" | sha512sum | cut -c1-20)"; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
