/* SPDX-License-Identifier: Apache-2.0 */
/* link-vlan.h — 802.1Q VLAN links: a lower device's frames tagged with
 * one VLAN id. Internal. */
#ifndef CCNI_NET_LINK_VLAN_H
#define CCNI_NET_LINK_VLAN_H

#include <stdint.h>

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;
struct nl_msg;

/* The IFLA_INFO_DATA of a new VLAN link (link_spec.put_data; data is the
 * uint16_t id, 0..4094). */
int link_vlan_put_data(struct nl_msg *msg, const void *data);

/* The id of the VLAN link ifindex; 1 when it is not there or not a VLAN. */
int link_vlan_get(struct nl_sock *sk, int ifindex, uint16_t *id, struct ccni_error *err);

#endif
