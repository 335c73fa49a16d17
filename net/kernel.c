/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel.c — namespaces and rtnetlink requests (links, bridges, veths,
 * addresses, routes) over libnl-route-3. Each request names its object by
 * index or name; the only dumps are of one link's addresses or of a
 * container namespace's routes (a handful of entries, for CHECK).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "lib/common/cleanup.h"
#include "lib/common/util.h"
#include "net/kernel.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int nlerr(struct ccni_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int nlerr(struct ccni_error *err, int rc, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ccni_error_set(err, CCNI_ERR_NETLINK, "%s: %s", msg, nl_geterror(rc));
}

/* --- namespaces ----------------------------------------------------------- */

int kns_open(const char *path, int *fd, struct ccni_error *err)
{
	struct statfs sfs;
	int f;

	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0) {
		if (errno == ENOENT)
			return ccni_error_set(err, CCNI_ERR_UNKNOWN_CONTAINER,
					      "CNI_NETNS: \"%s\" does not exist", path);
		return ccni_error_errno(err, CCNI_ERR_INVALID_NETNS, errno,
					"CNI_NETNS: cannot open \"%s\"", path);
	}
	if (fstatfs(f, &sfs) < 0 || (sfs.f_type != NSFS_MAGIC && sfs.f_type != 0x01021994 /* proc */) ||
	    ioctl(f, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(f);
		return ccni_error_set(err, CCNI_ERR_INVALID_NETNS,
				      "CNI_NETNS: \"%s\" is not a network namespace", path);
	}
	*fd = f;
	return 0;
}

int kns_pair_open(const char *netns, struct kns_pair *p, struct ccni_error *err)
{
	*p = (struct kns_pair)KNS_PAIR_INIT;
	if (kns_open(netns, &p->nsfd, err) < 0 || !(p->host = kns_socket(-1, err)) ||
	    !(p->ct = kns_socket(p->nsfd, err))) {
		kns_pair_close(p);
		return -1;
	}
	return 0;
}

void kns_pair_close(struct kns_pair *p)
{
	kns_socket_free(p->ct);
	kns_socket_free(p->host);
	if (p->nsfd >= 0)
		close(p->nsfd);
	*p = (struct kns_pair)KNS_PAIR_INIT;
}

int kns_run(int nsfd, int (*fn)(void *data, struct ccni_error *err), void *data,
	    struct ccni_error *err)
{
	_cleanup_close_ int self = -1;
	int rc;

	if (nsfd < 0)
		return fn(data, err);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot open our own netns");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "cannot enter the netns");
	rc = fn(data, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* We cannot come back: stop rather than act in the wrong netns. */
		fprintf(stderr, "ccni: cannot return to the original netns: %s\n", strerror(errno));
		abort();
	}
	return rc;
}

struct sock_args {
	struct nl_sock *sk;
};

