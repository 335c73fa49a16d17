/* SPDX-License-Identifier: Apache-2.0 */
/* firewall.h — the firewall plugin's configuration (shared with its tests). */
#ifndef CCNI_FIREWALL_H
#define CCNI_FIREWALL_H

#include <stdbool.h>

#include <ccni/plugin.h>

#include "net/nftset.h"

#include "net/iptables.h"

#define FW_ADDR_MAX 32
#define FW_CHAIN_MAX IPTABLES_CHAIN_MAX

struct firewall_conf {
	const char *backend;      /* "nftables" (default) or "iptables" */
	char admin_chain[FW_CHAIN_MAX + 1]; /* iptablesAdminChainName, "CNI-ADMIN" */
	const char *zone;         /* firewalldZone (ignored: no firewalld backend) */
	bool same_bridge;         /* ingressPolicy "same-bridge" */
	char bridge[16];          /* the bridge of prevResult ("" when not known) */
	struct ccni_ipnet addrs[FW_ADDR_MAX]; /* prevResult's addresses */
	int n_addrs;
};

int firewall_conf_parse(const struct ccni_request *req, struct firewall_conf *c,
			struct ccni_error *err);
/* The iptables backend (firewall-ipt.c). */
int firewall_ipt_add(const struct firewall_conf *c, struct ccni_error *err);
int firewall_ipt_del(const struct firewall_conf *c, struct ccni_error *err);
int firewall_ipt_check(const struct firewall_conf *c, struct ccni_error *err);

#endif
