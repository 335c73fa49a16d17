/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floor — the kernel's share of a bridge attachment, with no process or
 * runtime around it: in one process, for N fresh namespaces, create a veth
 * pair into the namespace, attach the host end to a bridge, put an address
 * on the container end, bring both up, add a default route; then delete the
 * veth. Reports median/p90 per pod for ADD and DEL.
 *
 *   floor [-n PODS] [-b BRIDGE] [-s 10.99] [-o JSON]
 */
#include <fcntl.h>
#include <getopt.h>
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

static void die(struct ccni_error *e)
{
	fprintf(stderr, "floor: %s\n", e->msg);
	exit(1);
}

int main(int argc, char **argv)
{
	int n = 50, o;
	const char *br = "ccnifloor0", *prefix = "10.99", *json_out = NULL;
	struct ccni_error e = CCNI_ERROR_INIT;
	struct link_bridge_opts bo = { 0 };
	struct link bridge;
	struct nl_sock *host;
	double *add, *del;
	char (*hostnames)[16];
	int *fds;

	while ((o = getopt(argc, argv, "n:b:s:o:")) != -1) {
		switch (o) {
		case 'n': n = atoi(optarg); break;
		case 'b': br = optarg; break;
		case 's': prefix = optarg; break;
		case 'o': json_out = optarg; break;
		default: fprintf(stderr, "usage: floor [-n PODS] [-b BRIDGE] [-s A.B] [-o JSON]\n"); return 2;
		}
	}
	if (n < 1 || n > 60000)
		return 2;
	add = calloc((size_t)n, sizeof(double));
	del = calloc((size_t)n, sizeof(double));
	hostnames = calloc((size_t)n, sizeof(*hostnames));
	fds = calloc((size_t)n, sizeof(int));
	util_mkdir_p("/run/netns", 0755);
	host = netlink_open(-1, &e);
	if (!host || link_bridge_ensure(host, br, &bo, &bridge, &e) < 0)
		die(&e);
	for (int i = 0; i < n; i++) {
		char path[96];

		snprintf(path, sizeof(path), "/run/netns/ccnifloor-%d-%d", (int)getpid(), i);
		fds[i] = make_ns(path);
		if (fds[i] < 0) {
			fprintf(stderr, "floor: cannot make %s\n", path);
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		unsigned long long t = util_now_ns();
		struct nl_sock *ns = netlink_open(fds[i], &e);
		struct link peer, hl;
		struct ccni_ipnet a;
		struct route r = route_init();
		char text[32];

		if (!ns || link_veth_create(host, NULL, "eth0", fds[i], 0, NULL, hostnames[i], &e) < 0 ||
		    link_get(host, hostnames[i], 0, &hl, &e) != 0 ||
		    link_set(host, hl.ifindex, &(struct link_change){ .master = bridge.ifindex }, &e) < 0 ||
		    link_set_up(host, hl.ifindex, true, &e) < 0 ||
		    link_get(ns, "eth0", 0, &peer, &e) != 0)
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
		add[i] = (double)(util_now_ns() - t) / 1e6;
	}
	for (int i = 0; i < n; i++) {
		unsigned long long t = util_now_ns();
		struct link hl;
		char path[96];

		if (link_get(host, hostnames[i], 0, &hl, &e) == 0 && link_del(host, hl.ifindex, &e) < 0)
			die(&e);
		del[i] = (double)(util_now_ns() - t) / 1e6;
		close(fds[i]);
		snprintf(path, sizeof(path), "/run/netns/ccnifloor-%d-%d", (int)getpid(), i);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	{
		double am = pct(add, n, 0.5), a9 = pct(add, n, 0.9), dm = pct(del, n, 0.5),
		       d9 = pct(del, n, 0.9);

		printf("floor: %d pods: ADD median %.2f ms p90 %.2f ms; DEL median %.2f ms p90 %.2f ms\n",
		       n, am, a9, dm, d9);
		if (json_out) {
			json_t *j = json_pack("{s:i,s:f,s:f,s:f,s:f}", "pods", n, "add_median_ms", am,
					      "add_p90_ms", a9, "del_median_ms", dm, "del_p90_ms", d9);

			json_dump_file(j, json_out, JSON_INDENT(2));
			json_decref(j);
		}
	}
	if (link_get(host, br, 0, &bridge, &e) == 0)
		link_del(host, bridge.ifindex, &e);
	netlink_close(host);
	return 0;
}
