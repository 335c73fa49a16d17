/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vrf-move.c — an interface into a VRF, as the reference does it. Making a
 * link a VRF's port takes it down and up again: the kernel drops its
 * routes, and its global IPv6 addresses unless keep_addr_on_down is set.
 * So first the addresses and the main-table routes of universe scope (the
 * ones not made from an address) are noted; after the move the addresses
 * the kernel dropped are added again (with their flags) and their duplicate
 * address detection waited for, as a route from such an address needs it
 * done; then the routes go into the VRF's table (replacing, as `ip route
 * replace`). The kernel puts the routes of the addresses there itself.
 */
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/cleanup.h"
#include "plugins/meta/vrf/vrf.h"

/* At most this long for re-added addresses to finish DAD (the
 * reference's 8 tries, 10 ms doubling: about 2.5 s). */
#define VRF_SETTLE_MS 2550

void vrf_move_clear(struct vrf_move *m)
{
	free(m->v6);
	free(m->routes);
	m->v6 = NULL;
	m->routes = NULL;
}

/* What the move will take: global IPv6 addresses, the main table's
 * routes through the link, those of universe scope (the ones to copy)
 * first. */
static int note(struct nl_sock *sk, struct vrf_move *m, struct ccni_error *err)
{
	size_t n = 0, k = 0;

	if (addr_list_info(sk, m->intf.ifindex, AF_INET6, &m->v6, &n, err) < 0 ||
	    route_list_dev(sk, m->intf.ifindex, RT_TABLE_MAIN, &m->routes, &m->n_routes, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (m->v6[i].scope == RT_SCOPE_UNIVERSE)
			m->v6[k++] = m->v6[i];
	m->n_v6 = k;
	k = 0;
	for (size_t i = 0; i < m->n_routes; i++)
		if (m->routes[i].scope == RT_SCOPE_UNIVERSE) {
			struct route r = m->routes[k];

			m->routes[k++] = m->routes[i];
			m->routes[i] = r;
		}
	m->n_universe = k;
	return 0;
}

static bool has_addr(const struct addr_info *list, size_t n, const struct ccni_ipnet *a)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].addr.prefix == a->prefix && ccni_ip_equal(&list[i].addr.ip, &a->ip))
			return true;
	return false;
}

/* The noted addresses the link lost, added again; with DAD waited for. */
static int give_back_v6(struct nl_sock *sk, int nsfd, const struct vrf_move *m,
			struct ccni_error *err)
{
	_cleanup_free_ struct addr_info *now = NULL;
	size_t n, added = 0;

	if (!m->n_v6)
		return 0;
	if (addr_list_info(sk, m->intf.ifindex, AF_INET6, &now, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_v6; i++) {
		if (has_addr(now, n, &m->v6[i].addr))
			continue;
		if (addr_add_flags(sk, m->intf.ifindex, &m->v6[i].addr, m->v6[i].flags, err) < 0)
			return -1;
		added++;
	}
	return added ? addr_settle(sk, nsfd, m->intf.ifindex, VRF_SETTLE_MS, err) : 0;
}

/* On a failure: the routes copied so far out of the table, the link out
 * of the VRF, its addresses and main-table routes back. */
static void undo(struct nl_sock *sk, int nsfd, struct vrf_move *m, uint32_t table)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link_change out = { .master = LINK_NO_MASTER };

	for (size_t i = 0; i < m->n_moved; i++) {
		struct route r = m->routes[i];

		r.table = table;
		route_del(sk, &r, &e);
		ccni_error_clear(&e);
	}
	if (!m->enslaved)
		return;
	link_set(sk, m->intf.ifindex, &out, &e);
	ccni_error_clear(&e);
	give_back_v6(sk, nsfd, m, &e);
	ccni_error_clear(&e);
	/* the narrower scopes first: a gateway they make reachable */
	for (size_t i = m->n_routes; i-- > 0;) {
		route_add(sk, &m->routes[i], true, false, &e);
		ccni_error_clear(&e);
	}
}

int vrf_move_in(struct nl_sock *sk, int nsfd, const struct link *vrf, uint32_t table,
		struct vrf_move *m, struct ccni_error *err)
{
	struct link_change in = { .master = vrf->ifindex };

	if (note(sk, m, err) < 0)
		return -1;
	if (link_set(sk, m->intf.ifindex, &in, err) < 0)
		return ccni_error_prefix(err, "VRF %s", vrf->name);
	m->enslaved = true;
	if (give_back_v6(sk, nsfd, m, err) < 0)
		goto fail;
	for (; m->n_moved < m->n_universe; m->n_moved++) {
		struct route r = m->routes[m->n_moved];

		r.table = table;
		if (route_add(sk, &r, true, false, err) < 0)
			goto fail;
	}
	return 0;
fail:
	undo(sk, nsfd, m, table);
	return ccni_error_prefix(err, "VRF %s", vrf->name);
}
