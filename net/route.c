/* SPDX-License-Identifier: Apache-2.0 */
/* route.c — see route.h. */
#include <assert.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/util.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/route.h"

struct route route_init(void)
{
	return (struct route){ .scope = -1 };
}

static int put_ip(struct nl_msg *msg, int type, const struct ccni_ip *ip)
{
	return nla_put(msg, type, (int)ccni_ip_len(ip), ip->addr);
}

static int put_metrics(struct nl_msg *msg, const struct route *r)
{
	struct nlattr *m = NULL;

	for (int i = RTAX_MTU; i < ROUTE_METRICS; i++) {
		/* RTAX_CC_ALGO is a string, never carried */
		if (!r->metrics[i] || i == RTAX_CC_ALGO)
			continue;
		if ((!m && !(m = nla_nest_start(msg, RTA_METRICS))) ||
		    nla_put_u32(msg, i, r->metrics[i]) < 0)
			return -1;
	}
	if (m)
		nla_nest_end(msg, m);
	return 0;
}

struct nl_msg *route_msg(bool add, const struct route *r, int flags)
{
	uint32_t table = r->table ? r->table : RT_TABLE_MAIN;
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)r->dst.ip.family,
		.rtm_dst_len = (uint8_t)r->dst.prefix,
		.rtm_tos = r->tos,
		.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_COMPAT,
		.rtm_protocol = r->protocol ? r->protocol : RTPROT_BOOT,
		.rtm_scope = (uint8_t)(r->scope >= 0 ? r->scope :
				       r->gw.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK),
		.rtm_type = r->type ? r->type : RTN_UNICAST,
	};
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
		netlink_msg(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? flags : 0, &rtm, sizeof(rtm));
	struct ccni_ipnet dst = ccni_ipnet_network(&r->dst);
	assert(r && (r->dst.ip.family == AF_INET || r->dst.ip.family == AF_INET6));

	if (!msg || nla_put_u32(msg, RTA_TABLE, table) < 0 ||
	    (dst.prefix && put_ip(msg, RTA_DST, &dst.ip) < 0) ||
	    (r->priority && nla_put_u32(msg, RTA_PRIORITY, r->priority) < 0) ||
	    (r->src.family && put_ip(msg, RTA_PREFSRC, &r->src) < 0) || put_metrics(msg, r) < 0 ||
	    (r->ifindex && nla_put_u32(msg, RTA_OIF, (uint32_t)r->ifindex) < 0) ||
	    (r->gw.family && put_ip(msg, RTA_GATEWAY, &r->gw) < 0))
		return NULL;
	return TAKE_PTR(msg);
}

const char *route_text(struct nl_sock *sk, const struct route *r, char *buf, size_t len)
{
	char d[CCNI_IPNET_STRLEN], g[CCNI_IP_STRLEN], dev[LINK_NAME_MAX], t[24] = "";
	struct ccni_ipnet dst = ccni_ipnet_network(&r->dst);

	if (r->table && r->table != RT_TABLE_MAIN)
		snprintf(t, sizeof(t), " table %u", r->table);
	snprintf(buf, len, "%s%s%s%s%s%s", ccni_ipnet_format(&dst, d), r->gw.family ? " via " : "",
		 r->gw.family ? ccni_ip_format(&r->gw, g) : "", r->ifindex ? " dev " : "",
		 r->ifindex ? link_name(sk, r->ifindex, dev) : "", t);
	return buf;
}

static int route_send(struct nl_sock *sk, struct nl_msg *msg, const struct route *r,
		      const char *verb, int ok1, int ok2, struct ccni_error *err)
{
	struct netlink_answer ans;
	char b[160];
	int rc;

	if (!msg)
		return netlink_nomem(err, "route");
	rc = netlink_talk(sk, msg, NULL, NULL, &ans);
	if (rc == 0 || (ok1 && rc == -ok1) || (ok2 && rc == -ok2))
		return 0;
	return netlink_error(err, &ans, "%s route %s", verb, route_text(sk, r, b, sizeof(b)));
}

