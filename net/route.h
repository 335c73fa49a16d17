/* SPDX-License-Identifier: Apache-2.0 */
/* route.h — route requests kernel.h's kroute_* do not cover: the prefix
 * route of an address, and listing a device's routes to move them between
 * tables. Internal. */
#ifndef CCNI_NET_ROUTE_H
#define CCNI_NET_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>

/* RTAX_FASTOPEN_NO_COOKIE + 1: the u32 route metrics a copy keeps. */
#define KROUTE_METRICS 18

struct nl_sock;

/* Delete the main-table route to dst on ifindex whatever its protocol and
 * scope (the prefix route the kernel adds with an address). A route
 * already gone is success. */
int kroute_del_prefix(struct nl_sock *sk, const struct ccni_ipnet *dst, int ifindex,
		      struct ccni_error *err);

/* A route as the kernel lists it, with what it takes to add it again
 * (to another table) or to delete exactly it. Single-nexthop routes only. */
struct kroute_entry {
	struct ccni_ipnet dst;
	struct ccni_ip gw;  /* family 0: none */
	struct ccni_ip src; /* preferred source; family 0: none */
	int ifindex;
	uint32_t table;	   /* 0: main */
	uint32_t priority; /* 0: none (the kernel's default metric) */
	uint8_t protocol;  /* 0: boot */
	uint8_t scope;	   /* RT_SCOPE_* */
	uint8_t type;	   /* 0: unicast */
	uint8_t tos;
	uint32_t metrics[KROUTE_METRICS]; /* by RTAX_*; 0: unset */
};

/* The routes of `table` that leave through ifindex alone, in the kernel's
 * order (IPv4 first), clones left out. Dumps the namespace's routes: only
 * for a container's namespace. *out is malloc'd. */
int kroute_list_dev(struct nl_sock *sk, int ifindex, uint32_t table, struct kroute_entry **out,
		    size_t *n, struct ccni_error *err);
/* Add e with rtm_flags 0. replace: NLM_F_REPLACE (create or overwrite);
 * otherwise NLM_F_EXCL, and an existing route is an error. */
int kroute_entry_add(struct nl_sock *sk, const struct kroute_entry *e, bool replace,
		     struct ccni_error *err);
/* Delete e (all its attributes must match); a route already gone is success. */
int kroute_entry_del(struct nl_sock *sk, const struct kroute_entry *e, struct ccni_error *err);

#endif