static int make_socket(void *data, struct ccni_error *err)
{
	struct sock_args *a = data;
	int one = 1, rc;

	a->sk = nl_socket_alloc();
	if (!a->sk)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = nl_connect(a->sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(a->sk);
		a->sk = NULL;
		return nlerr(err, rc, "netlink socket");
	}
	/* Kernel-side filtering of dumps by the header's fields. */
	setsockopt(nl_socket_get_fd(a->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	nl_socket_set_buffer_size(a->sk, 262144, 262144);
	return 0;
}

struct nl_sock *kns_socket(int nsfd, struct ccni_error *err)
{
	struct sock_args a = { NULL };

	if (kns_run(nsfd, make_socket, &a, err) < 0)
		return NULL;
	return a.sk;
}

void kns_socket_free(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

/* --- links ------------------------------------------------------------------ */

static void fill(struct rtnl_link *l, struct klink *out)
{
	struct nl_addr *a = rtnl_link_get_addr(l);
	const char *kind = rtnl_link_get_type(l);

	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_link_get_ifindex(l);
	out->master = rtnl_link_get_master(l);
	out->link = rtnl_link_get_link(l);
	out->flags = rtnl_link_get_flags(l);
	out->mtu = rtnl_link_get_mtu(l);
	if (a && nl_addr_get_len(a) == 6)
		memcpy(out->mac, nl_addr_get_binary_addr(a), 6);
	snprintf(out->name, sizeof(out->name), "%s", rtnl_link_get_name(l) ?: "");
	snprintf(out->kind, sizeof(out->kind), "%s", kind ? kind : "");
}

int klink_get(struct nl_sock *sk, const char *name, int ifindex, struct klink *out,
	      struct ccni_error *err)
{
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, ifindex, name, &l);

	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV || (rc >= 0 && !l))
		return 1;
	if (rc < 0)
		return nlerr(err, rc, "link %s", name ? name : "");
	fill(l, out);
	rtnl_link_put(l);
	return 0;
}

static int change(struct nl_sock *sk, struct rtnl_link *c, const char *what, int ifindex,
		  struct ccni_error *err)
{
	int rc = rtnl_link_change(sk, c, c, 0);

	rtnl_link_put(c);
	if (rc < 0)
		return nlerr(err, rc, "link %d: %s", ifindex, what);
	return 0;
}

static struct rtnl_link *changer(int ifindex)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (c)
		rtnl_link_set_ifindex(c, ifindex);
	return c;
}

int klink_set_up(struct nl_sock *sk, int ifindex, bool up, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (up)
		rtnl_link_set_flags(c, IFF_UP);
	else
		rtnl_link_unset_flags(c, IFF_UP);
	return change(sk, c, up ? "set up" : "set down", ifindex, err);
}

int klink_set_allmulti(struct nl_sock *sk, int ifindex, bool on, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (on)
		rtnl_link_set_flags(c, IFF_ALLMULTI);
	else
		rtnl_link_unset_flags(c, IFF_ALLMULTI);
	return change(sk, c, "set allmulticast", ifindex, err);
}

int klink_set_txqlen(struct nl_sock *sk, int ifindex, unsigned qlen, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rtnl_link_set_txqlen(c, qlen);
	return change(sk, c, "set txqueuelen", ifindex, err);
}

int klink_get_txqlen(struct nl_sock *sk, int ifindex, unsigned *qlen, struct ccni_error *err)
{
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, ifindex, NULL, &l);

	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV || (rc >= 0 && !l))
		return 1;
	if (rc < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "link %d: %s", ifindex,
				      nl_geterror(rc));
	*qlen = rtnl_link_get_txqlen(l);
	rtnl_link_put(l);
	return 0;
}

int klink_set_mtu(struct nl_sock *sk, int ifindex, unsigned mtu, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rtnl_link_set_mtu(c, mtu);
	return change(sk, c, "set mtu", ifindex, err);
}

int klink_set_mac(struct nl_sock *sk, int ifindex, const uint8_t mac[6], struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);

	if (!c || !a) {
		if (c)
			rtnl_link_put(c);
		nl_addr_put(a);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	rtnl_link_set_addr(c, a);
	nl_addr_put(a);
	return change(sk, c, "set mac", ifindex, err);
}

int klink_set_promisc(struct nl_sock *sk, int ifindex, bool on, struct ccni_error *err)
{
	struct rtnl_link *c = changer(ifindex);

	if (!c)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (on)
		rtnl_link_set_flags(c, IFF_PROMISC);
	else
		rtnl_link_unset_flags(c, IFF_PROMISC);
	return change(sk, c, "set promisc", ifindex, err);
}

int klink_set_master(struct nl_sock *sk, int ifindex, int master, struct ccni_error *err)
{
	int rc = rtnl_link_enslave_ifindex(sk, master, ifindex);

	if (rc < 0)
		return nlerr(err, rc, "link %d: set master %d", ifindex, master);
	return 0;
}

int klink_del(struct nl_sock *sk, int ifindex, struct ccni_error *err)
{
	struct rtnl_link *l = changer(ifindex);
	int rc;

	if (!l)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
		return nlerr(err, rc, "link %d: delete", ifindex);
	return 0;
}

