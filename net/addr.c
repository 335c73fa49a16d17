/* SPDX-License-Identifier: Apache-2.0 */
/* addr.c — see addr.h. */
#include <assert.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/util.h"
#include "net/addr.h"
#include "net/link.h"
#include "net/netlink.h"

struct nl_msg *addr_msg(bool add, int ifindex, const struct ccni_ipnet *a, bool nodad)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)a->ip.family,
		.ifa_prefixlen = (uint8_t)a->prefix,
		.ifa_index = (unsigned)ifindex,
		.ifa_flags = nodad && a->ip.family == AF_INET6 ? IFA_F_NODAD : 0,
	};
	_cleanup_(nlmsg_freep) struct nl_msg *msg = netlink_msg(
		add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa, sizeof(ifa));
	int len = (int)ccni_ip_len(&a->ip);
	assert(a && ifindex > 0);

	if (!msg || nla_put(msg, IFA_LOCAL, len, a->ip.addr) < 0 ||
	    nla_put(msg, IFA_ADDRESS, len, a->ip.addr) < 0)
		return NULL;
	if (a->ip.family == AF_INET && a->prefix < 31) {
		struct ccni_ip brd = ccni_ipnet_last(a);

		if (nla_put(msg, IFA_BROADCAST, len, brd.addr) < 0)
			return NULL;
	}
	return TAKE_PTR(msg);
}

static int addr_change(struct nl_sock *sk, bool add, int ifindex, const struct ccni_ipnet *a,
		       bool nodad, struct ccni_error *err)
{
	struct nl_msg *msg = addr_msg(add, ifindex, a, nodad);
	struct netlink_answer ans;
	char b[CCNI_IPNET_STRLEN], name[LINK_NAME_MAX];
	int rc;

	if (!msg)
		return netlink_nomem(err, "address");
	rc = netlink_talk(sk, msg, NULL, NULL, &ans);
	if (rc == 0 || (add && rc == -EEXIST) ||
	    (!add && (rc == -EADDRNOTAVAIL || rc == -ENODEV || rc == -ENOENT)))
		return 0;
	return netlink_error(err, &ans, "address %s on %s: %s", ccni_ipnet_format(a, b),
			     link_name(sk, ifindex, name), add ? "add" : "delete");
}

int addr_add(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, bool nodad,
	     struct ccni_error *err)
{
	return addr_change(sk, true, ifindex, a, nodad, err);
}

int addr_del(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, struct ccni_error *err)
{
	return addr_change(sk, false, ifindex, a, false, err);
}

struct addr_dump {
	int ifindex, family;
	struct ccni_ipnet *out;
	size_t n, cap;
	bool nomem;
};

static int on_addr(struct nlmsghdr *h, void *arg)
{
	struct addr_dump *d = arg;
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct ccni_ipnet *p;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != d->ifindex ||
	    (d->family && ifa->ifa_family != d->family) ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || (nla_len(a) != 4 && nla_len(a) != 16))
		return 0;
	if (!(p = util_array_grow(d->out, d->n, &d->cap, sizeof(*p)))) {
		d->nomem = true;
		return 0;
	}
	d->out = p;
	memset(&d->out[d->n], 0, sizeof(d->out[d->n]));
	d->out[d->n].ip.family = ifa->ifa_family;
	memcpy(d->out[d->n].ip.addr, nla_data(a), (size_t)nla_len(a));
	d->out[d->n].prefix = ifa->ifa_prefixlen;
	d->n++;
	return 0;
}

int addr_list(struct nl_sock *sk, int ifindex, int family, struct ccni_ipnet **out, size_t *n,
	      struct ccni_error *err)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family, .ifa_index = (unsigned)ifindex };
	struct nl_msg *msg = netlink_msg(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	struct addr_dump d = { .ifindex = ifindex, .family = family };
	struct netlink_answer ans;
	char name[LINK_NAME_MAX];

	*out = NULL;
	*n = 0;
	if (!msg)
		return netlink_nomem(err, "address listing");
	if (netlink_talk(sk, msg, on_addr, &d, &ans) < 0) {
		free(d.out);
		return netlink_error(err, &ans, "list the addresses of %s", link_name(sk, ifindex, name));
	}
	if (d.nomem) {
		free(d.out);
		return netlink_nomem(err, "address listing");
	}
	*out = d.out;
	*n = d.n;
	return 0;
}
