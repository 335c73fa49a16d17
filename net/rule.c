/* SPDX-License-Identifier: Apache-2.0 */
/* rule.c — see rule.h. */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/util.h"
#include "net/netlink.h"
#include "net/rule.h"

/* One listed rule: what rule_tables and rule_del_from look at, and the
 * attributes that name it exactly for its deletion. */
struct rule {
	uint8_t family, src_len;
	struct ccni_ip src; /* family 0: no source */
	uint32_t table, priority;
};

struct rule_list {
	struct rule *r;
	size_t n, cap;
	bool nomem;
};

static int on_rule(struct nlmsghdr *h, void *arg)
{
	struct rule_list *l = arg;
	struct fib_rule_hdr *frh = nlmsg_data(h);
	struct nlattr *tb[FRA_MAX + 1];
	struct rule *r;

	if (h->nlmsg_type != RTM_NEWRULE || nlmsg_parse(h, sizeof(*frh), tb, FRA_MAX, NULL) < 0)
		return 0;
	if (!(r = util_array_grow(l->r, l->n, &l->cap, sizeof(*r)))) {
		l->nomem = true;
		return 0;
	}
	l->r = r;
	r = &l->r[l->n++];
	memset(r, 0, sizeof(*r));
	r->family = frh->family;
	r->src_len = frh->src_len;
	r->table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh->table;
	r->priority = tb[FRA_PRIORITY] ? nla_get_u32(tb[FRA_PRIORITY]) : 0;
	if (tb[FRA_SRC] && (nla_len(tb[FRA_SRC]) == 4 || nla_len(tb[FRA_SRC]) == 16)) {
		r->src.family = frh->family;
		memcpy(r->src.addr, nla_data(tb[FRA_SRC]), (size_t)nla_len(tb[FRA_SRC]));
	}
	return 0;
}

/* Every rule of every family, in rule order. The request carries a whole
 * fib_rule_hdr: under strict checking (netlink_open turns it on) a bare
 * rtgenmsg, as libnl sends, is answered with no rules at all. */
static int rule_list(struct nl_sock *sk, struct rule_list *l, struct ccni_error *err)
{
	struct fib_rule_hdr frh = { .family = AF_UNSPEC };
	struct nl_msg *msg = netlink_msg(RTM_GETRULE, NLM_F_DUMP, &frh, sizeof(frh));
	struct netlink_answer ans;

	memset(l, 0, sizeof(*l));
	if (!msg)
		return netlink_nomem(err, "rule listing");
	if (netlink_talk(sk, msg, on_rule, l, &ans) < 0 || l->nomem) {
		free(l->r);
		l->r = NULL;
		return l->nomem ? netlink_nomem(err, "rule listing") :
				  netlink_error(err, &ans, "list rules");
	}
	return 0;
}

int rule_tables(struct nl_sock *sk, uint32_t **tables, size_t *n, struct ccni_error *err)
{
	struct rule_list l;
	uint32_t *out = NULL;

	if (rule_list(sk, &l, err) < 0)
		return -1;
	if (l.n && !(out = calloc(l.n, sizeof(*out)))) {
		free(l.r);
		return netlink_nomem(err, "rule listing");
	}
	for (size_t i = 0; i < l.n; i++)
		out[i] = l.r[i].table;
	free(l.r);
	*tables = out;
	*n = l.n;
	return 0;
}

static struct nl_msg *rule_msg(int type, int flags, uint8_t family, const struct ccni_ip *src,
			       uint8_t src_len, uint32_t table, uint32_t priority)
{
	struct fib_rule_hdr frh = {
		.family = family,
		.src_len = src_len,
		.table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC,
		.action = FR_ACT_TO_TBL,
	};
	_cleanup_(nlmsg_freep) struct nl_msg *msg = netlink_msg(type, flags, &frh, sizeof(frh));

	if (!msg || nla_put_u32(msg, FRA_TABLE, table) < 0 ||
	    (src->family && nla_put(msg, FRA_SRC, (int)ccni_ip_len(src), src->addr) < 0) ||
	    (priority && nla_put_u32(msg, FRA_PRIORITY, priority) < 0))
		return NULL;
	return TAKE_PTR(msg);
}

struct nl_msg *rule_from_msg(const struct ccni_ipnet *src, uint32_t table)
{
	return rule_msg(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, (uint8_t)src->ip.family, &src->ip,
			(uint8_t)src->prefix, table, 0);
}

int rule_add_from(struct nl_sock *sk, const struct ccni_ipnet *src, uint32_t table,
		  struct ccni_error *err)
{
	struct nl_msg *msg = rule_from_msg(src, table);
	char b[CCNI_IPNET_STRLEN];

	if (!msg)
		return netlink_nomem(err, "rule");
	return netlink_request(sk, msg, 0, err, "add rule from %s lookup %u",
			       ccni_ipnet_format(src, b), table);
}

static bool src_is_one_of(const struct rule *r, const struct ccni_ip *addrs, size_t n)
{
	for (size_t i = 0; r->src.family && i < n; i++)
		if (ccni_ip_equal(&r->src, &addrs[i]))
			return true;
	return false;
}

int rule_del_from(struct nl_sock *sk, const struct ccni_ip *addrs, size_t n, uint32_t table,
		  struct ccni_error *err)
{
	struct rule_list l;
	int deleted = 0, failed = 0;

	if (rule_list(sk, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		const struct rule *r = &l.r[i];
		struct nl_msg *msg;
		char b[CCNI_IP_STRLEN];

		if ((table && r->table != table) || !src_is_one_of(r, addrs, n))
			continue;
		/* The listed rule itself, priority and all, names exactly one rule. */
		msg = rule_msg(RTM_DELRULE, 0, r->family, &r->src, r->src_len, r->table, r->priority);
		if (!msg) {
			failed = netlink_nomem(err, "rule");
			continue;
		}
		/* Keeps going: err holds the last failure. */
		if (netlink_request(sk, msg, ENOENT, err, "delete rule %u: from %s/%u lookup %u",
				    r->priority, ccni_ip_format(&r->src, b), r->src_len, r->table) < 0)
			failed = 1;
		else
			deleted++;
	}
	free(l.r);
	return failed ? -1 : deleted;
}
