/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netns.h — network namespaces: open one by path (checking that it is one),
 * and run a function inside one and come back. Internal.
 */
#ifndef CCNI_NET_NETNS_H
#define CCNI_NET_NETNS_H

#include <ccni/error.h>

/* Open a netns path and check that it is a network namespace. A missing
 * path is code 3 (unknown container); not a netns is code 8. */
int netns_open(const char *path, int *fd, struct ccni_error *err);

/* Run fn inside namespace nsfd (-1: where we are) on this thread, then
 * come back. fn's result is returned. */
int netns_run(int nsfd, int (*fn)(void *data, struct ccni_error *err), void *data,
	      struct ccni_error *err);

#endif
