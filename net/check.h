/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h — the parts of CHECK that main plugins share: find the container
 * interface in prevResult, and compare the container end's MAC, addresses
 * and routes with it (code 108 naming what differs). Internal.
 */
#ifndef CCNI_NET_CHECK_H
#define CCNI_NET_CHECK_H

#include <ccni/error.h>
#include <ccni/result.h>

#include "net/link.h"

struct nl_sock;

/* The index in r->interfaces of ifname inside sandbox netns; -1 with err
 * set (code 108) when prevResult has no such interface. */
int check_find_interface(const struct ccni_result *r, const char *ifname, const char *netns,
			 struct ccni_error *err);

/* The link ifname in the container's namespace (ct) into *cv: it exists,
 * is of `kind` (NULL: any) and has the MAC prevResult's interface ci gives. */
int check_link(struct nl_sock *ct, const struct ccni_result *r, int ci, const char *ifname,
	       const char *netns, const char *kind, struct link *cv, struct ccni_error *err);

/* Every address prevResult gives interface ci is on link cv, and every
 * route of prevResult is in the container's namespace. */
int check_addrs_routes(struct nl_sock *ct, const struct ccni_result *r, int ci,
		       const struct link *cv, const char *netns, struct ccni_error *err);

#endif
