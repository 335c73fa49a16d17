/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnl.h — the few rtnetlink requests the daemon makes itself: look a link
 * up, move it to another namespace under a new name, delete it, and ask
 * whether a prefix is already routed. A socket belongs to the namespace of
 * the thread that opened it.
 */
#ifndef CCNI_DOCKER_RTNL_H
#define CCNI_DOCKER_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>

struct rtnl {
	int fd;
	uint32_t seq;
};

struct rtnl_link {
	int ifindex;
	char name[IFNAMSIZ];
	uint8_t mac[6];
	bool has_mac;
	int peer;       /* IFLA_LINK: a veth's peer index (in its namespace) */
	char kind[16];  /* IFLA_INFO_KIND, "" when none */
};

int rtnl_open(struct rtnl *r, struct ccni_error *err);
void rtnl_close(struct rtnl *r);
/* By name (name non-NULL) or index: 0 found, 1 none, -1 error. */
int rtnl_link_get(struct rtnl *r, const char *name, int ifindex, struct rtnl_link *out,
		  struct ccni_error *err);
/* The link with this MAC (a dump: for a container's few links). 0/1/-1. */
int rtnl_link_by_mac(struct rtnl *r, const uint8_t mac[6], struct rtnl_link *out,
		     struct ccni_error *err);
/* Move the link into the namespace nsfd, named name there. */
int rtnl_link_move(struct rtnl *r, int ifindex, int nsfd, const char *name,
		   struct ccni_error *err);
int rtnl_link_up(struct rtnl *r, int ifindex, struct ccni_error *err);
int rtnl_link_del(struct rtnl *r, int ifindex, struct ccni_error *err);
/* 1 with *hit set when an IPv4 main-table route's destination overlaps
 * net, 0 when none does, -1 on error. */
int rtnl_route_overlap(struct rtnl *r, const struct ccni_ipnet *net, struct ccni_ipnet *hit,
		       struct ccni_error *err);

#endif
