/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnl.c — raw rtnetlink for the daemon's own link moves. The daemon
 * touches links in three namespaces per Join (a temporary one, its own,
 * a container's), each through a socket opened in it; libnl's caches and
 * the plugins' kernel layer are not needed for five requests. Errors carry
 * the kernel's extended-ack text when it gives one.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "tools/ccni-docker/rtnl.h"

#define BUF 32768

struct req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct rtmsg rt;
	};
	char attrs[256];
};

int rtnl_open(struct rtnl *r, struct ccni_error *err)
{
	int one = 1;

	r->seq = 1;
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (r->fd < 0)
		return ccni_error_errno(err, CCNI_ERR_NETLINK, errno, "cannot open a netlink socket");
	setsockopt(r->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(r->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static void put_attr(struct req *q, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)q + NLMSG_ALIGN(q->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* The kernel's extended-ack message of an error reply, or "". */
static const char *ack_text(struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e) + ((h->nlmsg_flags & NLM_F_CAPPED) ? 0 :
				   e->msg.nlmsg_len - sizeof(struct nlmsghdr));
	struct nlattr *a;
	int rem;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || NLMSG_HDRLEN + off > h->nlmsg_len)
		return "";
	rem = (int)(h->nlmsg_len - NLMSG_HDRLEN - off);
	for (a = (struct nlattr *)((char *)e + off); rem >= (int)sizeof(*a) &&
	     a->nla_len >= sizeof(*a) && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			return (const char *)(a + 1);
	return "";
}

typedef void (*msg_fn)(struct nlmsghdr *h, void *data);

/* Send q, read replies until the ack (or the dump's end), calling fn on
 * each data message. Returns 0 or -errno (*kmsg: the kernel's words). */
static int talk(struct rtnl *r, struct req *q, msg_fn fn, void *data, char *kmsg, size_t klen)
{
	_cleanup_free_ char *buf = malloc(BUF);
	uint32_t seq = ++r->seq;

	kmsg[0] = '\0';
	if (!buf)
		return -ENOMEM;
	q->h.nlmsg_seq = seq;
	q->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(r->fd, q, q->h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(r->fd, buf, BUF, 0);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				if (e)
					snprintf(kmsg, klen, "%s", ack_text(h));
				if (e || !(q->h.nlmsg_flags & NLM_F_DUMP))
					return e;
				continue;
			}
			if (fn)
				fn(h, data);
		}
	}
}

static int parse_link(struct nlmsghdr *h, struct rtnl_link *l)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));

	if (h->nlmsg_type != RTM_NEWLINK || len < 0)
		return -1;
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			snprintf(l->name, sizeof(l->name), "%s", (char *)RTA_DATA(a));
		else if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6) {
			memcpy(l->mac, RTA_DATA(a), 6);
			l->has_mac = true;
		} else if (a->rta_type == IFLA_LINK && RTA_PAYLOAD(a) >= 4)
			l->peer = *(int *)RTA_DATA(a);
		else if (a->rta_type == IFLA_LINKINFO) {
			int il = (int)RTA_PAYLOAD(a);

			for (struct rtattr *b = RTA_DATA(a); RTA_OK(b, il); b = RTA_NEXT(b, il))
				if (b->rta_type == IFLA_INFO_KIND)
					snprintf(l->kind, sizeof(l->kind), "%.*s",
						 (int)RTA_PAYLOAD(b), (char *)RTA_DATA(b));
		}
	}
	return 0;
}

static void got_link(struct nlmsghdr *h, void *data)
{
	parse_link(h, data);
}

static int fail(struct ccni_error *err, int e, const char *kmsg, const char *what, const char *name)
{
	ccni_error_errno(err, CCNI_ERR_NETLINK, -e, "%s %s", what, name);
	if (*kmsg)
		ccni_error_set_details(err, "the kernel says: %s", kmsg);
	return -1;
}

int rtnl_link_get(struct rtnl *r, const char *name, int ifindex, struct rtnl_link *out,
		  struct ccni_error *err)
{
	struct req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				.nlmsg_type = RTM_GETLINK } };
	char kmsg[256], idx[16];
	int e;

	q.ifi.ifi_index = name ? 0 : ifindex;
	if (name)
		put_attr(&q, IFLA_IFNAME, name, strlen(name) + 1);
	out->ifindex = 0;
	e = talk(r, &q, got_link, out, kmsg, sizeof(kmsg));
	if (e == -ENODEV || (!e && !out->ifindex))
		return 1;
	snprintf(idx, sizeof(idx), "%d", ifindex);
	return e ? fail(err, e, kmsg, "cannot look up link", name ? name : idx) : 0;
}

