/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sbr — a chained plugin for source-based routing, as the reference does
 * it: for each prevResult address of the interface, a rule "from ADDR/32
 * (/128) lookup N" with N the first table from 100 on that no rule names
 * (a new one for each address), the default route via the address's gateway
 * in N, and the interface's main-table routes that belong to that address
 * copied to N; then those routes leave the main table. With "table", only
 * the rules are added, to that table. DEL removes the rules whose source is
 * an address of the interface. The result is prevResult unchanged.
 *
 * Everything happens in the container's namespace, under an exclusive
 * flock(2) on it (the reference's lock, so the two serialise too).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include <linux/rtnetlink.h>

#include <ccni/conf.h>
#include <ccni/plugin.h>

#include "lib/common/cleanup.h"
#include "net/addr.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/route.h"
#include "net/rule.h"
#include "plugins/meta/sbr/sbr.h"


/* --- configuration and choices ------------------------------------------------ */

int sbr_conf_parse(const struct ccni_request *req, struct sbr_conf *c, struct ccni_error *err)
{
	long long t = -1;

	memset(c, 0, sizeof(*c));
	if (ccni_json_get_int(req->config, "", "table", 1, UINT32_MAX, &t, err) < 0)
		return -1;
	if (t >= 0) {
		c->has_table = true;
		c->table = (uint32_t)t;
	}
	return 0;
}

uint32_t sbr_table_next(const uint32_t *used, size_t n, uint32_t from)
{
	for (uint32_t t = from; t != 0; t++) {
		size_t i = 0;

		while (i < n && used[i] != t)
			i++;
		if (i == n)
			return t;
	}
	return 0; /* every id taken: cannot happen with a finite rule list */
}

size_t sbr_ips_of(const struct ccni_result *r, const char *ifname, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_ips; i++) {
		int itf = r->ips[i].interface;

		if (itf >= 0 && (size_t)itf < r->n_interfaces && r->interfaces[itf].name &&
		    strcmp(r->interfaces[itf].name, ifname) != 0)
			continue;
		idx[n++] = i;
	}
	return n;
}

/* --- the container's namespace ------------------------------------------------ */

struct sbr_ns {
	int nsfd;
	struct nl_sock *sk;
	struct link link;
};

static void sbr_ns_close(struct sbr_ns *s)
{
	netlink_closep(&s->sk);
	closep(&s->nsfd); /* drops the lock too */
}

/* Open and lock the namespace, find the interface. 1 when the link is
 * missing (err set), 0 or -1. */
static int sbr_ns_open(const struct ccni_request *req, struct sbr_ns *s, struct ccni_error *err)
{
	int rc;

	if (netlink_open_locked(req->netns, &s->nsfd, &s->sk, err) < 0)
		return -1;
	rc = link_get(s->sk, req->ifname, 0, &s->link, err);
	if (rc == 1)
		ccni_error_set(err, CCNI_ERR_NOT_FOUND,
			       "CNI_IFNAME: no link \"%s\" in the container", req->ifname);
	return rc;
}

/* --- ADD ------------------------------------------------------------------------- */

/* What an ADD has added so far, to take it back when a later step fails. */
struct sbr_undo {
	struct ccni_ip *rule_src;
	uint32_t *rule_table;
	size_t n_rules;
	struct route *routes;
	size_t n_routes;
};

static void sbr_undo_clear(struct sbr_undo *u)
{
	free(u->rule_src);
	free(u->rule_table);
	free(u->routes);
}

static int sbr_undo_alloc(struct sbr_undo *u, size_t rules, size_t routes, struct ccni_error *err)
{
	u->rule_src = calloc(rules ? rules : 1, sizeof(*u->rule_src));
	u->rule_table = calloc(rules ? rules : 1, sizeof(*u->rule_table));
	u->routes = calloc(routes ? routes : 1, sizeof(*u->routes));
	if (!u->rule_src || !u->rule_table || !u->routes)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	return 0;
}

