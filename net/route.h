/* SPDX-License-Identifier: Apache-2.0 */
/* route.h — route requests kernel.h's kroute_* do not cover. Internal. */
#ifndef CCNI_NET_ROUTE_H
#define CCNI_NET_ROUTE_H

#include <ccni/error.h>
#include <ccni/ip.h>

struct nl_sock;

/* Delete the main-table route to dst on ifindex whatever its protocol and
 * scope (the prefix route the kernel adds with an address). A route
 * already gone is success. */
int kroute_del_prefix(struct nl_sock *sk, const struct ccni_ipnet *dst, int ifindex,
		      struct ccni_error *err);

#endif
