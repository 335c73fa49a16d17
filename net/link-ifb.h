/* SPDX-License-Identifier: Apache-2.0 */
/* link-ifb.h — ifb links (the bandwidth plugin's egress shaping). Internal. */
#ifndef CCNI_NET_LINK_IFB_H
#define CCNI_NET_LINK_IFB_H

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;

/* Create an ifb link, up, with the given MTU and a transmit queue length of
 * 0 (as the reference creates it), in device group (0: the default), and
 * alias (NULL: none; the kernel takes it only after creation, the group at
 * once); *out is the new link. Exclusive. */
int link_ifb_create(struct nl_sock *sk, const char *name, unsigned mtu, uint32_t group,
		    const char *alias, struct link *out, struct ccni_error *err);

#endif