int route_add(struct nl_sock *sk, const struct route *r, bool replace, bool ok_exists,
	      struct ccni_error *err)
{
	int flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);

	return route_send(sk, route_msg(true, r, flags), r, "add",
			  !replace && ok_exists ? EEXIST : 0, 0, err);
}

int route_del(struct nl_sock *sk, const struct route *r, struct ccni_error *err)
{
	/* ESRCH: no such route; ENODEV: its device is gone, and it with it. */
	return route_send(sk, route_msg(false, r, 0), r, "delete", ESRCH, ENODEV, err);
}

int route_del_prefix(struct nl_sock *sk, const struct ccni_ipnet *dst, int ifindex,
		     struct ccni_error *err)
{
	struct route r = route_init();
	struct nl_msg *msg;

	r.dst = ccni_ipnet_network(dst);
	r.ifindex = ifindex;
	msg = route_msg(false, &r, 0);
	if (msg) {
		/* Protocol 0 and scope "nowhere" match any in a deletion. */
		struct rtmsg *rtm = nlmsg_data(nlmsg_hdr(msg));

		rtm->rtm_protocol = RTPROT_UNSPEC;
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	return route_send(sk, msg, &r, "delete", ESRCH, ENODEV, err);
}

/* --- reading routes ------------------------------------------------------------- */

static void ip_of(const struct nlattr *a, int family, struct ccni_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (!a || (nla_len(a) != 4 && nla_len(a) != 16))
		return;
	out->family = family;
	memcpy(out->addr, nla_data(a), (size_t)nla_len(a));
}

/* A listed route into *r; false for what ccni never makes or moves: clones
 * and multipath routes. */
static bool route_parse(struct nlmsghdr *h, struct route *r)
{
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1], *mx[RTAX_MAX + 1];

	if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0 ||
	    (rtm->rtm_flags & RTM_F_CLONED) || tb[RTA_MULTIPATH])
		return false;
	*r = route_init();
	ip_of(tb[RTA_DST], rtm->rtm_family, &r->dst.ip);
	r->dst.ip.family = rtm->rtm_family;
	r->dst.prefix = rtm->rtm_dst_len;
	ip_of(tb[RTA_GATEWAY], rtm->rtm_family, &r->gw);
	ip_of(tb[RTA_PREFSRC], rtm->rtm_family, &r->src);
	r->ifindex = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	r->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->priority = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r->scope = rtm->rtm_scope;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->tos = rtm->rtm_tos;
	if (tb[RTA_METRICS] && nla_parse_nested(mx, RTAX_MAX, tb[RTA_METRICS], NULL) == 0)
		for (int i = RTAX_MTU; i < ROUTE_METRICS; i++)
			if (i != RTAX_CC_ALGO && mx[i] && nla_len(mx[i]) >= 4)
				r->metrics[i] = nla_get_u32(mx[i]);
	return true;
}

struct route_dump {
	int (*each)(const struct route *r, void *arg);
	void *arg;
};

static int on_route(struct nlmsghdr *h, void *arg)
{
	struct route_dump *d = arg;
	struct route r;

	if (route_parse(h, &r))
		d->each(&r, d->arg);
	return 0;
}

/* Dump the routes of family (AF_UNSPEC: all) in table, through ifindex
 * when not 0: the kernel filters on both. */
static int route_dump(struct nl_sock *sk, int family, uint32_t table, int ifindex,
		      int (*each)(const struct route *r, void *arg), void *arg,
		      struct ccni_error *err)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)family };
	struct nl_msg *msg = netlink_msg(RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	struct route_dump d = { each, arg };
	struct netlink_answer ans;

	if (!msg || nla_put_u32(msg, RTA_TABLE, table) < 0 ||
	    (ifindex && nla_put_u32(msg, RTA_OIF, (uint32_t)ifindex) < 0)) {
		nlmsg_free(msg);
		return netlink_nomem(err, "route listing");
	}
	/* ENOENT: the table does not exist, so it has no routes. */
	if (netlink_talk(sk, msg, on_route, &d, &ans) < 0 && ans.error != ENOENT)
		return netlink_error(err, &ans, "list routes");
	return 0;
}

