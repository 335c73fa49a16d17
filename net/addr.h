/* SPDX-License-Identifier: Apache-2.0 */
/* addr.h — a link's IP addresses. Internal. */
#ifndef CCNI_NET_ADDR_H
#define CCNI_NET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccni/error.h>
#include <ccni/ip.h>

struct nl_sock;
struct nl_msg;

/* The RTM_NEWADDR (add) or RTM_DELADDR request for a on ifindex: local and
 * address a, the broadcast address of an IPv4 subnet wider than /31, and
 * IFA_F_NODAD for IPv6 when nodad. NULL when out of memory. */
struct nl_msg *addr_msg(bool add, int ifindex, const struct ccni_ipnet *a, bool nodad);
/* Add an address (one already there is success). */
int addr_add(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, bool nodad,
	     struct ccni_error *err);
/* Delete one (one already gone is success). */
int addr_del(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, struct ccni_error *err);
/* Add one with the IFA_F_* flags given (as a listing gave them: the kernel
 * keeps those userspace may set, IFA_F_NODAD, IFA_F_NOPREFIXROUTE, ...). */
int addr_add_flags(struct nl_sock *sk, int ifindex, const struct ccni_ipnet *a, uint32_t flags,
		   struct ccni_error *err);
/* The addresses of one link, of family (0: both). The kernel filters the
 * dump by link, so this costs what the link has. *out is malloc'd (NULL
 * when there are none). */
int addr_list(struct nl_sock *sk, int ifindex, int family, struct ccni_ipnet **out, size_t *n,
	      struct ccni_error *err);

/* An address as listed, with its IFA_F_* flags and scope. */
struct addr_info {
	struct ccni_ipnet addr;
	uint32_t flags;
	uint8_t scope;
};
/* addr_list with the flags and scopes. */
int addr_list_info(struct nl_sock *sk, int ifindex, int family, struct addr_info **out,
		   size_t *n, struct ccni_error *err);

/* Wait until no IPv6 address of ifindex is tentative, as the reference's
 * SettleAddresses, at most timeout_ms: woken by the kernel's address
 * notifications (RTMGRP_IPV6_IFADDR, heard in the link's namespace nsfd,
 * where sk is), never polling. An address that failed duplicate address
 * detection is an error naming it (code 104), one still tentative at the
 * end is code 106. A link without carrier has not begun DAD (the kernel
 * runs it once the link is up): nothing to wait for. */
int addr_settle(struct nl_sock *sk, int nsfd, int ifindex, unsigned timeout_ms,
		struct ccni_error *err);

#endif
