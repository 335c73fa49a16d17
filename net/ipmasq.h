/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipmasq.h — ipMasq: masquerade traffic from a container's address to
 * anything outside its own subnet and outside multicast, as the reference
 * does, through nftables sets (default) or iptables. Internal.
 */
#ifndef CCNI_NET_IPMASQ_H
#define CCNI_NET_IPMASQ_H

#include <stdbool.h>

#include <ccni/error.h>
#include <ccni/ip.h>

/* One batch adds (or removes) the attachment's set elements in ccni's
 * table "inet ccni_masq". tag names the attachment in element comments
 * (net/tag.h); deleting, the elements not tagged so are left alone, and
 * with no address (n 0) they are found by tag. */
int ipmasq_add(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err);
int ipmasq_del(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err);

/* An attachment's ipMasq added or removed through its backend: "iptables"
 * (iptables_masq) or else nftables (ipmasq_add/ipmasq_del, tagged
 * "NETWORK CONTAINERID IFNAME"). IPv6 link-local addresses are skipped.
 * DEL removes only the attachment's own elements, by tag when it knows no
 * address. */
int ipmasq_apply(bool add, const char *backend, const struct ccni_ipnet *addrs, int n,
		 const char *network, const char *container_id, const char *ifname,
		 struct ccni_error *err);

/* CHECK: every element of addrs is in place and tagged with the
 * attachment (code 108 naming the address and the set otherwise). */
int ipmasq_check(const struct ccni_ipnet *addrs, int n, const char *tag, struct ccni_error *err);

#endif