struct route_find {
	const struct route *want;
	bool found;
};

static int match(const struct route *r, void *arg)
{
	struct route_find *f = arg;
	const struct route *w = f->want;
	struct ccni_ipnet wd = ccni_ipnet_network(&w->dst);

	if (r->dst.ip.family == w->dst.ip.family && r->dst.prefix == wd.prefix &&
	    (!wd.prefix || ccni_ip_equal(&r->dst.ip, &wd.ip)) &&
	    (!w->ifindex || r->ifindex == w->ifindex) &&
	    (!w->gw.family || ccni_ip_equal(&r->gw, &w->gw)))
		f->found = true;
	return 0;
}

int route_foreach(struct nl_sock *sk, int family, uint32_t table,
		  int (*fn)(const struct route *r, void *arg), void *arg, struct ccni_error *err)
{
	return route_dump(sk, family, table ? table : RT_TABLE_MAIN, 0, fn, arg, err);
}

int route_exists(struct nl_sock *sk, const struct route *r, struct ccni_error *err)
{
	struct route_find f = { r, false };

	if (route_dump(sk, r->dst.ip.family, r->table ? r->table : RT_TABLE_MAIN, 0, match, &f,
		       err) < 0)
		return -1;
	return f.found;
}

struct route_list {
	int ifindex;
	uint32_t table;
	struct route *out;
	size_t n, cap;
	bool nomem;
};

static int collect(const struct route *r, void *arg)
{
	struct route_list *l = arg;
	struct route *p;

	if (r->ifindex != l->ifindex || r->table != l->table)
		return 0;
	if (!(p = util_array_grow(l->out, l->n, &l->cap, sizeof(*p)))) {
		l->nomem = true;
		return 0;
	}
	l->out = p;
	l->out[l->n++] = *r;
	return 0;
}

int route_list_dev(struct nl_sock *sk, int ifindex, uint32_t table, struct route **out,
		   size_t *n, struct ccni_error *err)
{
	struct route_list l = { .ifindex = ifindex, .table = table ? table : RT_TABLE_MAIN };

	*out = NULL;
	*n = 0;
	if (route_dump(sk, AF_UNSPEC, l.table, ifindex, collect, &l, err) < 0 || l.nomem) {
		free(l.out);
		return l.nomem ? netlink_nomem(err, "route listing") : -1;
	}
	*out = l.out;
	*n = l.n;
	return 0;
}

struct table_set {
	uint32_t *t;
	size_t n, cap;
	bool nomem;
};

static int add_table(const struct route *r, void *arg)
{
	struct table_set *s = arg;
	uint32_t *p;

	for (size_t i = 0; i < s->n; i++)
		if (s->t[i] == r->table)
			return 0;
	if (!(p = util_array_grow(s->t, s->n, &s->cap, sizeof(*p)))) {
		s->nomem = true;
		return 0;
	}
	s->t = p;
	s->t[s->n++] = r->table;
	return 0;
}

int route_tables(struct nl_sock *sk, uint32_t **out, size_t *n, struct ccni_error *err)
{
	struct table_set s = { 0 };

	*out = NULL;
	*n = 0;
	/* table 0: every table */
	if (route_dump(sk, AF_UNSPEC, RT_TABLE_UNSPEC, 0, add_table, &s, err) < 0 || s.nomem) {
		free(s.t);
		return s.nomem ? netlink_nomem(err, "route listing") : -1;
	}
	*out = s.t;
	*n = s.n;
	return 0;
}

uint32_t route_table_unused(const uint32_t *used, size_t n, uint32_t from)
{
	for (uint32_t t = from ? from : 1; t != 0; t++) {
		size_t i = 0;

		if (t >= RT_TABLE_COMPAT && t <= RT_TABLE_LOCAL)
			continue; /* compat (252), default, main, local */
		while (i < n && used[i] != t)
			i++;
		if (i == n)
			return t;
	}
	return 0; /* every id taken: cannot happen with finite lists */
}

