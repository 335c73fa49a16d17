/* SPDX-License-Identifier: Apache-2.0 */
/* link-vrf.h — VRF links: made with their routing table (IFLA_VRF_TABLE),
 * and the table of one read back. Internal. */
#ifndef CCNI_NET_LINK_VRF_H
#define CCNI_NET_LINK_VRF_H

#include <stddef.h>
#include <stdint.h>

#include <ccni/error.h>

#include "net/link.h"

struct nl_sock;
struct nl_msg;

/* The IFLA_INFO_DATA of a VRF on table (link_spec.put_data). */
int link_vrf_put_data(struct nl_msg *msg, const void *table);

/* Create the VRF name on table, up (as the reference); *out is it. */
int link_vrf_create(struct nl_sock *sk, const char *name, uint32_t table, struct link *out,
		    struct ccni_error *err);

/* The link name (0, *out and *table), 1 when there is none, 2 when it is
 * not a VRF (*out is what it is), -1 on error. */
int link_vrf_get(struct nl_sock *sk, const char *name, struct link *out, uint32_t *table,
		 struct ccni_error *err);

/* The tables of every VRF in the socket's namespace (a dump: a container's).
 * *out is malloc'd. */
int link_vrf_tables(struct nl_sock *sk, uint32_t **out, size_t *n, struct ccni_error *err);

#endif