/* Does ifindex exist in this thread's namespace? (SIOCGIFNAME: no netlink) */
static bool link_exists(int ifindex)
{
	struct ifreq ifr = { .ifr_ifindex = ifindex };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool yes = true;

	if (fd >= 0) {
		yes = ioctl(fd, SIOCGIFNAME, &ifr) == 0 || errno != ENODEV;
		close(fd);
	}
	return yes;
}

/* A socket that hears this namespace's link notifications, or -1. */
static int link_events_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Read the queued notifications: 1 when one says ifindex was deleted, 0
 * when none did, -1 when some were lost (the queue overflowed). */
static int link_events_deleted(int fd, int ifindex)
{
	_Alignas(struct nlmsghdr) uint8_t buf[16384];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			const struct ifinfomsg *ifi = NLMSG_DATA(h);

			/* the generic one (AF_UNSPEC) comes after the protocols have
			 * dropped the link's routes and addresses */
			if (h->nlmsg_type == RTM_DELLINK && h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)) &&
			    ifi->ifi_family == AF_UNSPEC && ifi->ifi_index == ifindex)
				return 1;
		}
	return n < 0 && errno == ENOBUFS ? -1 : 0;
}

int klink_del_unwaited(struct nl_sock *sk, int ifindex, int witness, struct ccni_error *err)
{
	int p[2] = { -1, -1 }, ev, pid, code = -1; /* code: the child's answer, -1 none yet */
	bool gone = false;

	if (witness <= 0 || (ev = link_events_open()) < 0)
		return klink_del(sk, ifindex, err);
	if (pipe2(p, O_CLOEXEC) < 0 ||
	    (pid = util_fork_detached(nl_socket_get_fd(sk), p[1])) < 0) {
		close(ev);
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return klink_del(sk, ifindex, err);
	}
	if (pid == 0) {
		struct ccni_error ce = CCNI_ERROR_INIT;
		unsigned char c = 0;

		if (klink_del(sk, ifindex, &ce) < 0)
			c = ce.code > 0 && ce.code < 255 ? (unsigned char)ce.code : 1;
		_exit(write(p[1], &c, 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	/* Wait for the kernel's notice that the witness is deleted, or the
	 * child's answer; at most 10 s, by when the kernel is stuck and saying
	 * so is better. Should notices be lost, the witness's absence does. */
	for (unsigned long long end = util_now_ns() + 10000000000ULL;
	     !gone && code < 0 && util_now_ns() < end;) {
		struct pollfd pf[2] = { { .fd = ev, .events = POLLIN }, { .fd = p[0], .events = POLLIN } };
		int d;

		if (poll(pf, 2, 100) < 0 && errno != EINTR)
			break;
		d = pf[0].revents ? link_events_deleted(ev, witness) : 0;
		gone = d > 0 || (d < 0 && !link_exists(witness));
		if (!gone && pf[1].revents) {
			unsigned char c;

			code = read(p[0], &c, 1) == 1 ? c : 255; /* 255: ended without an answer */
		}
	}
	close(ev);
	close(p[0]);
	if (gone || code == 0)
		return 0;
	if (code < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK, "link %d: still there 10 s after its deletion",
				      ifindex);
	return ccni_error_set(err, code == 255 ? CCNI_ERR_INTERNAL : code,
			      "link %d: delete failed (error code %d)", ifindex, code);
}

/* A raw request and its ACK. */
static int send_msg(struct nl_sock *sk, struct nl_msg *msg)
{
	return nl_send_sync(sk, msg); /* frees msg */
}

int kbridge_ensure(struct nl_sock *sk, const char *name, const struct kbridge_opts *o,
		   struct klink *out, struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	struct nlattr *info, *data;
	int rc;

	rc = klink_get(sk, name, 0, out, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
		if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
			goto nomem;
		NLA_PUT_STRING(msg, IFLA_IFNAME, name);
		if (o->mtu)
			NLA_PUT_U32(msg, IFLA_MTU, o->mtu);
		if (!(info = nla_nest_start(msg, IFLA_LINKINFO)))
			goto nomem;
		NLA_PUT_STRING(msg, IFLA_INFO_KIND, "bridge");
		if (o->vlan_filtering) {
			if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)))
				goto nomem;
			NLA_PUT_U8(msg, IFLA_BR_VLAN_FILTERING, 1);
			nla_nest_end(msg, data);
		}
		nla_nest_end(msg, info);
		rc = send_msg(sk, msg);
		if (rc == -NLE_OPNOTSUPP && o->vlan_filtering)
			return nlerr(err, rc,
				     "bridge %s: create with VLAN filtering (vlan/vlanTrunk need a "
				     "kernel with CONFIG_BRIDGE_VLAN_FILTERING)",
				     name);
		if (rc < 0 && rc != -NLE_EXIST)
			return nlerr(err, rc, "bridge %s: create", name);
		if (klink_get(sk, name, 0, out, err) != 0)
			return ccni_error_is_set(err) ? -1 :
			       ccni_error_set(err, CCNI_ERR_NETLINK, "bridge %s: vanished", name);
	}
	if (strcmp(out->kind, "bridge") != 0)
		return ccni_error_set(err, CCNI_ERR_INVALID_CONFIG,
				      "bridge: \"%s\" already exists and is not a bridge (it is a %s "
				      "link)",
				      name, out->kind[0] ? out->kind : "plain");
	if (o->promisc && !(out->flags & IFF_PROMISC) &&
	    klink_set_promisc(sk, out->ifindex, true, err) < 0)
		return -1;
	if (!(out->flags & IFF_UP)) {
		if (klink_set_up(sk, out->ifindex, true, err) < 0)
			return -1;
		out->flags |= IFF_UP;
	}
	return 0;
nla_put_failure:
nomem:
	nlmsg_free(msg);
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "bridge %s: cannot build request", name);
}

