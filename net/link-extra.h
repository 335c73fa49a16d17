/* SPDX-License-Identifier: Apache-2.0 */
/*
 * link-extra.h — link attributes beyond kernel.h's: the all-multicast flag
 * and the transmit queue length. Requests by index over a route socket from
 * kns_socket(). Internal.
 */
#ifndef CCNI_NET_LINK_EXTRA_H
#define CCNI_NET_LINK_EXTRA_H

#include <stdbool.h>

#include <ccni/error.h>

struct nl_sock;

int klink_set_allmulti(struct nl_sock *sk, int ifindex, bool on, struct ccni_error *err);
int klink_set_txqlen(struct nl_sock *sk, int ifindex, unsigned qlen, struct ccni_error *err);
/* The link's transmit queue length (IFLA_TXQLEN). 0, 1 when there is no such
 * link, -1 on error. */
int klink_get_txqlen(struct nl_sock *sk, int ifindex, unsigned *qlen, struct ccni_error *err);

#endif
