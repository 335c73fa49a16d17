/* SPDX-License-Identifier: Apache-2.0 */
/* addr.c — see addr.h. */
#include <assert.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/util.h"
#include "net/addr.h"
#include "net/link.h"
#include "net/netlink.h"

/* The request with the IFA_F_* flags given (the kernel keeps those it lets
 * userspace set: IFA_F_NODAD, IFA_F_NOPREFIXROUTE, ...). */
static struct nl_msg *addr_msg_flags(bool add, int ifindex, const struct ccni_ipnet *a,
				     uint32_t flags)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)a->ip.family,
		.ifa_prefixlen = (uint8_t)a->prefix,
		.ifa_index = (unsigned)ifindex,
		.ifa_flags = (uint8_t)flags,
	};
	_cleanup_(nlmsg_freep) struct nl_msg *msg = netlink_msg(
		add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa, sizeof(ifa));
	int len = (int)ccni_ip_len(&a->ip);
	assert(a && ifindex > 0);

	if (!msg || nla_put(msg, IFA_LOCAL, len, a->ip.addr) < 0 ||
	    nla_put(msg, IFA_ADDRESS, len, a->ip.addr) < 0 ||
	    (flags > 0xff && nla_put_u32(msg, IFA_FLAGS, flags) < 0))
		return NULL;
	if (a->ip.family == AF_INET && a->prefix < 31) {
		struct ccni_ip brd = ccni_ipnet_last(a);

		if (nla_put(msg, IFA_BROADCAST, len, brd.addr) < 0)
			return NULL;
	}
	return TAKE_PTR(msg);
}

struct nl_msg *addr_msg(bool add, int ifindex, const struct ccni_ipnet *a, bool nodad)
{
	return addr_msg_flags(add, ifindex, a,
			      nodad && a->ip.family == AF_INET6 ? IFA_F_NODAD : 0);
}

static int addr_change(struct nl_sock *sk, bool add, int ifindex, const struct ccni_ipnet *a,
		       uint32_t flags, struct ccni_error *err)
{
	struct nl_msg *msg = addr_msg_flags(add, ifindex, a, flags);
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
	return addr_change(sk, true, ifindex, a,
			   nodad && a->ip.family == AF_INET6 ? IFA_F_NODAD : 0, err);
}

int addr_add_flags(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, uint32_t flags,
		   struct ccni_error *err)
{
	return addr_change(sk, true, ifindex, a, flags, err);
}

int addr_del(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, struct ccni_error *err)
{
	return addr_change(sk, false, ifindex, a, 0, err);
}

struct addr_dump {
	int ifindex, family;
	struct addr_info *out;
	size_t n, cap;
	bool nomem;
};

static int on_addr(struct nlmsghdr *h, void *arg)
{
	struct addr_dump *d = arg;
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct addr_info *o;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != d->ifindex ||
	    (d->family && ifa->ifa_family != d->family) ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || (nla_len(a) != 4 && nla_len(a) != 16))
		return 0;
	if (!(o = util_array_grow(d->out, d->n, &d->cap, sizeof(*o)))) {
		d->nomem = true;
		return 0;
	}
	d->out = o;
	o = memset(&d->out[d->n++], 0, sizeof(*o));
	o->addr.ip.family = ifa->ifa_family;
	memcpy(o->addr.ip.addr, nla_data(a), (size_t)nla_len(a));
	o->addr.prefix = ifa->ifa_prefixlen;
	/* IFA_FLAGS has them all; the header's byte only the low eight */
	o->flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	o->scope = ifa->ifa_scope;
	return 0;
}

int addr_list_info(struct nl_sock *sk, int ifindex, int family, struct addr_info **out,
		   size_t *n, struct ccni_error *err)
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

int addr_list(struct nl_sock *sk, int ifindex, int family, struct ccni_ipnet **out, size_t *n,
	      struct ccni_error *err)
{
	_cleanup_free_ struct addr_info *info = NULL;

	*out = NULL;
	if (addr_list_info(sk, ifindex, family, &info, n, err) < 0)
		return -1;
	if (*n == 0)
		return 0;
	if (!(*out = calloc(*n, sizeof(**out))))
		return netlink_nomem(err, "address listing");
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = info[i].addr;
	return 0;
}

