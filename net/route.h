/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route.h — routes: one model for adding, deleting, finding and listing
 * them (single-nexthop routes; ccni makes no others). The listings dump a
 * namespace's routes, filtered by the kernel: only for a container's
 * namespace, which holds a handful. Internal.
 */
#ifndef CCNI_NET_ROUTE_H
#define CCNI_NET_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>

struct nl_sock;
struct nl_msg;

/* RTAX_FASTOPEN_NO_COOKIE + 1: the u32 route metrics a route carries. */
#define ROUTE_METRICS 18

struct route {
	struct ccni_ipnet dst;
	struct ccni_ip gw;  /* family 0: none */
	struct ccni_ip src; /* preferred source; family 0: none */
	int ifindex;
	uint32_t table;	   /* 0: main */
	uint32_t priority; /* 0: the kernel's default metric */
	int scope;	   /* RT_SCOPE_*; -1: universe with a gateway, link without */
	uint8_t protocol;  /* 0: boot */
	uint8_t type;	   /* 0: unicast */
	uint8_t tos;
	uint32_t metrics[ROUTE_METRICS]; /* by RTAX_* (RTAX_MTU, RTAX_ADVMSS, ...); 0: unset */
};

/* A route with every field at its default (scope -1). */
struct route route_init(void);

/* The RTM_NEWROUTE (add: with flags, NLM_F_EXCL or NLM_F_REPLACE) or
 * RTM_DELROUTE request for r. NULL when out of memory. */
struct nl_msg *route_msg(bool add, const struct route *r, int flags);

/* Add r. replace: create or overwrite; otherwise an existing route is
 * success when ok_exists, an error if not. */
int route_add(struct nl_sock *sk, const struct route *r, bool replace, bool ok_exists,
	      struct ccni_error *err);
/* Delete r (all its attributes must match); a route already gone is
 * success. */
int route_del(struct nl_sock *sk, const struct route *r, struct ccni_error *err);
/* Delete the main-table route to dst's network on ifindex whatever its
 * protocol and scope (the prefix route the kernel adds with an address). */
int route_del_prefix(struct nl_sock *sk, const struct ccni_ipnet *dst, int ifindex,
		     struct ccni_error *err);

/* Is there a route to r's dst (in r's table, via r's gw if it has one,
 * through r's ifindex if not 0)? 1 yes, 0 no, -1 error. */
int route_exists(struct nl_sock *sk, const struct route *r, struct ccni_error *err);
/* The interface the kernel routes dst through (one RTM_GETROUTE lookup, no
 * dump): its index, 0 when unreachable, -1 on error. */
int route_get_oif(struct nl_sock *sk, const struct ccni_ip *dst, struct ccni_error *err);
/* The interface of the default route (IPv4's, else IPv6's), as the
 * reference's "master" default: one lookup per family, no dump unless a
 * narrower route shadows the probe. Its index, 0 when there is none, -1 on
 * error. */
int route_default_oif(struct nl_sock *sk, struct ccni_error *err);
/* The routes of `table` (0: main) that leave through ifindex alone, in the
 * kernel's order (IPv4 first), clones left out. *out is malloc'd. */
int route_list_dev(struct nl_sock *sk, int ifindex, uint32_t table, struct route **out,
		   size_t *n, struct ccni_error *err);

/* Every route of family (AF_UNSPEC: all) in table (0: main), to fn (a
 * dump: not for ADD or DEL on a host's namespace). fn returns 0 to go on. */
int route_foreach(struct nl_sock *sk, int family, uint32_t table,
		  int (*fn)(const struct route *r, void *arg), void *arg, struct ccni_error *err);
/* The tables that hold a route in the socket's namespace, each once (a
 * dump of every table: a container's namespace). *out is malloc'd. */
int route_tables(struct nl_sock *sk, uint32_t **out, size_t *n, struct ccni_error *err);
/* The first table id from `from` (0: 1) on that is not in used and not
 * one of the kernel's own (252 compat, 253 default, 254 main, 255 local);
 * 0 when there is none. */
uint32_t route_table_unused(const uint32_t *used, size_t n, uint32_t from);

/* "10.1.0.0/16 via 10.1.0.1 dev eth0 table 100" (the table only when not
 * main), for messages. */
const char *route_text(struct nl_sock *sk, const struct route *r, char *buf, size_t len);

#endif