static void sbr_undo_run(struct nl_sock *sk, const struct sbr_undo *u)
{
	struct ccni_error e = CCNI_ERROR_INIT;

	for (size_t i = u->n_routes; i-- > 0;)
		if (route_del(sk, &u->routes[i], &e) < 0)
			ccni_error_clear(&e);
	for (size_t i = 0; i < u->n_rules; i++)
		if (rule_del_from(sk, &u->rule_src[i], 1, u->rule_table[i], &e) < 0)
			ccni_error_clear(&e);
}

/* "from ADDR/32 (/128) lookup table". */
static int add_rule(struct nl_sock *sk, const struct ccni_ip *ip, uint32_t table,
		    struct sbr_undo *u, struct ccni_error *err)
{
	struct ccni_ipnet src = {.ip = *ip, .prefix = ccni_ip_bits(ip)};

	if (rule_add_from(sk, &src, table, err) < 0)
		return -1;
	u->rule_src[u->n_rules] = *ip;
	u->rule_table[u->n_rules++] = table;
	return 0;
}

static int add_route(struct nl_sock *sk, const struct route *e, bool replace,
		     struct sbr_undo *u, struct ccni_error *err)
{
	if (route_add(sk, e, replace, false, err) < 0)
		return -1;
	u->routes[u->n_routes++] = *e;
	return 0;
}

/* The reference copies a route that has this address's subnet as its source
 * or gateway, and every route that has neither (of any family). */
static bool route_belongs(const struct route *r, const struct ccni_ipnet *addr)
{
	return ccni_ipnet_contains(addr, &r->src) || ccni_ipnet_contains(addr, &r->gw) ||
	       (!r->src.family && !r->gw.family);
}

/* One address: its rule, its default route, copies of its routes. */
static int route_one(struct sbr_ns *s, const struct ccni_ipconfig *ip, uint32_t table,
		     const struct route *dev, size_t n_dev, struct sbr_undo *u,
		     struct ccni_error *err)
{
	if (add_rule(s->sk, &ip->address.ip, table, u, err) < 0)
		return -1;
	if (ip->gateway.family) {
		struct route def = {.gw = ip->gateway,
					   .ifindex = s->link.ifindex,
					   .table = table,
					   .scope = RT_SCOPE_UNIVERSE};

		def.dst.ip.family = ip->address.ip.family;
		if (add_route(s->sk, &def, false, u, err) < 0)
			return ccni_error_prefix(err, "default route via gateway");
	}
	for (size_t i = 0; i < n_dev; i++) {
		struct route copy = dev[i];

		if (!route_belongs(&dev[i], &ip->address))
			continue;
		copy.table = table;
		/* Replace: the default route just added may be one of them. */
		if (add_route(s->sk, &copy, true, u, err) < 0)
			return -1;
	}
	return 0;
}

static int move_routes(struct sbr_ns *s, const struct ccni_result *prev, const size_t *idx,
		       size_t n, struct ccni_error *err)
{
	_cleanup_free_ uint32_t *used = NULL;
	_cleanup_free_ struct route *dev = NULL;
	_cleanup_(sbr_undo_clear) struct sbr_undo u = {0};
	size_t n_used = 0, n_dev = 0;
	uint32_t table;

	if (rule_tables(s->sk, &used, &n_used, err) < 0 ||
	    route_list_dev(s->sk, s->link.ifindex, RT_TABLE_MAIN, &dev, &n_dev, err) < 0 ||
	    sbr_undo_alloc(&u, n, n * (n_dev + 1), err) < 0)
		return -1;
	table = sbr_table_next(used, n_used, SBR_FIRST_TABLE);
	for (size_t i = 0; i < n; i++) {
		if (route_one(s, &prev->ips[idx[i]], table, dev, n_dev, &u, err) < 0) {
			sbr_undo_run(s->sk, &u);
			return -1;
		}
		table = sbr_table_next(used, n_used, table + 1);
	}
	/* Only now, so that a second address in the same subnet still finds
	 * its gateway reachable through the main table. */
	for (size_t i = 0; i < n_dev; i++)
		if (route_del(s->sk, &dev[i], err) < 0)
			return -1;
	return 0;
}