struct oif_find {
	int oif;
};

static int on_lookup(struct nlmsghdr *h, void *arg)
{
	struct oif_find *f = arg;
	struct nlattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type == RTM_NEWROUTE &&
	    nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL) == 0 && tb[RTA_OIF])
		f->oif = (int)nla_get_u32(tb[RTA_OIF]);
	return 0;
}

int route_get_oif(struct nl_sock *sk, const struct ccni_ip *dst, struct ccni_error *err)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)dst->family,
			     .rtm_dst_len = (uint8_t)ccni_ip_bits(dst) };
	struct nl_msg *msg = netlink_msg(RTM_GETROUTE, 0, &rtm, sizeof(rtm));
	struct oif_find f = { 0 };
	struct netlink_answer ans;
	char b[CCNI_IP_STRLEN];
	int rc;

	if (!msg || put_ip(msg, RTA_DST, dst) < 0) {
		nlmsg_free(msg);
		return netlink_nomem(err, "route lookup");
	}
	rc = netlink_talk(sk, msg, on_lookup, &f, &ans);
	/* The kernel answers a destination it cannot route with an error
	 * (ENETUNREACH, EHOSTUNREACH, EINVAL for some): that is the answer. */
	if (rc == -ENOMEM || rc == -EIO)
		return netlink_error(err, &ans, "route lookup of %s", ccni_ip_format(dst, b));
	return rc < 0 ? 0 : f.oif;
}

/* --- the default route's interface ------------------------------------------------ */

struct default_find {
	int oif;
	bool is_default;
};

static int on_fib_match(struct nlmsghdr *h, void *arg)
{
	struct default_find *f = arg;
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type == RTM_NEWROUTE && nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) == 0) {
		f->is_default = rtm->rtm_dst_len == 0;
		f->oif = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	}
	return 0;
}

/* The route the kernel would use for probe, itself (RTM_F_FIB_MATCH): one
 * lookup. 1 and *f when there is one, 0 when nothing routes it. */
static int fib_match(struct nl_sock *sk, const struct ccni_ip *probe, struct default_find *f,
		     struct ccni_error *err)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)probe->family,
			     .rtm_dst_len = (uint8_t)ccni_ip_bits(probe),
			     .rtm_flags = RTM_F_FIB_MATCH };
	struct nl_msg *msg = netlink_msg(RTM_GETROUTE, 0, &rtm, sizeof(rtm));
	struct netlink_answer ans;
	int rc;

	if (!msg || put_ip(msg, RTA_DST, probe) < 0) {
		nlmsg_free(msg);
		return netlink_nomem(err, "route lookup");
	}
	rc = netlink_talk(sk, msg, on_fib_match, f, &ans);
	if (rc == -ENOMEM || rc == -EIO)
		return netlink_error(err, &ans, "default route lookup");
	return rc == 0;
}

static int first_default(const struct route *r, void *arg)
{
	struct default_find *f = arg;

	if (!f->oif && r->dst.prefix == 0 && r->ifindex > 0 && r->type == RTN_UNICAST)
		f->oif = r->ifindex;
	return 0;
}

int route_default_oif(struct nl_sock *sk, struct ccni_error *err)
{
	/* An address only a default route covers, usually: when a narrower
	 * route covers it (a VPN's 0.0.0.0/1), the main table is read. */
	static const struct ccni_ip probes[2] = {
		{ .family = AF_INET, .addr = { 0, 0, 0, 1 } },
		{ .family = AF_INET6 }, /* "::" */
	};

	for (int i = 0; i < 2; i++) {
		struct default_find f = { 0, false };
		int rc = fib_match(sk, &probes[i], &f, err);

		if (rc < 0)
			return -1;
		if (rc == 1 && f.is_default && f.oif > 0)
			return f.oif;
		if (rc == 1 && !f.is_default) {
			f.oif = 0;
			if (route_dump(sk, probes[i].family, RT_TABLE_MAIN, 0, first_default, &f, err) < 0)
				return -1;
			if (f.oif > 0)
				return f.oif;
		}
	}
	return 0;
}
