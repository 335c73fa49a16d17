/* SPDX-License-Identifier: Apache-2.0 */
/* link-veth.h — veth pairs. Internal. */
#ifndef CCNI_NET_LINK_VETH_H
#define CCNI_NET_LINK_VETH_H

#include <stdint.h>

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;

/* A veth pair: `host_name` in the socket's namespace, `peer_name` in
 * peer_nsfd (-1: the socket's). host_name NULL: a random "veth%08x",
 * retried when taken. mtu 0: the default; peer_mac: the peer's MAC, or
 * NULL. The host end's name goes to host_out. */
int link_veth_create(struct nl_sock *sk, const char *host_name, const char *peer_name,
		     int peer_nsfd, unsigned mtu, const uint8_t *peer_mac,
		     char host_out[LINK_NAME_MAX], struct ccni_error *err);

/* A container's veth pair: a random host end in host's namespace, and
 * peer_name in the container's namespace nsfd (whose socket is ct); both
 * ends read back into *host_end and *peer. host_end->name is set as soon
 * as the pair exists, so a caller can take it back after a later failure. */
int link_veth_into(struct nl_sock *host, struct nl_sock *ct, int nsfd, const char *peer_name,
		   unsigned mtu, const uint8_t *peer_mac, struct link *host_end, struct link *peer,
		   struct ccni_error *err);

#endif
