/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp-lease.c — the daemon's table of leases: every lease in a list (for
 * the loop's timers and GC) and in a hash of its name (the attachment), so
 * a plugin's request finds its lease at the same cost with any number of
 * leases.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "plugins/ipam/dhcp/dhcp-daemon.h"

static unsigned bucket(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h % DHCPD_BUCKETS;
}

struct lease *lease_find(struct dhcpd *d, const char *name)
{
	for (struct lease *l = d->buckets[bucket(name)]; l; l = l->hnext)
		if (streq(l->name, name))
			return l;
	return NULL;
}

static void lease_free(struct lease *l)
{
	dhcp_link_close(&l->link);
	free(l->id);
	free(l->network);
	free(l->ifname);
	free(l->netns);
	free(l->provide);
	free(l->ack);
	free(l);
}

struct lease *lease_add(struct dhcpd *d, const char *id, const char *network,
			const char *ifname, const char *netns)
{
	struct lease *l = calloc(1, sizeof(*l));
	unsigned b;

	if (!l)
		return NULL;
	l->link.fd = -1;
	l->id = strdup(id);
	l->network = strdup(network);
	l->ifname = strdup(ifname);
	l->netns = strdup(netns);
	if (!l->id || !l->network || !l->ifname || !l->netns) {
		lease_free(l);
		return NULL;
	}
	dhcp_lease_name(id, network, ifname, l->name);
	b = bucket(l->name);
	l->hnext = d->buckets[b];
	d->buckets[b] = l;
	if (d->leases)
		d->leases->lprev = l;
	l->lnext = d->leases;
	d->leases = l;
	d->n_leases++;
	return l;
}

void lease_drop(struct dhcpd *d, struct lease *l)
{
	struct lease **p = &d->buckets[bucket(l->name)];

	serve_give_up(d, l);
	for (; *p; p = &(*p)->hnext)
		if (*p == l) {
			*p = l->hnext;
			break;
		}
	if (l->lprev)
		l->lprev->lnext = l->lnext;
	else
		d->leases = l->lnext;
	if (l->lnext)
		l->lnext->lprev = l->lprev;
	d->n_leases--;
	lease_free(l);
}


int lease_options(struct lease *l, json_t *j)
{
	struct dhcp_option p[DHCP_MAX_PROVIDE];
	int n;

	if (dhcp_json_get_options(j, l->request, &l->n_request, p, &n) < 0)
		return -1;
	/* as many as there are (most configs provide none or one) */
	l->provide = calloc((size_t)n + 1, sizeof(*l->provide));
	if (!l->provide)
		return -1;
	memcpy(l->provide, p, (size_t)n * sizeof(*p));
	l->n_provide = n;
	return 0;
}
