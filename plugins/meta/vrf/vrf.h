/* SPDX-License-Identifier: Apache-2.0 */
/* vrf.h — the vrf plugin's configuration and its parts (for the unit
 * tests): vrf.c the verbs, vrf-move.c the interface into the VRF. */
#ifndef CCNI_PLUGIN_VRF_H
#define CCNI_PLUGIN_VRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/plugin.h>

#include "net/addr.h"
#include "net/link.h"
#include "net/route.h"

struct vrf_conf {
	const char *name; /* "vrfname", required */
	uint32_t table;	  /* "table"; 0: chosen when the VRF is made */
};

int vrf_conf_parse(const struct ccni_request *req, struct vrf_conf *c, struct ccni_error *err);

/* The table for a new VRF: the first from 1 on that no VRF, route or rule
 * of the namespace uses (nor the kernel's own, 252 to 255). */
uint32_t vrf_table_choose(const uint32_t *vrfs, size_t nv, const uint32_t *routes, size_t nr,
			  const uint32_t *rules, size_t nu);

/* The interface put into a VRF, and what that took from it, to give back
 * on a failure. */
struct vrf_move {
	struct link intf;
	struct addr_info *v6; /* its global IPv6 addresses before */
	size_t n_v6;
	struct route *routes; /* its main-table routes before, universe scope first */
	size_t n_routes, n_universe;
	size_t n_moved; /* copied to the VRF's table so far */
	bool enslaved;
};

/* Make intf a port of VRF vrf (table): the reference's steps (its global
 * IPv6 addresses put back if the kernel dropped them, and waited for; its
 * routes copied to the table). On failure everything is as before. */
int vrf_move_in(struct nl_sock *sk, int nsfd, const struct link *vrf, uint32_t table,
		struct vrf_move *m, struct ccni_error *err);
void vrf_move_clear(struct vrf_move *m);

#endif