int kbridge_port_set(struct nl_sock *sk, int ifindex, int hairpin, int isolated,
		     struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	struct nl_msg *msg;
	struct nlattr *p;
	int rc;

	if (hairpin < 0 && isolated < 0)
		return 0;
	msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto nomem;
	if (!(p = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)))
		goto nomem;
	if (hairpin >= 0)
		NLA_PUT_U8(msg, IFLA_BRPORT_MODE, (uint8_t)hairpin);
	if (isolated >= 0)
		NLA_PUT_U8(msg, IFLA_BRPORT_ISOLATED, (uint8_t)isolated);
	nla_nest_end(msg, p);
	rc = send_msg(sk, msg);
	if (rc < 0)
		return nlerr(err, rc, "bridge port %d: set hairpin/isolation", ifindex);
	return 0;
nla_put_failure:
nomem:
	nlmsg_free(msg);
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "cannot build a bridge port request");
}

int kbridge_vlan(struct nl_sock *sk, int ifindex, uint16_t vid_start, uint16_t vid_end,
		 bool pvid, bool untagged, bool del, bool self, struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	struct bridge_vlan_info vi = { 0 };
	struct nl_msg *msg;
	struct nlattr *spec;
	int rc;

	msg = nlmsg_alloc_simple(del ? RTM_DELLINK : RTM_SETLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto nomem;
	if (!(spec = nla_nest_start(msg, IFLA_AF_SPEC)))
		goto nomem;
	if (self)
		NLA_PUT_U16(msg, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF);
	vi.flags = (pvid ? BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
	if (vid_end > vid_start) {
		vi.vid = vid_start;
		vi.flags |= BRIDGE_VLAN_INFO_RANGE_BEGIN;
		NLA_PUT(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
		vi.vid = vid_end;
		vi.flags &= (uint16_t)~BRIDGE_VLAN_INFO_RANGE_BEGIN;
		vi.flags |= BRIDGE_VLAN_INFO_RANGE_END;
		NLA_PUT(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	} else {
		vi.vid = vid_start;
		NLA_PUT(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	}
	nla_nest_end(msg, spec);
	rc = send_msg(sk, msg);
	if (rc < 0 && !(del && (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NOADDR)))
		return nlerr(err, rc, "bridge vlan %u-%u on link %d", vid_start, vid_end, ifindex);
	return 0;
nla_put_failure:
nomem:
	nlmsg_free(msg);
	return ccni_error_set(err, CCNI_ERR_INTERNAL, "cannot build a bridge vlan request");
}

int kveth_create(struct nl_sock *sk, const char *host_name, const char *peer_name,
		 int peer_nsfd, unsigned mtu, const uint8_t *peer_mac, char host_out[16],
		 struct ccni_error *err)
{
	for (int attempt = 0; attempt < 4; attempt++) {
		struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
		char name[16];
		int rc;

		if (!l)
			return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
		if (host_name) {
			snprintf(name, sizeof(name), "%s", host_name);
		} else {
			uint32_t r = 0;

			if (getrandom(&r, sizeof(r), 0) != sizeof(r))
				r = (uint32_t)getpid() ^ (uint32_t)attempt;
			snprintf(name, sizeof(name), "veth%08x", r);
		}
		rtnl_link_set_name(l, name);
		peer = rtnl_link_veth_get_peer(l);
		rtnl_link_set_name(peer, peer_name);
		if (peer_nsfd >= 0)
			rtnl_link_set_ns_fd(peer, peer_nsfd);
		if (mtu) {
			rtnl_link_set_mtu(l, mtu);
			rtnl_link_set_mtu(peer, mtu);
		}
		if (peer_mac) {
			struct nl_addr *a = nl_addr_build(AF_LLC, peer_mac, 6);

			if (a) {
				rtnl_link_set_addr(peer, a);
				nl_addr_put(a);
			}
		}
		rtnl_link_put(peer);
		rc = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_veth_release(l);
		if (rc == 0) {
			snprintf(host_out, 16, "%s", name);
			return 0;
		}
		if (rc != -NLE_EXIST || host_name)
			return nlerr(err, rc, "veth %s (peer %s): create", name, peer_name);
		/* A random name taken (or the peer name in the netns): retry,
		 * then report. */
		if (attempt == 3)
			return nlerr(err, rc, "veth %s (peer %s): create", name, peer_name);
	}
	return -1;
}

/* --- addresses ----------------------------------------------------------------- */

static struct nl_addr *to_nl(const struct ccni_ip *ip, unsigned prefix)
{
	struct nl_addr *a = nl_addr_build(ip->family, ip->addr, ccni_ip_len(ip));

	if (a)
		nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

static struct rtnl_addr *build_addr(int ifindex, const struct ccni_ipnet *n)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = to_nl(&n->ip, n->prefix);

	if (!a || !local) {
		if (a)
			rtnl_addr_put(a);
		nl_addr_put(local);
		return NULL;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, n->ip.family);
	rtnl_addr_set_local(a, local);
	nl_addr_put(local);
	if (n->ip.family == AF_INET && n->prefix < 31) {
		struct ccni_ip brd = ccni_ipnet_last(n);
		struct nl_addr *b = to_nl(&brd, n->prefix);

		if (b) {
			rtnl_addr_set_broadcast(a, b);
			nl_addr_put(b);
		}
	}
	return a;
}

int kaddr_add(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *n, bool nodad,
	      struct ccni_error *err)
{
	struct rtnl_addr *a = build_addr(ifindex, n);
	char b[CCNI_IPNET_STRLEN];
	int rc;

	if (!a)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	if (nodad && n->ip.family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	rc = rtnl_addr_add(sk, a, NLM_F_EXCL);
	rtnl_addr_put(a);
	if (rc < 0 && rc != -NLE_EXIST)
		return nlerr(err, rc, "address %s on link %d", ccni_ipnet_format(n, b), ifindex);
	return 0;
}

int kaddr_del(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *n,
	      struct ccni_error *err)
{
	struct rtnl_addr *a = build_addr(ifindex, n);
	char b[CCNI_IPNET_STRLEN];
	int rc;

	if (!a)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = rtnl_addr_delete(sk, a, 0);
	rtnl_addr_put(a);
	if (rc < 0 && rc != -NLE_NOADDR && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
		return nlerr(err, rc, "delete address %s on link %d", ccni_ipnet_format(n, b),
			     ifindex);
	return 0;
}

struct addr_dump {
	int ifindex, family, max, n;
	struct ccni_ipnet *out;
};

static int addr_cb(struct nl_msg *msg, void *arg)
{
	struct addr_dump *d = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1];
	struct nlattr *a;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != d->ifindex ||
	    (d->family && ifa->ifa_family != d->family) || d->n >= d->max)
		return NL_OK;
	if (nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return NL_OK;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || (nla_len(a) != 4 && nla_len(a) != 16))
		return NL_OK;
	memset(&d->out[d->n], 0, sizeof(d->out[d->n]));
	d->out[d->n].ip.family = ifa->ifa_family;
	memcpy(d->out[d->n].ip.addr, nla_data(a), (size_t)nla_len(a));
	d->out[d->n].prefix = ifa->ifa_prefixlen;
	d->n++;
	return NL_OK;
}

int kaddr_list(struct nl_sock *sk, int ifindex, int family, struct ccni_ipnet *out, int max,
	       struct ccni_error *err)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family, .ifa_index = (unsigned)ifindex };
	struct addr_dump d = { ifindex, family, max, 0, out };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	struct nl_cb *cb;
	int rc;

	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		return nlerr(err, rc, "list addresses of link %d", ifindex);
	{
		struct nl_cb *orig = nl_socket_get_cb(sk); /* a new reference */

		cb = orig ? nl_cb_clone(orig) : NULL;
		nl_cb_put(orig);
	}
	if (!cb)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, addr_cb, &d);
	rc = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (rc < 0)
		return nlerr(err, rc, "list addresses of link %d", ifindex);
	return d.n;
}

/* --- routes -------------------------------------------------------------------- */

struct kroute kroute_init(void)
{
	return (struct kroute){ .scope = -1 };
}

static struct rtnl_route *build_route(const struct kroute *r)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = to_nl(&r->dst.ip, r->dst.prefix);

	if (!rt || !nh || !dst)
		goto fail;
	rtnl_route_set_family(rt, r->dst.ip.family);
	rtnl_route_set_table(rt, r->table ? r->table : RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_BOOT);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_dst(rt, dst);
	nl_addr_put(dst);
	dst = NULL;
	if (r->scope >= 0)
		rtnl_route_set_scope(rt, (uint8_t)r->scope);
	else
		rtnl_route_set_scope(rt, r->gw.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if (r->priority)
		rtnl_route_set_priority(rt, r->priority);
	if (r->mtu)
		rtnl_route_set_metric(rt, RTAX_MTU, r->mtu);
	if (r->advmss)
		rtnl_route_set_metric(rt, RTAX_ADVMSS, r->advmss);
	if (r->src.family) {
		struct nl_addr *s = to_nl(&r->src, ccni_ip_bits(&r->src));

		if (s) {
			rtnl_route_set_pref_src(rt, s);
			nl_addr_put(s);
		}
	}
	rtnl_route_nh_set_ifindex(nh, r->ifindex);
	if (r->gw.family) {
		struct nl_addr *g = to_nl(&r->gw, ccni_ip_bits(&r->gw));

		if (!g)
			goto fail;
		rtnl_route_nh_set_gateway(nh, g);
		nl_addr_put(g);
	}
	rtnl_route_add_nexthop(rt, nh);
	return rt;
fail:
	if (rt)
		rtnl_route_put(rt);
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	return NULL;
}

static const char *route_text(const struct kroute *r, char *buf, size_t len)
{
	char d[CCNI_IPNET_STRLEN], g[CCNI_IP_STRLEN];

	snprintf(buf, len, "%s%s%s dev %d", ccni_ipnet_format(&r->dst, d),
		 r->gw.family ? " via " : "", r->gw.family ? ccni_ip_format(&r->gw, g) : "",
		 r->ifindex);
	return buf;
}

int kroute_add(struct nl_sock *sk, const struct kroute *r, bool replace, struct ccni_error *err)
{
	struct rtnl_route *rt = build_route(r);
	char b[128];
	int rc;

	if (!rt)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = rtnl_route_add(sk, rt, replace ? NLM_F_REPLACE : NLM_F_EXCL);
	rtnl_route_put(rt);
	if (rc < 0 && !(rc == -NLE_EXIST && !replace))
		return nlerr(err, rc, "route %s", route_text(r, b, sizeof(b)));
	return 0;
}

int kroute_del(struct nl_sock *sk, const struct kroute *r, struct ccni_error *err)
{
	struct rtnl_route *rt = build_route(r);
	char b[128];
	int rc;

	if (!rt)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	rc = rtnl_route_delete(sk, rt, 0);
	rtnl_route_put(rt);
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
		return nlerr(err, rc, "delete route %s", route_text(r, b, sizeof(b)));
	return 0;
}

struct route_find {
	const struct kroute *want;
	int found;
};

static void route_match(struct nl_object *obj, void *arg)
{
	struct route_find *f = arg;
	struct rtnl_route *rt = (struct rtnl_route *)obj;
	struct nl_addr *dst = rtnl_route_get_dst(rt);
	struct rtnl_nexthop *nh;
	const struct kroute *w = f->want;

	if (f->found || rtnl_route_get_family(rt) != w->dst.ip.family ||
	    rtnl_route_get_table(rt) != (w->table ? w->table : RT_TABLE_MAIN))
		return;
	if ((unsigned)nl_addr_get_prefixlen(dst) != w->dst.prefix)
		return;
	if (w->dst.prefix && memcmp(nl_addr_get_binary_addr(dst), w->dst.ip.addr,
				     ccni_ip_len(&w->dst.ip)) != 0)
		return;
	if (rtnl_route_get_nnexthops(rt) < 1)
		return;
	nh = rtnl_route_nexthop_n(rt, 0);
	if (w->ifindex && rtnl_route_nh_get_ifindex(nh) != w->ifindex)
		return;
	if (w->gw.family) {
		struct nl_addr *g = rtnl_route_nh_get_gateway(nh);

		if (!g || memcmp(nl_addr_get_binary_addr(g), w->gw.addr, ccni_ip_len(&w->gw)) != 0)
			return;
	}
	f->found = 1;
}

int kroute_exists(struct nl_sock *sk, const struct kroute *r, struct ccni_error *err)
{
	struct nl_cache *cache = NULL;
	struct route_find f = { r, 0 };
	int rc = rtnl_route_alloc_cache(sk, r->dst.ip.family, 0, &cache);

	if (rc < 0)
		return nlerr(err, rc, "list routes");
	nl_cache_foreach(cache, route_match, &f);
	nl_cache_free(cache);
	return f.found;
}

struct oif_find {
	int oif;
};

static int oif_cb(struct nl_msg *msg, void *arg)
{
	struct oif_find *f = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0 || !tb[RTA_OIF])
		return NL_OK;
	f->oif = (int)nla_get_u32(tb[RTA_OIF]);
	return NL_OK;
}

int kroute_get_oif(struct nl_sock *sk, const struct ccni_ip *dst, struct ccni_error *err)
{
	struct rtmsg rtm = { .rtm_family = dst->family, .rtm_dst_len = (uint8_t)ccni_ip_bits(dst) };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct oif_find f = { 0 };
	struct nl_cb *cb, *orig;
	int rc;

	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, (int)ccni_ip_len(dst), dst->addr) < 0) {
		nlmsg_free(msg);
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	}
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		return nlerr(err, rc, "route lookup");
	orig = nl_socket_get_cb(sk);
	cb = orig ? nl_cb_clone(orig) : NULL;
	nl_cb_put(orig);
	if (!cb)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, oif_cb, &f);
	rc = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (rc < 0)
		return 0; /* unreachable: the error was the answer */
	/* The reply and the ACK arrive separately: take the ACK too, or the
	 * next request on this socket would read it as its answer. */
	rc = nl_wait_for_ack(sk);
	if (rc < 0)
		return nlerr(err, rc, "route lookup");
	return f.oif;
}
