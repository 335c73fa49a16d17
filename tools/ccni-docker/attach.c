/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach.c — a Docker endpoint's CNI chain, run through libccni.
 *
 * At Join the container's namespace does not exist yet for `docker run`
 * (runc makes it later, and Docker bind-mounts it at SandboxKey), and
 * Docker expects a link in its own namespace that it moves in itself. So
 * Join runs ADD into a fresh namespace and hands the container's link over,
 * renamed, to Docker. Leave runs DEL in the container when the link is
 * there under its CNI name (the container's first network); otherwise it
 * moves the link, if any is left, into a fresh namespace under that name
 * and runs DEL there.
 *
 * Both run in a thread of their own that first takes a private mount
 * namespace, where the fresh network namespace is bind-mounted at
 * SandboxKey itself: the plugins, and libccni's cache entry, see the path
 * the container will have (so `ccni show SANDBOXKEY`, CHECK and GC find
 * Docker's containers like any other), while nobody outside the thread
 * sees the mount, and nothing of it survives the thread, even a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/cleanup.h"
#include "net/link.h"
#include "net/netlink.h"
#include "lib/common/util.h"
#include "tools/ccni-docker/ccni-docker.h"

struct work {
	struct cd *cd;
	struct cd_endpoint *ep;
	struct ccni_network *net;
	struct ccni_attachment att;
	json_t *result;
	bool join;
	bool key_created;      /* SandboxKey made by us (removed after) */
	bool mounted;          /* the fresh namespace is mounted on it */
	int tmp_fd;            /* the fresh namespace */
	struct nl_sock *tmp;   /* a socket in it */
	struct ccni_error err;
	unsigned long long chain_ns; /* time in the plugins */
	int rc;
};

bool attach_is_netns(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	return fd >= 0 && ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
}

/* SandboxKey must exist to be mounted on; make it when Docker has not yet
 * (it replaces whatever is there when it mounts the real namespace). */
static int key_prepare(struct work *w)
{
	const char *key = w->ep->sandbox_key;
	_cleanup_free_ char *dir = strdup(key);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	int fd;

	if (access(key, F_OK) == 0)
		return 0;
	if (slash && slash != dir) {
		*slash = '\0';
		util_mkdir_p(dir, 0755);
	}
	fd = open(key, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return ccni_error_errno(&w->err, CCNI_ERR_IO, errno, "SandboxKey %s: cannot create",
					key);
	close(fd);
	w->key_created = true;
	return 0;
}

/* Move a link to the namespace nsfd under a new name. */
static int link_move(struct nl_sock *sk, int ifindex, int nsfd, const char *name,
		     struct ccni_error *err)
{
	return link_set(sk, ifindex, &(struct link_change){ .netns_fd = nsfd, .name = name }, err);
}

struct by_mac {
	const uint8_t *mac;
	struct link *out;
	bool found;
};

static int same_mac(const struct link *l, void *arg)
{
	struct by_mac *m = arg;

	if (l->addr_len != 6 || memcmp(l->mac, m->mac, 6) != 0)
		return 0;
	*m->out = *l;
	m->found = true;
	return 1; /* found: the listing stops */
}

/* The link with that MAC in the socket's namespace (a container's: a
 * handful of links). 0 found, 1 none, -1 error. */
static int link_by_mac(struct nl_sock *sk, const uint8_t mac[6], struct link *out,
		       struct ccni_error *err)
{
	struct by_mac m = { mac, out, false };

	if (link_list(sk, 0, NULL, same_mac, &m, err) < 0)
		return -1;
	return m.found ? 0 : 1;
}

/* A fresh network namespace, mounted at SandboxKey (in this thread's mount
 * namespace only), with lo up; the thread is back in ours afterwards. */
static int fresh_netns(struct work *w)
{
	struct ccni_error *err = &w->err;

	if (unshare(CLONE_NEWNET) < 0)
		return ccni_error_errno(err, CCNI_ERR_INTERNAL, errno,
					"cannot create a network namespace");
	w->tmp_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (w->tmp_fd < 0 || !(w->tmp = netlink_open(-1, err)) || link_set_up(w->tmp, 1, true, err) < 0 ||
	    mount("/proc/thread-self/ns/net", w->ep->sandbox_key, NULL, MS_BIND, NULL) < 0) {
		if (!ccni_error_is_set(err))
			ccni_error_errno(err, CCNI_ERR_INTERNAL, errno,
					 "cannot mount a network namespace at %s", w->ep->sandbox_key);
		setns(w->cd->host_netns, CLONE_NEWNET);
		return -1;
	}
	w->mounted = true;
	if (setns(w->cd->host_netns, CLONE_NEWNET) < 0)
		return ccni_error_errno(err, CCNI_ERR_INTERNAL, errno,
					"cannot return to the daemon's network namespace");
	return 0;
}

static void key_release(struct work *w)
{
	if (w->mounted)
		umount2(w->ep->sandbox_key, MNT_DETACH);
	if (w->key_created)
		unlink(w->ep->sandbox_key);
	netlink_close(w->tmp);
	w->tmp = NULL;
	if (w->tmp_fd >= 0)
		close(w->tmp_fd);
}

static int run_del(struct work *w, struct ccni_error *err)
{
	unsigned long long t = util_now_ns();
	int rc = ccni_del(w->cd->rt, w->net, &w->att, err);

	w->chain_ns += util_now_ns() - t;
	return rc;
}

/* After ADD: rename the container's link to SrcName and move it into our
 * namespace, where Docker looks for it; note the host side of a veth. */
static int hand_over(struct work *w, struct nl_sock *host)
{
	struct cd_endpoint *ep = w->ep;
	struct link l, h;
	int rc = link_get(w->tmp, CD_IFNAME, 0, &l, &w->err);

	if (rc)
		return rc < 0 ? -1 : ccni_error_set(&w->err, CCNI_ERR_NOT_FOUND,
						    "the chain made no %s in the container", CD_IFNAME);
	if (streq(l.kind, "veth") && l.parent && link_get(host, NULL, l.parent, &h, &w->err) == 0) {
		snprintf(ep->host_veth, sizeof(ep->host_veth), "%s", h.name);
		ep->host_veth_index = h.ifindex;
	}
	ccni_error_clear(&w->err);
	/* a link of that name can only be this endpoint's, left by a crash */
	link_del_named(host, ep->src_name, &w->err);
	ccni_error_clear(&w->err);
	return link_move(w->tmp, l.ifindex, w->cd->host_netns, ep->src_name, &w->err);
}

static int join_here(struct work *w)
{
	struct nl_sock *host = NULL;
	unsigned long long t;
	int rc = -1;

	if (key_prepare(w) < 0 || fresh_netns(w) < 0 || !(host = netlink_open(-1, &w->err)))
		goto out;
	t = util_now_ns();
	rc = ccni_add(w->cd->rt, w->net, &w->att, &w->result, &w->err);
	w->chain_ns += util_now_ns() - t;
	if (rc == 0 && (rc = hand_over(w, host)) < 0) {
		json_decref(w->result);
		w->result = NULL;
	}
	if (rc < 0) {
		struct ccni_error e = CCNI_ERROR_INIT;

		/* a failed ADD undoes; DEL's own failure is only logged */
		if (run_del(w, &e) < 0)
			cd_log("endpoint %.12s: DEL after the failed ADD: %s", w->ep->id, e.msg);
		ccni_error_clear(&e);
	}
out:
	netlink_close(host);
	key_release(w);
	return rc;
}

/* The endpoint's link: in the container (by MAC), else in our namespace
 * under SrcName. 0 found (*sock is the socket of its namespace), 1 none. */
static int find_link(struct work *w, struct nl_sock **sb, struct nl_sock *host,
		     struct nl_sock **sock, struct link *l)
{
	uint8_t mac[6];
	bool have_mac = ccni_mac_parse(w->ep->mac, mac) == 0;
	_cleanup_close_ int fd = -1;

	if (have_mac && attach_is_netns(w->ep->sandbox_key) &&
	    (fd = open(w->ep->sandbox_key, O_RDONLY | O_CLOEXEC)) >= 0 &&
	    setns(fd, CLONE_NEWNET) == 0) {
		*sb = netlink_open(-1, &w->err);
		setns(w->cd->host_netns, CLONE_NEWNET);
		if (*sb && link_by_mac(*sb, mac, l, &w->err) == 0) {
			*sock = *sb;
			return 0;
		}
	}
	ccni_error_clear(&w->err);
	if (link_get(host, w->ep->src_name, 0, l, &w->err) == 0 &&
	    (!have_mac || memcmp(l->mac, mac, 6) == 0)) {
		*sock = host;
		return 0;
	}
	ccni_error_clear(&w->err);
	return 1;
}

static int leave_here(struct work *w)
{
	struct nl_sock *sb = NULL, *host = netlink_open(-1, &w->err), *sock = NULL;
	struct link l, h;
	bool found;
	int rc = -1;

	if (!host)
		return -1;
	found = find_link(w, &sb, host, &sock, &l) == 0;
	if (found && sock == sb && streq(l.name, CD_IFNAME)) {
		/* In the container under its CNI name (its first network):
		 * DEL runs there, and no link moves (each move waits for an
		 * RCU grace period in the kernel). */
		rc = run_del(w, &w->err);
		goto veth;
	}
	if (key_prepare(w) < 0 || fresh_netns(w) < 0)
		goto out;
	if (found && link_move(sock, l.ifindex, w->tmp_fd, CD_IFNAME, &w->err) < 0)
		goto out;
	rc = run_del(w, &w->err);
veth:
	/* the namespace that held the container's side may be gone with the
	 * host side left (a crash); a link of ours by name and index */
	if (rc == 0 && w->ep->host_veth_index &&
	    link_get(host, NULL, w->ep->host_veth_index, &h, &w->err) == 0 &&
	    streq(h.name, w->ep->host_veth))
		link_del(host, h.ifindex, &w->err);
	ccni_error_clear(&w->err);
out:
	netlink_close(sb);
	netlink_close(host);
	key_release(w);
	return rc;
}

static void *worker(void *arg)
{
	struct work *w = arg;

	/* A mount namespace of this thread's own, propagating nothing back. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		w->rc = ccni_error_errno(&w->err, CCNI_ERR_INTERNAL, errno,
					 "cannot make a private mount namespace");
		return NULL;
	}
	w->rc = w->join ? join_here(w) : leave_here(w);
	return NULL;
}

static int run_worker(struct work *w, struct ccni_error *err)
{
	pthread_t t;
	int e;

	w->tmp_fd = -1;
	w->tmp = NULL;
	e = pthread_create(&t, NULL, worker, w);
	if (e)
		return ccni_error_errno(err, CCNI_ERR_INTERNAL, e, "cannot start a thread");
	pthread_join(t, NULL);
	cd_chain_ns += w->chain_ns;
	if (w->rc < 0)
		ccni_error_move(err, &w->err);
	ccni_error_clear(&w->err);
	return w->rc;
}

static void set_attachment(struct work *w)
{
	struct cd_endpoint *ep = w->ep;

	w->att.container_id = ep->id;
	w->att.netns = ep->sandbox_key;
	w->att.ifname = CD_IFNAME;
	w->att.args = ep->args;
	w->att.capability_args = ep->caps;
}

int attach_join(struct cd *cd, struct cd_endpoint *ep, json_t **result, struct ccni_error *err)
{
	_cleanup_(ccni_network_freep) struct ccni_network *net = NULL, *run = NULL;
	_cleanup_free_ char *conf = NULL;
	struct work w = { .cd = cd, .ep = ep, .join = true };
	struct ccni_ipnet addr;

	if (ccni_ipnet_parse(ep->address, &addr) < 0)
		return ccni_error_set(err, CCNI_ERR_INTERNAL, "endpoint %.12s: bad address \"%s\"",
				      ep->id, ep->address);
	if (cnet_load(cd, ep->network, &net, err) < 0 ||
	    !(conf = cnet_endpoint_conf(net, &addr, err)) ||
	    ccni_network_from_bytes(cd->rt, conf, strlen(conf), &run, err) < 0)
		return -1;
	json_decref(ep->conf);
	ep->conf = json_loads(conf, 0, NULL);
	free(ep->args);
	/* Docker sets its MAC on the link; the chain must use the same one
	 * (the cached result, CHECK and macspoofchk rules name it). */
	ep->args = *ep->mac ? util_asprintf("IgnoreUnknown=1;MAC=%s", ep->mac) : NULL;
	if (!ep->caps)
		ep->caps = json_object();
	if (*ep->mac)
		json_object_set_new(ep->caps, "mac", json_string(ep->mac));
	snprintf(ep->src_name, sizeof(ep->src_name), "ccd%.11s", ep->id);
	w.net = run;
	set_attachment(&w);
	if (run_worker(&w, err) < 0)
		return ccni_error_prefix(err, "CNI ADD on network \"%s\"", ep->network);
	*result = w.result;
	return 0;
}

int attach_leave(struct cd *cd, struct cd_endpoint *ep, struct ccni_error *err)
{
	_cleanup_(ccni_network_freep) struct ccni_network *run = NULL;
	_cleanup_free_ char *conf = ep->conf ? json_dumps(ep->conf, JSON_COMPACT) : NULL;
	struct work w = { .cd = cd, .ep = ep, .join = false };

	if (!conf)
		return 0; /* never joined: nothing ran */
	if (ccni_network_from_bytes(cd->rt, conf, strlen(conf), &run, err) < 0)
		return ccni_error_prefix(err, "endpoint %.12s: the recorded config", ep->id);
	w.net = run;
	set_attachment(&w);
	if (run_worker(&w, err) < 0)
		return ccni_error_prefix(err, "CNI DEL on network \"%s\"", ep->network);
	return 0;
}

void attach_drop_src(struct cd *cd, const struct cd_endpoint *ep)
{
	struct ccni_error err = CCNI_ERROR_INIT;
	struct nl_sock *host;
	struct link l;
	uint8_t mac[6];

	(void)cd;
	if (!*ep->src_name || !(host = netlink_open(-1, &err))) {
		ccni_error_clear(&err);
		return;
	}
	if (link_get(host, ep->src_name, 0, &l, &err) == 0 && ccni_mac_parse(ep->mac, mac) == 0 &&
	    memcmp(l.mac, mac, 6) == 0)
		link_del(host, l.ifindex, &err);
	ccni_error_clear(&err);
	netlink_close(host);
}
