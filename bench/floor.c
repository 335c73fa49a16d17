/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floor — the kernel's share of a bridge attachment, with no process or
 * runtime around it: in one process, for N fresh namespaces, create a veth
 * pair into the namespace, attach the host end to a bridge, put an address
 * on the container end, bring both up, add a default route; then delete the
 * veth. Reports median/p90 per pod for ADD and DEL.
 *
 *   floor [-m] [-n PODS] [-f FILL] [-u] [-b BRIDGE] [-s 10.99] [-o JSON]
 *
 * -f FILL attaches FILL pods first (not timed, removed at the end), so the
 * N timed ones meet a bridge with that many ports: the kernel's cost at a
 * node's fill. -u deletes as ccni's DEL does, returning once the kernel
 * reports the link deleted (its RCU barrier is left to a detached process);
 * without it a DEL waits for the whole deletion.
 *
 * -m measures host-device's share instead: a host veth per pod (made
 * before, not timed) moved into the namespace as eth0 and set up in one
 * request, an address on it; then moved back under its name. The move is
 * where a host-device attachment's time goes: the kernel waits for RCU
 * callbacks (rcu_barrier in dev_change_net_namespace) on every move.
 */
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <netlink/netlink.h>

#include "lib/common/util.h"
#include "net/addr.h"
#include "net/link.h"
#include "net/link-bridge.h"
#include "net/link-veth.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/route.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n ? v[(int)((n - 1) * p + 0.5)] : 0;
}

static int make_ns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444), st;
	pid_t pid;

	if (fd < 0)
		return -1;
	close(fd);
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) < 0 ||
		      mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
}

struct pod {
	int fd;
	char host[16];
};

static struct pod *all_pods; /* for die(): the namespaces made so far */
static int n_pods;

static void pod_drop(struct pod *p, int i);

static void die(struct ccni_error *e)
{
	fprintf(stderr, "floor: %s\n", e->msg);
	for (int i = 0; i < n_pods; i++)
		pod_drop(&all_pods[i], i);
	exit(1);
}

static const char *ns_path(int i, char *buf, size_t len)
{
	snprintf(buf, len, "/run/netns/ccnifloor-%d-%d", (int)getpid(), i);
	return buf;
}

/* Attach pod i (its namespace made beforehand) to the bridge; its time in ms. */
static double pod_add(struct nl_sock *host, const struct link *bridge, struct pod *p, int i,
		      const char *prefix)
{
	unsigned long long t = util_now_ns();
	struct ccni_error e = CCNI_ERROR_INIT;
	struct nl_sock *ns = netlink_open(p->fd, &e);
	struct link peer, hl;
	struct ccni_ipnet a;
	struct route r = route_init();
	char text[32];

	if (!ns || link_veth_create(host, NULL, "eth0", p->fd, 0, NULL, p->host, &e) < 0 ||
	    link_get(host, p->host, 0, &hl, &e) != 0 ||
	    link_set(host, hl.ifindex, &(struct link_change){ .master = bridge->ifindex }, &e) < 0 ||
	    link_set_up(host, hl.ifindex, true, &e) < 0 || link_get(ns, "eth0", 0, &peer, &e) != 0)
		die(&e);
	snprintf(text, sizeof(text), "%s.%d.%d/16", prefix, (i + 2) / 256, (i + 2) % 256);
	ccni_ipnet_parse(text, &a);
	if (addr_add(ns, peer.ifindex, &a, true, &e) < 0 ||
	    link_set_up(ns, peer.ifindex, true, &e) < 0)
		die(&e);
	ccni_ipnet_parse("0.0.0.0/0", &r.dst);
	snprintf(text, sizeof(text), "%s.0.1", prefix);
	ccni_ip_parse(text, &r.gw);
	r.ifindex = peer.ifindex;
	if (route_add(ns, &r, false, true, &e) < 0)
		die(&e);
	netlink_close(ns);
	return (double)(util_now_ns() - t) / 1e6;
}

/* Delete pod i's veth (waited for, or as ccni's DEL); its time in ms. */
static double pod_del(struct nl_sock *host, struct pod *p, bool unwaited)
{
	unsigned long long t = util_now_ns();
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link hl, peer;

	if (unwaited) {
		struct nl_sock *ns = netlink_open(p->fd, &e);

		if (!ns || link_get(ns, "eth0", 0, &peer, &e) != 0 ||
		    link_del_unwaited(ns, peer.ifindex, peer.parent, &e) < 0)
			die(&e);
		netlink_close(ns);
	} else if (link_get(host, p->host, 0, &hl, &e) == 0 && link_del(host, hl.ifindex, &e) < 0) {
		die(&e);
	}
	return (double)(util_now_ns() - t) / 1e6;
}

/* Close and unmount pod i's namespace: the kernel removes it, and a veth
 * still in it, on its own time. */
