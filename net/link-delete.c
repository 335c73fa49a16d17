/* SPDX-License-Identifier: Apache-2.0 */
/* link-delete.c — deleting links: by index or name, without waiting out
 * the kernel's RCU barrier (a detached child does), and GC's links tagged
 * for attachments that are gone. The rest of a link is in link.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/util.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/tag.h"

/* --- deleting a link ------------------------------------------------------------- */

int link_del(struct nl_sock *sk, int ifindex, struct ccni_error *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = netlink_msg(RTM_DELLINK, 0, &ifi, sizeof(ifi));
	struct netlink_answer ans;
	char name[LINK_NAME_MAX];
	int rc;

	if (!msg)
		return netlink_nomem(err, "link delete");
	rc = netlink_talk(sk, msg, NULL, NULL, &ans);
	if (rc == 0 || rc == -ENODEV)
		return 0;
	return netlink_error(err, &ans, "link %s: delete", link_name(sk, ifindex, name));
}

int link_del_named(struct nl_sock *sk, const char *name, struct ccni_error *err)
{
	struct link l;
	int rc;

	if (!name || !*name)
		return 0;
	rc = link_get(sk, name, 0, &l, err);
	return rc == 0 ? link_del(sk, l.ifindex, err) : rc < 0 ? -1 : 0;
}

/* Where the deletion is watched from: a socket hearing the witness's
 * namespace's link notifications, and one to ask it for a link by index
 * (SIOCGIFNAME: no netlink), both made inside that namespace. */
struct link_watch {
	int ev, ioc;
};

/* Does ifindex still exist in the watched namespace? */
static bool link_exists(const struct link_watch *w, int ifindex)
{
	struct ifreq ifr = { .ifr_ifindex = ifindex };

	return ioctl(w->ioc, SIOCGIFNAME, &ifr) == 0 || errno != ENODEV;
}

static int watch_open_here(void *data, struct ccni_error *err)
{
	struct link_watch *w = data;

	if ((w->ev = netlink_events_open(-1, RTMGRP_LINK, err)) < 0)
		return -1;
	w->ioc = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (w->ioc < 0) {
		close(w->ev);
		w->ev = -1;
		return ccni_error_errno(err, CCNI_ERR_IO, errno, "socket");
	}
	return 0;
}

/* The watch on namespace nsfd (-1: ours); false when it cannot be made. */
static bool link_watch_open(int nsfd, struct link_watch *w)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	bool ok = netns_run(nsfd, watch_open_here, w, &e) == 0 && w->ev >= 0;

	ccni_error_clear(&e);
	return ok;
}

static void link_watch_close(struct link_watch *w)
{
	close(w->ev);
	close(w->ioc);
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

/* In the detached child: delete, and tell the parent how it went (0, or
 * the error's code). */
static _Noreturn void delete_and_report(struct nl_sock *sk, int ifindex, int report)
{
	struct ccni_error ce = CCNI_ERROR_INIT;
	unsigned char c = 0;

	if (link_del(sk, ifindex, &ce) < 0)
		c = ce.code > 0 && ce.code < 255 ? (unsigned char)ce.code : 1;
	_exit(write(report, &c, 1) == 1 ? 0 : 1);
}

/* Wait for the kernel's notice that witness is deleted, or the child's
 * answer (-1 none; 255 it ended without one); at most 10 s, by when the
 * kernel is stuck and saying so is better. Should notices be lost, the
 * witness's absence answers. True when the witness is gone. */
static bool wait_deleted(const struct link_watch *w, int answer, int witness, int *code)
{
	int ev = w->ev;
	bool gone = false;

	for (unsigned long long end = util_now_ns() + 10000000000ULL;
	     !gone && *code < 0 && util_now_ns() < end;) {
		struct pollfd pf[2] = { { .fd = ev, .events = POLLIN },
					{ .fd = answer, .events = POLLIN } };
		int d;

		if (poll(pf, 2, 100) < 0 && errno != EINTR)
			break;
		d = pf[0].revents ? link_events_deleted(ev, witness) : 0;
		gone = d > 0 || (d < 0 && !link_exists(w, witness));
		if (!gone && pf[1].revents) {
			unsigned char c;

			*code = read(answer, &c, 1) == 1 ? c : 255;
		}
	}
	return gone;
}

int link_del_unwaited(struct nl_sock *sk, int ifindex, int witness, struct ccni_error *err)
{
	return link_del_unwaited_in(sk, ifindex, witness, -1, err);
}

int link_del_unwaited_in(struct nl_sock *sk, int ifindex, int witness, int witness_nsfd,
			 struct ccni_error *err)
{
	int p[2] = { -1, -1 }, pid, code = -1;
	struct link_watch w = { -1, -1 };
	char name[LINK_NAME_MAX];
	bool gone;

	if (witness <= 0 || !link_watch_open(witness_nsfd, &w))
		return link_del(sk, ifindex, err);
	if (pipe2(p, O_CLOEXEC) < 0 ||
	    (pid = util_fork_detached(nl_socket_get_fd(sk), p[1])) < 0) {
		link_watch_close(&w);
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return link_del(sk, ifindex, err);
	}
	if (pid == 0)
		delete_and_report(sk, ifindex, p[1]);
	close(p[1]);
	gone = wait_deleted(&w, p[0], witness, &code);
	link_watch_close(&w);
	close(p[0]);
	if (gone || code == 0)
		return 0;
	snprintf(name, sizeof(name), "#%d", ifindex);
	if (code < 0)
		return ccni_error_set(err, CCNI_ERR_NETLINK,
				      "link %s: still there 10 s after its deletion", name);
	return ccni_error_set(err, code == 255 ? CCNI_ERR_INTERNAL : code,
			      "link %s: delete failed (error code %d)", name, code);
}

/* --- GC ------------------------------------------------------------------------- */

struct stale_links {
	const char *network;
	json_t *valid;
	void (*owner_name)(const char *network, const char *container_id, char out[16]);
	uint32_t group;
	int *doomed;
	size_t n, cap;
};

/* An untagged link of the network's group, not named for a valid
 * attachment. */
static bool untagged_stale(const struct link *l, const struct stale_links *g)
{
	size_t i;
	json_t *a;

	if (!g->owner_name || l->alias[0] || l->group != g->group)
		return false;
	json_array_foreach(g->valid, i, a) {
		const char *id = json_string_value(json_object_get(a, "containerID"));
		char name[16];

		if (!id)
			continue;
		g->owner_name(g->network, id, name);
		if (strcmp(name, l->name) == 0)
			return false;
	}
	return true;
}

static int stale_link(const struct link *l, void *arg)
{
	struct stale_links *g = arg;
	int *p;

	if (!tag_is_stale(l->alias, g->network, g->valid) && !untagged_stale(l, g))
		return 0;
	if (!(p = util_array_grow(g->doomed, g->n, &g->cap, sizeof(*p))))
		return 0; /* the rest waits for the next GC */
	g->doomed = p;
	g->doomed[g->n++] = l->ifindex;
	return 0;
}

int link_del_stale(struct nl_sock *sk, const char *network, json_t *valid,
		   void (*owner_name)(const char *network, const char *container_id, char out[16]),
		   struct ccni_error *err)
{
	struct stale_links g = { .network = network, .valid = valid, .owner_name = owner_name,
				 .group = tag_group(network) };
	int rc = link_list(sk, 0, NULL, stale_link, &g, err);

	for (size_t i = 0; i < g.n && rc == 0; i++)
		rc = link_del(sk, g.doomed[i], err);
	free(g.doomed);
	return rc;
}