/* --- waiting for duplicate address detection ------------------------------------- */

struct dad_state {
	int ifindex;
	int tentative;
	bool failed;
	struct ccni_ipnet first; /* the failed one, or a tentative one */
};

static int on_dad(struct nlmsghdr *h, void *arg)
{
	struct dad_state *d = arg;
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1], *a;
	uint32_t flags;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != d->ifindex ||
	    ifa->ifa_family != AF_INET6 || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) || d->failed || !a || nla_len(a) != 16)
		return 0;
	d->failed = flags & IFA_F_DADFAILED;
	if (d->failed || !d->tentative++) {
		d->first.ip.family = AF_INET6;
		memcpy(d->first.ip.addr, nla_data(a), 16);
		d->first.prefix = ifa->ifa_prefixlen;
	}
	return 0;
}

/* The IPv6 addresses of ifindex: how many are tentative, and whether one
 * failed. */
static int dad_read(struct nl_sock *sk, int ifindex, struct dad_state *d, struct ccni_error *err)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6, .ifa_index = (unsigned)ifindex };
	struct nl_msg *msg = netlink_msg(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	struct netlink_answer ans;
	char name[LINK_NAME_MAX];

	memset(d, 0, sizeof(*d));
	d->ifindex = ifindex;
	if (!msg)
		return netlink_nomem(err, "address listing");
	if (netlink_talk(sk, msg, on_dad, d, &ans) < 0)
		return netlink_error(err, &ans, "list the addresses of %s", link_name(sk, ifindex, name));
	return 0;
}

/* Has the link carrier (so that DAD runs)? 1 yes, 0 no, -1 error. */
static int has_carrier(struct nl_sock *sk, int ifindex, struct ccni_error *err)
{
	struct link l;
	int rc = link_get(sk, NULL, ifindex, &l, err);

	return rc < 0 ? -1 : rc == 0 && (l.flags & IFF_LOWER_UP);
}

static int dad_verdict(struct nl_sock *sk, int ifindex, const struct dad_state *d, bool timed_out,
		       unsigned timeout_ms, struct ccni_error *err)
{
	char b[CCNI_IPNET_STRLEN], name[LINK_NAME_MAX];

	if (d->failed)
		return ccni_error_set(err, CCNI_ERR_ADDR_CONFLICT,
				      "address %s on %s: duplicate address detection failed (another "
				      "node on the link has it)",
				      ccni_ipnet_format(&d->first, b), link_name(sk, ifindex, name));
	if (!timed_out)
		return 0;
	return ccni_error_set(err, CCNI_ERR_TIMEOUT,
			      "address %s on %s: still tentative %u ms after it was added (duplicate "
			      "address detection did not end)",
			      ccni_ipnet_format(&d->first, b), link_name(sk, ifindex, name), timeout_ms);
}

int addr_settle(struct nl_sock *sk, int nsfd, int ifindex, unsigned timeout_ms,
		struct ccni_error *err)
{
	unsigned long long end = util_now_ns() + timeout_ms * 1000000ULL;
	_cleanup_close_ int ev = -1;
	struct dad_state d;
	int carrier = has_carrier(sk, ifindex, err);

	/* Without carrier DAD has not begun: the kernel runs it when the link
	 * comes up, and there is nothing to wait for now. */
	if (carrier <= 0)
		return carrier;
	/* Listening first, so no change between the read and the wait is missed. */
	if ((ev = netlink_events_open(nsfd, RTMGRP_IPV6_IFADDR, err)) < 0)
		return -1;
	for (;;) {
		unsigned long long now = util_now_ns();
		struct pollfd pf = { .fd = ev, .events = POLLIN };
		char drain[8192];

		if (dad_read(sk, ifindex, &d, err) < 0)
			return -1;
		if (d.failed || !d.tentative || now >= end)
			return dad_verdict(sk, ifindex, &d, now >= end, timeout_ms, err);
		if (poll(&pf, 1, (int)((end - now) / 1000000ULL) + 1) < 0 && errno != EINTR)
			return ccni_error_errno(err, CCNI_ERR_IO, errno, "poll");
		while (recv(ev, drain, sizeof(drain), 0) > 0)
			;
	}
}