static void pod_drop(struct pod *p, int i)
{
	char path[96];

	close(p->fd);
	ns_path(i, path, sizeof(path));
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* -m: move a host veth in (renamed, up, an address) and back. */
static void move_floor(struct nl_sock *host, const struct pod *pods, int n, const char *prefix,
		       double *add, double *del)
{
	struct ccni_error e = CCNI_ERROR_INIT;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	for (int i = 0; i < n; i++) {
		char name[16], peer[16], made[16];

		snprintf(name, sizeof(name), "hdf%04d", i);
		snprintf(peer, sizeof(peer), "hdf%04dp", i);
		if (link_veth_create(host, name, peer, -1, 0, NULL, made, &e) < 0)
			die(&e);
	}
	for (int i = 0; i < 2 * n; i++) {
		int k = i % n;
		unsigned long long t = util_now_ns();
		struct nl_sock *ns = netlink_open(pods[k].fd, &e);
		struct link_change in = { .netns_fd = pods[k].fd, .name = "eth0", .flags_on = IFF_UP };
		/* the round trip of host-device: in, as it moves one, and back */
		struct link_change out = { .netns_fd = self };
		struct ccni_ipnet a;
		struct link l;
		char name[16], text[32];

		snprintf(name, sizeof(name), "hdf%04d", k);
		out.name = name;
		snprintf(text, sizeof(text), "%s.%d.%d/16", prefix, (k + 2) / 256, (k + 2) % 256);
		ccni_ipnet_parse(text, &a);
		if (i < n) {
			if (!ns || link_get(host, name, 0, &l, &e) != 0 || link_set(host, l.ifindex, &in, &e) < 0 ||
			    link_get(ns, "eth0", 0, &l, &e) != 0 || addr_add(ns, l.ifindex, &a, true, &e) < 0)
				die(&e);
			add[k] = (double)(util_now_ns() - t) / 1e6;
		} else {
			if (!ns || link_get(ns, "eth0", 0, &l, &e) != 0 || link_set(ns, l.ifindex, &out, &e) < 0)
				die(&e);
			del[k] = (double)(util_now_ns() - t) / 1e6;
		}
		netlink_close(ns);
	}
	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "hdf%04d", i);
		link_del_named(host, name, &e);
	}
	close(self);
}

static void report(bool move, int n, int fill, double *add, double *del, const char *json_out)
{
	double am = pct(add, n, 0.5), a9 = pct(add, n, 0.9), dm = pct(del, n, 0.5),
	       d9 = pct(del, n, 0.9);

	printf("floor%s: %d pods at a fill of %d: ADD median %.2f ms p90 %.2f ms; DEL median %.2f ms "
	       "p90 %.2f ms\n",
	       move ? " (host-device's move)" : "", n, fill, am, a9, dm, d9);
	if (json_out) {
		json_t *j = json_pack("{s:i,s:i,s:f,s:f,s:f,s:f}", "pods", n, "fill", fill,
				      "add_median_ms", am, "add_p90_ms", a9, "del_median_ms", dm,
				      "del_p90_ms", d9);

		json_dump_file(j, json_out, JSON_INDENT(2));
		json_decref(j);
	}
}

int main(int argc, char **argv)
{
	int n = 50, fill = 0, o;
	bool unwaited = false, move = false, made_bridge;
	const char *br = "ccnifloor0", *prefix = "10.99", *json_out = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link_bridge_opts bo = { 0 };
	struct link bridge;
	struct nl_sock *host;
	double *add, *del;
	struct pod *pods;

	while ((o = getopt(argc, argv, "mn:f:ub:s:o:")) != -1) {
		switch (o) {
		case 'm': move = true; break;
		case 'n': n = atoi(optarg); break;
		case 'f': fill = atoi(optarg); break;
		case 'u': unwaited = true; break;
		case 'b': br = optarg; break;
		case 's': prefix = optarg; break;
		case 'o': json_out = optarg; break;
		default:
			fprintf(stderr, "usage: floor [-m] [-n PODS] [-f FILL] [-u] [-b BRIDGE] [-s A.B] [-o JSON]\n");
			return 2;
		}
	}
	if (n < 1 || fill < 0 || n + fill > 60000)
		return 2;
	add = calloc((size_t)n, sizeof(double));
	del = calloc((size_t)n, sizeof(double));
	pods = calloc((size_t)(n + fill), sizeof(*pods));
	util_mkdir_p("/run/netns", 0755);
	host = netlink_open(-1, &e);
	if (!host || !add || !del || !pods)
		die(&e);
	made_bridge = link_get(host, br, 0, &bridge, &e) != 0;
	ccni_error_clear(&e);
	if (!move && link_bridge_ensure(host, br, &bo, &bridge, &e) < 0)
		die(&e);
	all_pods = pods;
	for (int i = 0; i < n + fill; i++, n_pods = i) {
		char path[96];

		if ((pods[i].fd = make_ns(ns_path(i, path, sizeof(path)))) < 0) {
			ccni_error_set(&e, CCNI_ERR_IO, "cannot make %s", path);
			die(&e);
		}
	}
	if (move)
		move_floor(host, &pods[fill], n, prefix, add, del);
	for (int i = 0; !move && i < fill; i++)
		pod_add(host, &bridge, &pods[i], i, prefix);
	for (int i = 0; !move && i < n; i++)
		add[i] = pod_add(host, &bridge, &pods[fill + i], fill + i, prefix);
	for (int i = 0; !move && i < n; i++)
		del[i] = pod_del(host, &pods[fill + i], unwaited);
	for (int i = 0; i < n + fill; i++)
		pod_drop(&pods[i], i);
	n_pods = 0;
	report(move, n, fill, add, del, json_out);
	if (!move && made_bridge && link_get(host, br, 0, &bridge, &e) == 0)
		link_del(host, bridge.ifindex, &e);
	netlink_close(host);
	return 0;
}
