/* SPDX-License-Identifier: Apache-2.0 */
/* link-bridge.h — Linux bridges: the bridge itself, its ports' flags and
 * their VLANs. Internal. */
#ifndef CCNI_NET_LINK_BRIDGE_H
#define CCNI_NET_LINK_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;
struct nl_msg;

struct link_bridge_opts {
	unsigned mtu; /* 0: the kernel's default */
	bool promisc;
	bool vlan_filtering;
};

/* The bridge `name`, created when missing (safe when ADDs race: EEXIST
 * means someone else made it; it must then be a bridge), up, promiscuous
 * when asked. *out is the bridge. */
int link_bridge_ensure(struct nl_sock *sk, const char *name, const struct link_bridge_opts *o,
		       struct link *out, struct ccni_error *err);

/* A port's flags (AF_BRIDGE IFLA_PROTINFO). -1: leave as is. */
int link_bridge_port_set(struct nl_sock *sk, int ifindex, int hairpin, int isolated,
			 struct ccni_error *err);

/* One VLAN or a range of a port (or of the bridge itself with self). */
struct link_bridge_vlan {
	uint16_t vid_start, vid_end; /* equal: one VLAN */
	bool pvid, untagged;
	bool self;
};
struct nl_msg *link_bridge_vlan_msg(int ifindex, const struct link_bridge_vlan *v, bool del);
/* Add (or delete) it; deleting one that is not there is success. */
int link_bridge_vlan_set(struct nl_sock *sk, int ifindex, const struct link_bridge_vlan *v,
			 bool del, struct ccni_error *err);

#endif
