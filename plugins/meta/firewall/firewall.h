/* SPDX-License-Identifier: Apache-2.0 */
/* firewall.h — the firewall plugin's configuration (shared with its tests). */
#ifndef CCNI_FIREWALL_H
#define CCNI_FIREWALL_H

#include <stdbool.h>

#include <ccni/plugin.h>

#include "net/nftset.h"

#define FW_ADDR_MAX 32
#define FW_CHAIN_MAX 28 /* iptables' limit on a chain name */

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
/* One element of set in table (inet) by key (firewall-nftget.c): 0 when
 * present (comment gets its comment, "" when none), 1 when missing (also
 * when the table or set is missing), -1 with err. */
int fw_nft_elem_get(const char *table, const char *set, const struct knft_val *key, char *comment,
		    size_t comment_len, struct ccni_error *err);
/* 1 when chain exists in table (inet), 0 when not (or no table), -1 with err. */
int fw_nft_chain_exists(const char *table, const char *chain, struct ccni_error *err);

#endif
