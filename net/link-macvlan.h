/* SPDX-License-Identifier: Apache-2.0 */
/* link-macvlan.h — macvlan links: a link with its own MAC on a lower
 * device, in one of four modes. Internal. */
#ifndef CCNI_NET_LINK_MACVLAN_H
#define CCNI_NET_LINK_MACVLAN_H

#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;
struct nl_msg;

/* A macvlan's own attributes. */
struct link_macvlan {
	uint32_t mode;	     /* MACVLAN_MODE_*: bridge, private, vepa, passthru */
	bool set_bcqueuelen; /* send bcqueuelen (the kernel's default otherwise) */
	uint32_t bcqueuelen; /* the broadcast/multicast queue's length */
};

/* "bridge", "private", "vepa", "passthru" to MACVLAN_MODE_* and back; -1,
 * NULL for anything else. */
int link_macvlan_mode_parse(const char *s, uint32_t *mode);
const char *link_macvlan_mode_name(uint32_t mode);

/* The IFLA_INFO_DATA of a new macvlan (link_spec.put_data; data is a
 * struct link_macvlan). */
int link_macvlan_put_data(struct nl_msg *msg, const void *data);

/* The mode (and bcqueuelen) of the macvlan ifindex; 1 when it is not there
 * or not a macvlan. */
int link_macvlan_get(struct nl_sock *sk, int ifindex, struct link_macvlan *out,
		     struct ccni_error *err);

#endif
