/* SPDX-License-Identifier: Apache-2.0 */
/* route.c — see route.h. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/route/route.h>

#include "lib/common/cleanup.h"
#include "net/route.h"

int kroute_del_prefix(struct nl_sock *sk, const struct ccni_ipnet *dst, int ifindex,
		      struct ccni_error *err)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct ccni_ipnet n = ccni_ipnet_network(dst);
	struct nl_addr *a = nl_addr_build(dst->ip.family, n.ip.addr, ccni_ip_len(&n.ip));
	char b[CCNI_IPNET_STRLEN];
	int rc;

	if (!rt || !nh || !a) {
		if (rt)
			rtnl_route_put(rt);
		if (nh)
			rtnl_route_nh_free(nh);
		if (a)
			nl_addr_put(a);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	nl_addr_set_prefixlen(a, n.prefix);
	rtnl_route_set_family(rt, dst->ip.family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_UNSPEC);
	rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	rtnl_route_set_dst(rt, a);
	nl_addr_put(a);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(rt, nh);
	rc = rtnl_route_delete(sk, rt, 0);
	rtnl_route_put(rt);
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "delete route %s: %s",
				      ccni_ipnet_format(&n, b), nl_geterror(rc));
	return 0;
}

/* --- a device's routes, to move them between tables ------------------------- */

static void cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}

static void rtnl_route_putp(struct rtnl_route **r)
{
	if (*r)
		rtnl_route_put(*r);
}

static void ip_from_nl(struct nl_addr *a, struct ccni_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (!a || (nl_addr_get_len(a) != 4 && nl_addr_get_len(a) != 16))
		return;
	out->family = nl_addr_get_family(a);
	memcpy(out->addr, nl_addr_get_binary_addr(a), nl_addr_get_len(a));
}

static struct nl_addr *ip_to_nl(const struct ccni_ip *ip, unsigned prefix)
{
	struct nl_addr *a = nl_addr_build(ip->family, ip->addr, ccni_ip_len(ip));

	if (a)
		nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

/* Fill e from rt when rt is a single-nexthop route through ifindex. */
static bool entry_from(struct rtnl_route *rt, int ifindex, struct kroute_entry *e)
{
	struct rtnl_nexthop *nh;
	struct nl_addr *dst = rtnl_route_get_dst(rt);

	if (rtnl_route_get_nnexthops(rt) != 1 || (rtnl_route_get_flags(rt) & RTM_F_CLONED))
		return false;
	nh = rtnl_route_nexthop_n(rt, 0);
	if (rtnl_route_nh_get_ifindex(nh) != ifindex)
		return false;
	memset(e, 0, sizeof(*e));
	e->dst.ip.family = rtnl_route_get_family(rt);
	if (dst && nl_addr_get_len(dst) <= sizeof(e->dst.ip.addr))
		memcpy(e->dst.ip.addr, nl_addr_get_binary_addr(dst), nl_addr_get_len(dst));
	e->dst.prefix = dst ? (unsigned)nl_addr_get_prefixlen(dst) : 0;
	ip_from_nl(rtnl_route_nh_get_gateway(nh), &e->gw);
	ip_from_nl(rtnl_route_get_pref_src(rt), &e->src);
	e->ifindex = ifindex;
	e->table = rtnl_route_get_table(rt);
	e->priority = rtnl_route_get_priority(rt);
	e->protocol = rtnl_route_get_protocol(rt);
	e->scope = rtnl_route_get_scope(rt);
	e->type = rtnl_route_get_type(rt);
	e->tos = rtnl_route_get_tos(rt);
	for (int m = RTAX_MTU; m < KROUTE_METRICS; m++)
		if (m != RTAX_CC_ALGO && rtnl_route_get_metric(rt, m, &e->metrics[m]) < 0)
			e->metrics[m] = 0;
	return true;
}

int kroute_list_dev(struct nl_sock *sk, int ifindex, uint32_t table, struct kroute_entry **out,
		    size_t *n, struct ccni_error *err)
{
	_cleanup_(cache_freep) struct nl_cache *cache = NULL;
	_cleanup_free_ struct kroute_entry *list = NULL;
	size_t count = 0;
	int rc = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &cache);

	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "list routes: %s", nl_geterror(rc));
	list = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(*list));
	if (!list)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;

		if (rtnl_route_get_table(rt) == (table ? table : RT_TABLE_MAIN) &&
		    entry_from(rt, ifindex, &list[count]))
			count++;
	}
	*out = TAKE_PTR(list);
	*n = count;
	return 0;
}

/* The request for e, with the defaults a zero field stands for. */
static struct rtnl_route *entry_build(const struct kroute_entry *e)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *a = ip_to_nl(&e->dst.ip, e->dst.prefix);
	bool ok = rt && nh && a && rtnl_route_set_dst(rt, a) == 0;

	if (a)
		nl_addr_put(a);
	if (!ok) {
		if (nh)
			rtnl_route_nh_free(nh);
		return NULL;
	}
	rtnl_route_set_family(rt, e->dst.ip.family);
	rtnl_route_set_table(rt, e->table ? e->table : RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, e->protocol ? e->protocol : RTPROT_BOOT);
	rtnl_route_set_type(rt, e->type ? e->type : RTN_UNICAST);
	rtnl_route_set_scope(rt, e->scope);
	if (e->tos)
		rtnl_route_set_tos(rt, e->tos);
	if (e->priority)
		rtnl_route_set_priority(rt, e->priority);
	for (int m = RTAX_MTU; m < KROUTE_METRICS; m++)
		if (e->metrics[m])
			rtnl_route_set_metric(rt, m, e->metrics[m]);
	if (e->src.family && (a = ip_to_nl(&e->src, ccni_ip_bits(&e->src)))) {
		rtnl_route_set_pref_src(rt, a);
		nl_addr_put(a);
	}
	rtnl_route_nh_set_ifindex(nh, e->ifindex);
	if (e->gw.family && (a = ip_to_nl(&e->gw, ccni_ip_bits(&e->gw)))) {
		rtnl_route_nh_set_gateway(nh, a);
		nl_addr_put(a);
	}
	rtnl_route_add_nexthop(rt, nh);
	return TAKE_PTR(rt);
}

static const char *entry_text(const struct kroute_entry *e, char *buf, size_t len)
{
	char d[CCNI_IPNET_STRLEN], g[CCNI_IP_STRLEN];

	snprintf(buf, len, "%s%s%s dev %d table %u", ccni_ipnet_format(&e->dst, d),
		 e->gw.family ? " via " : "", e->gw.family ? ccni_ip_format(&e->gw, g) : "",
		 e->ifindex, e->table ? e->table : RT_TABLE_MAIN);
	return buf;
}

int kroute_entry_add(struct nl_sock *sk, const struct kroute_entry *e, bool replace,
		     struct ccni_error *err)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = entry_build(e);
	char b[160];
	int rc;

	if (!rt)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = rtnl_route_add(sk, rt, replace ? NLM_F_REPLACE : NLM_F_EXCL);
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "add route %s: %s",
				      entry_text(e, b, sizeof(b)), nl_geterror(rc));
	return 0;
}

int kroute_entry_del(struct nl_sock *sk, const struct kroute_entry *e, struct ccni_error *err)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = entry_build(e);
	char b[160];
	int rc;

	if (!rt)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = rtnl_route_delete(sk, rt, 0);
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "delete route %s: %s",
				      entry_text(e, b, sizeof(b)), nl_geterror(rc));
	return 0;
}
