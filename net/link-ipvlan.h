/* SPDX-License-Identifier: Apache-2.0 */
/* link-ipvlan.h — ipvlan links: links sharing their lower device's MAC,
 * told apart by address, in mode l2, l3 or l3s. Internal. */
#ifndef CCNI_NET_LINK_IPVLAN_H
#define CCNI_NET_LINK_IPVLAN_H

#include <stdint.h>

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;
struct nl_msg;

/* "l2", "l3", "l3s" to IPVLAN_MODE_* and back; -1, NULL otherwise. */
int link_ipvlan_mode_parse(const char *s, uint16_t *mode);
const char *link_ipvlan_mode_name(uint16_t mode);

/* The IFLA_INFO_DATA of a new ipvlan (link_spec.put_data; data is the
 * uint16_t mode). */
int link_ipvlan_put_data(struct nl_msg *msg, const void *data);

/* The mode of the ipvlan ifindex; 1 when it is not there or not an ipvlan. */
int link_ipvlan_get(struct nl_sock *sk, int ifindex, uint16_t *mode, struct ccni_error *err);

#endif