struct by_mac {
	const uint8_t *mac;
	struct rtnl_link *out;
	bool found;
};

static void mac_cb(struct nlmsghdr *h, void *data)
{
	struct by_mac *m = data;
	struct rtnl_link l;

	if (m->found || parse_link(h, &l) < 0 || !l.has_mac || memcmp(l.mac, m->mac, 6) != 0)
		return;
	*m->out = l;
	m->found = true;
}

int rtnl_link_by_mac(struct rtnl *r, const uint8_t mac[6], struct rtnl_link *out,
		     struct ccni_error *err)
{
	struct req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				.nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_DUMP } };
	struct by_mac m = { mac, out, false };
	char kmsg[256];
	int e = talk(r, &q, mac_cb, &m, kmsg, sizeof(kmsg));

	if (e)
		return fail(err, e, kmsg, "cannot list links", "of the container");
	return m.found ? 0 : 1;
}

int rtnl_link_move(struct rtnl *r, int ifindex, int nsfd, const char *name,
		   struct ccni_error *err)
{
	struct req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				.nlmsg_type = RTM_NEWLINK } };
	uint32_t fd = (uint32_t)nsfd;
	char kmsg[256];
	int e;

	q.ifi.ifi_index = ifindex;
	put_attr(&q, IFLA_NET_NS_FD, &fd, sizeof(fd));
	put_attr(&q, IFLA_IFNAME, name, strlen(name) + 1);
	e = talk(r, &q, NULL, NULL, kmsg, sizeof(kmsg));
	return e ? fail(err, e, kmsg, "cannot move the container's link as", name) : 0;
}

/* A request on one link that only needs the kernel's ack. */
static int link_request(struct rtnl *r, unsigned short type, int ifindex, unsigned flags,
			const char *what, struct ccni_error *err)
{
	struct req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				.nlmsg_type = type } };
	char kmsg[256], idx[16];
	int e;

	q.ifi.ifi_index = ifindex;
	q.ifi.ifi_flags = q.ifi.ifi_change = flags;
	e = talk(r, &q, NULL, NULL, kmsg, sizeof(kmsg));
	snprintf(idx, sizeof(idx), "%d", ifindex);
	return e && !(type == RTM_DELLINK && e == -ENODEV) ? fail(err, e, kmsg, what, idx) : 0;
}

int rtnl_link_up(struct rtnl *r, int ifindex, struct ccni_error *err)
{
	return link_request(r, RTM_NEWLINK, ifindex, IFF_UP, "cannot set up link", err);
}

int rtnl_link_del(struct rtnl *r, int ifindex, struct ccni_error *err)
{
	return link_request(r, RTM_DELLINK, ifindex, 0, "cannot delete link", err);
}

struct overlap {
	const struct ccni_ipnet *net;
	struct ccni_ipnet *hit;
	bool found;
};

static void route_cb(struct nlmsghdr *h, void *data)
{
	struct overlap *o = data;
	struct rtmsg *rt = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*rt));
	struct ccni_ipnet dst = { .ip = { .family = AF_INET }, .prefix = rt->rtm_dst_len };
	uint32_t table = rt->rtm_table;
	bool has_dst = false;

	if (o->found || h->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET || len < 0)
		return;
	for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4) {
			memcpy(dst.ip.addr, RTA_DATA(a), 4);
			has_dst = true;
		} else if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == 4) {
			table = *(uint32_t *)RTA_DATA(a);
		}
	}
	/* As Docker's own check: the main table, routes with a destination. */
	if (table != RT_TABLE_MAIN || !has_dst || !dst.prefix || !ccni_ipnet_overlaps(&dst, o->net))
		return;
	*o->hit = dst;
	o->found = true;
}

int rtnl_route_overlap(struct rtnl *r, const struct ccni_ipnet *net, struct ccni_ipnet *hit,
		       struct ccni_error *err)
{
	struct req q = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
				.nlmsg_type = RTM_GETROUTE, .nlmsg_flags = NLM_F_DUMP } };
	struct overlap o = { net, hit, false };
	char kmsg[256];
	int e;

	q.rt.rtm_family = AF_INET;
	e = talk(r, &q, route_cb, &o, kmsg, sizeof(kmsg));
	if (e)
		return fail(err, e, kmsg, "cannot list routes", "(IPv4)");
	return o.found ? 1 : 0;
}
