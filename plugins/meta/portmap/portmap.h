/* SPDX-License-Identifier: Apache-2.0 */
/* portmap.h — the portmap plugin's configuration (shared with its tests). */
#ifndef CCNI_PORTMAP_H
#define CCNI_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/plugin.h>

#define PORTMAP_MAX 256

struct portmap_entry {
	uint16_t host_port, container_port;
	const char *proto;      /* "tcp", "udp" or "sctp" */
	struct ccni_ip host_ip; /* family 0: every host address */
};

struct portmap_conf {
	bool snat, masq_all;
	const char *backend; /* "nftables" (default) or "iptables" */
	int mark_bit;
	const char *external_mark_chain;
	char cond4[512], cond6[512]; /* conditionsV4/V6 joined with spaces */
	struct portmap_entry maps[PORTMAP_MAX];
	int n;
	struct ccni_ipnet cip4, cip6; /* the container's addresses (prevResult) */
};

int portmap_conf_parse(const struct ccni_request *req, struct portmap_conf *c,
		       struct ccni_error *err);
/* The nftables backend (portmap-nft.c). */
int portmap_nft_add(const struct ccni_request *req, const struct portmap_conf *c,
		    struct ccni_error *err);
int portmap_nft_del(const struct ccni_request *req, const struct portmap_conf *c,
		    struct ccni_error *err);
int portmap_nft_check(const struct portmap_conf *c, struct ccni_error *err);
/* GC: the elements and rules of the network's attachments that are not in
 * cni.dev/valid-attachments. */
int portmap_nft_gc(const struct ccni_request *req, struct ccni_error *err);
/* The iptables backend (portmap-ipt.c). */
int portmap_ipt(const struct ccni_request *req, const struct portmap_conf *c, bool add,
		struct ccni_error *err);

#endif
