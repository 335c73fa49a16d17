/* SPDX-License-Identifier: Apache-2.0 */
/* bridge.h — the bridge plugin's configuration (bridge-conf.c), for its
 * verbs and unit tests. */
#ifndef CCNI_BRIDGE_H
#define CCNI_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/plugin.h>

#include "net/attach.h"

#define BRIDGE_MAX_TRUNK 64

struct bridge_conf {
	const char *bridge;
	bool is_gw, is_default_gw, force_address, ipmasq;
	const char *ipmasq_backend; /* "nftables" (default) or "iptables" */
	unsigned mtu;
	bool hairpin, promisc;
	uint16_t vlan;
	uint16_t trunk[BRIDGE_MAX_TRUNK][2]; /* ranges [lo, hi] */
	int n_trunk;
	bool preserve_default_vlan, macspoofchk, enable_dad, disable_container_if,
		port_isolation;
	const char *ipam_type; /* NULL: no IPAM (layer 2 only) */
	uint8_t mac[6];
	bool has_mac;
	struct attach_conf attach; /* what the shared skeleton does with these */
};

int bridge_conf_parse(const struct ccni_request *req, struct bridge_conf *b,
		      struct ccni_error *err);

/* `ccni validate` (bridge-conf.c, with the parser). */
extern const char *const bridge_keys[];
void bridge_facts(const struct ccni_request *req, const void *conf);

#endif