static int rules_only(struct sbr_ns *s, const struct ccni_result *prev, const size_t *idx, size_t n,
		      uint32_t table, struct ccni_error *err)
{
	_cleanup_(sbr_undo_clear) struct sbr_undo u = {0};

	if (sbr_undo_alloc(&u, n, 0, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (add_rule(s->sk, &prev->ips[idx[i]].address.ip, table, &u, err) < 0) {
			sbr_undo_run(s->sk, &u);
			return -1;
		}
	}
	return 0;
}

static int sbr_add(const struct ccni_request *req, struct ccni_result **out, struct ccni_error *err)
{
	_cleanup_(sbr_ns_close) struct sbr_ns s = {.nsfd = -1};
	_cleanup_(ccni_result_freep) struct ccni_result *r = NULL;
	_cleanup_free_ size_t *idx = NULL;
	struct sbr_conf c;
	size_t n;

	if (sbr_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->prev_result)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "prevResult: missing (sbr is a chained plugin: it needs "
				      "the result of the plugin that made the interface)");
	idx = calloc(req->prev_result->n_ips + 1, sizeof(*idx));
	if (!idx)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	n = sbr_ips_of(req->prev_result, req->ifname, idx);
	if (n == 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "prevResult.ips: no IP address of interface \"%s\"",
				      req->ifname);
	if (sbr_ns_open(req, &s, err) != 0)
		return -1;
	if (c.has_table ? rules_only(&s, req->prev_result, idx, n, c.table, err) < 0
			: move_routes(&s, req->prev_result, idx, n, err) < 0)
		return -1;
	r = ccni_result_copy(req->prev_result);
	if (!r)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	*out = TAKE_PTR(r);
	return 0;
}

/* --- DEL ------------------------------------------------------------------------- */

/* The rules go by the addresses the interface has now, as in the reference;
 * nothing is left to do when the namespace or the interface is gone. */
static int sbr_del(const struct ccni_request *req, struct ccni_result **out, struct ccni_error *err)
{
	_cleanup_(sbr_ns_close) struct sbr_ns s = {.nsfd = -1};
	_cleanup_free_ struct ccni_ipnet *addrs = NULL;
	_cleanup_free_ struct ccni_ip *ips = NULL;
	struct sbr_conf c;
	size_t n;
	int rc;

	(void)out;
	if (sbr_conf_parse(req, &c, err) < 0)
		return -1;
	if (!req->netns || !*req->netns)
		return 0;
	rc = sbr_ns_open(req, &s, err);
	if (rc == 1 || (rc < 0 && err->code == CCNI_ERR_UNKNOWN_CONTAINER)) {
		ccni_error_clear(err);
		return 0;
	}
	if (rc < 0)
		return -1;
	if (addr_list(s.sk, s.link.ifindex, AF_UNSPEC, &addrs, &n, err) < 0)
		return -1;
	if (!(ips = calloc(n + 1, sizeof(*ips))))
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		ips[i] = addrs[i].ip;
	return rule_del_from(s.sk, ips, n, c.has_table ? c.table : 0, err) < 0 ? -1 : 0;
}

/* `ccni validate`: its keys, and its parser. */
static const char *const sbr_keys[] = { "table", NULL };

static int sbr_validate(const struct ccni_request *req, struct ccni_error *err)
{
	struct sbr_conf c;

	return sbr_conf_parse(req, &c, err);
}

const struct ccni_plugin plugin_sbr = {
    .name = "sbr",
    .about = "ccni sbr: source-based routing for the container's interface",
    .add = sbr_add,
    .del = sbr_del,
    /* The reference's CHECK does nothing and succeeds; so does ours. */
    .validate = sbr_validate,
    .keys = sbr_keys,
};
