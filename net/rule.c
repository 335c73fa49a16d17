/* SPDX-License-Identifier: Apache-2.0 */
/* rule.c — see rule.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <netlink/errno.h>
#include <netlink/route/rule.h>

#include "lib/common/cleanup.h"
#include "net/rule.h"

static void cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}

/* libnl asks for the dump with a bare rtgenmsg, which a socket under
 * NETLINK_GET_STRICT_CHK (as kns_socket makes them) gets answered with no
 * rules at all; the check is off for this one request. */
static int rule_cache(struct nl_sock *sk, struct nl_cache **cache, struct ccni_error *err)
{
	int fd = nl_socket_get_fd(sk), off = 0, on = 1, rc;

	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
	rc = rtnl_rule_alloc_cache(sk, AF_UNSPEC, cache);
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on));
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "list rules: %s", nl_geterror(rc));
	return 0;
}

int krule_tables(struct nl_sock *sk, uint32_t **tables, size_t *n, struct ccni_error *err)
{
	_cleanup_(cache_freep) struct nl_cache *cache = NULL;
	_cleanup_free_ uint32_t *out = NULL;
	size_t count = 0, i = 0;

	if (rule_cache(sk, &cache, err) < 0)
		return -1;
	count = (size_t)nl_cache_nitems(cache);
	if (count) {
		out = calloc(count, sizeof(*out));
		if (!out)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o && i < count;
	     o = nl_cache_get_next(o))
		out[i++] = rtnl_rule_get_table((struct rtnl_rule *)o);
	*tables = TAKE_PTR(out);
	*n = i;
	return 0;
}

int krule_add_from(struct nl_sock *sk, const struct ccni_ipnet *src, uint32_t table,
		   struct ccni_error *err)
{
	struct rtnl_rule *r = rtnl_rule_alloc();
	struct nl_addr *a = nl_addr_build(src->ip.family, src->ip.addr, ccni_ip_len(&src->ip));
	char b[CCNI_IPNET_STRLEN];
	int rc = -NLE_NOMEM;

	if (r && a) {
		nl_addr_set_prefixlen(a, (int)src->prefix);
		rtnl_rule_set_family(r, src->ip.family);
		rtnl_rule_set_action(r, FR_ACT_TO_TBL);
		rtnl_rule_set_table(r, table);
		rc = rtnl_rule_set_src(r, a);
		if (rc == 0)
			rc = rtnl_rule_add(sk, r, NLM_F_EXCL);
	}
	if (r)
		rtnl_rule_put(r);
	if (a)
		nl_addr_put(a);
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "add rule from %s lookup %u: %s",
				      ccni_ipnet_format(src, b), table, nl_geterror(rc));
	return 0;
}

static bool src_is_one_of(struct rtnl_rule *r, const struct ccni_ip *addrs, size_t n)
{
	struct nl_addr *s = rtnl_rule_get_src(r);

	if (!s)
		return false;
	for (size_t i = 0; i < n; i++)
		if (nl_addr_get_family(s) == addrs[i].family &&
		    nl_addr_get_len(s) == ccni_ip_len(&addrs[i]) &&
		    memcmp(nl_addr_get_binary_addr(s), addrs[i].addr, ccni_ip_len(&addrs[i])) == 0)
			return true;
	return false;
}

int krule_del_from(struct nl_sock *sk, const struct ccni_ip *addrs, size_t n, uint32_t table,
		   struct ccni_error *err)
{
	_cleanup_(cache_freep) struct nl_cache *cache = NULL;
	int deleted = 0, failed = 0;

	if (rule_cache(sk, &cache, err) < 0)
		return -1;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_rule *r = (struct rtnl_rule *)o;
		int rc;
		if ((table && rtnl_rule_get_table(r) != table) || !src_is_one_of(r, addrs, n))
			continue;
		/* The listed rule itself, priority and all, names exactly one rule. */
		rc = rtnl_rule_delete(sk, r, 0);
		if (rc < 0 && rc != -NLE_OBJ_NOTFOUND) {
			char b[64];

			ccni_error_clear(err);
			ccni_error_set(
			    err, CCNI_ERR_NETLINK, "delete rule %u: from %s lookup %u: %s",
			    rtnl_rule_get_prio(r), nl_addr2str(rtnl_rule_get_src(r), b, sizeof(b)),
			    rtnl_rule_get_table(r), nl_geterror(rc));
			failed = 1;
			continue;
		}
		deleted++;
	}
	return failed ? -1 : deleted;
}
