/* SPDX-License-Identifier: Apache-2.0 */
/* conntrack.h — deleting stale conntrack entries (ctnetlink). */
#ifndef CCNI_NET_CONNTRACK_H
#define CCNI_NET_CONNTRACK_H

#include <stdint.h>

#include <ccni/error.h>

/* Delete every UDP conntrack entry of family (AF_INET/AF_INET6) in the
 * current netns whose original destination port is one of ports. Returns
 * the number deleted, or -1 with err. */
int conntrack_flush_udp_dports(int family, const uint16_t *ports, int n_ports, struct ccni_error *err);

#endif
