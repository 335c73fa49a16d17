/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netns.h — network namespaces: open one by path (checking that it is one),
 * run a function inside one and come back, and the pair of route sockets a
 * main plugin works with (the container's and the host's). Internal.
 */
#ifndef CCNI_NET_NETNS_H
#define CCNI_NET_NETNS_H

#include <ccni/error.h>

struct nl_sock;

/* Open a netns path and check that it is a network namespace. A missing
 * path is code 3 (unknown container); not a netns is code 8. */
int netns_open(const char *path, int *fd, struct ccni_error *err);

/* Run fn inside namespace nsfd (-1: where we are) on this thread, then
 * come back. fn's result is returned. */
int netns_run(int nsfd, int (*fn)(void *data, struct ccni_error *err), void *data,
	      struct ccni_error *err);

/* The container's namespace and a route socket in it (ct) and one in the
 * caller's namespace (host): what a main plugin's ADD and CHECK work with.
 * On failure nothing stays open; close is safe on NETNS_PAIR_INIT and frees
 * what is open. */
struct netns_pair {
	int nsfd;
	struct nl_sock *host, *ct;
};
#define NETNS_PAIR_INIT { .nsfd = -1 }
int netns_pair_open(const char *netns, struct netns_pair *p, struct ccni_error *err);
void netns_pair_close(struct netns_pair *p);

#endif
